/**
 * Binding subjects and role references (upstream's rbac/v1 SetDefaults_Subject and
 * SetDefaults_*RoleBinding, ValidateRoleBindingSubject, rbac.SubjectsStrings).
 */
import type { FieldError } from "../../api/errors.ts";
import { field, FieldPath, invalidEach } from "../../validation/field.ts";
import { isDNS1123Subdomain } from "../../validation/names.ts";
import { isValidPathSegmentName } from "../../validation/path-segment.ts";
import { RBAC_GROUP, type AnyBinding, type RoleRef, type Subject } from "./types.ts";

const SUBJECT_KINDS = ["ServiceAccount", "User", "Group"];

/**
 * Users and groups live in the RBAC group; service accounts in the core group. RoleRef's fields
 * have no omitempty upstream, so all three are always written.
 */
export function defaultBinding(binding: AnyBinding): void {
  const ref: RoleRef = (binding.roleRef ??= {});
  ref.apiGroup ||= RBAC_GROUP;
  ref.kind ??= "";
  ref.name ??= "";
  for (const subject of binding.subjects ?? []) {
    if (subject && !subject.apiGroup && (subject.kind === "User" || subject.kind === "Group")) subject.apiGroup = RBAC_GROUP;
  }
}

export function validateRoleRef(ref: RoleRef | undefined, kinds: string[]): FieldError[] {
  const path = FieldPath.root("roleRef");
  const errs: FieldError[] = [];
  if ((ref?.apiGroup ?? "") !== RBAC_GROUP) errs.push(field.notSupported(path.child("apiGroup"), ref?.apiGroup ?? "", [RBAC_GROUP]));
  if (!kinds.includes(ref?.kind ?? "")) errs.push(field.notSupported(path.child("kind"), ref?.kind ?? "", kinds));
  if (!ref?.name) errs.push(field.required(path.child("name")));
  else errs.push(...invalidEach(path.child("name"), ref.name, isValidPathSegmentName(ref.name)));
  return errs;
}

/** Cluster bindings have no namespace to fall back on, so their service accounts must name one. */
export function validateSubject(subject: Subject, namespaced: boolean, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = subject.name ?? "";
  const apiGroup = subject.apiGroup ?? "";
  if (!name) errs.push(field.required(path.child("name")));
  switch (subject.kind) {
    case "ServiceAccount":
      if (name) errs.push(...invalidEach(path.child("name"), name, isDNS1123Subdomain(name)));
      if (apiGroup) errs.push(field.notSupported(path.child("apiGroup"), apiGroup, [""]));
      if (!namespaced && !subject.namespace) errs.push(field.required(path.child("namespace")));
      break;
    case "User":
    case "Group":
      if (apiGroup !== RBAC_GROUP) errs.push(field.notSupported(path.child("apiGroup"), apiGroup, [RBAC_GROUP]));
      break;
    default:
      errs.push(field.notSupported(path.child("kind"), subject.kind ?? "", SUBJECT_KINDS));
  }
  return errs;
}

export function validateSubjects(subjects: Subject[] | undefined, namespaced: boolean): FieldError[] {
  const path = FieldPath.root("subjects");
  return (subjects ?? []).flatMap((s, i) => validateSubject(s ?? {}, namespaced, path.index(i)));
}

/** The USERS, GROUPS and SERVICEACCOUNTS cells: names joined by ", ", accounts as namespace/name. */
export function subjectNames(subjects: Subject[] | undefined): { users: string[]; groups: string[]; serviceAccounts: string[] } {
  const out = { users: [] as string[], groups: [] as string[], serviceAccounts: [] as string[] };
  for (const s of subjects ?? []) {
    if (s?.kind === "User") out.users.push(s.name ?? "");
    else if (s?.kind === "Group") out.groups.push(s.name ?? "");
    else if (s?.kind === "ServiceAccount") out.serviceAccounts.push(`${s.namespace ?? ""}/${s.name ?? ""}`);
  }
  return out;
}
