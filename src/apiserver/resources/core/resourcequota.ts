/**
 * core/v1 resourcequotas: quota resource names and values, scopes and scope selectors, the
 * REQUEST/LIMIT Table ("requests.cpu: 500m/1, pods: 3/10").
 */
import type { FieldError } from "../../api/errors.ts";
import type { ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { ALL_VERBS } from "../../registry/definition.ts";
import { field, FieldPath } from "../../validation/field.ts";
import { canonicalQuantity } from "../../validation/quantity.ts";
import { ageColumn, nameColumn } from "../printing.ts";
import { column } from "./columns.ts";
import { canonicalizeResourceList } from "./quantities.ts";
import { isStandardQuotaResourceName } from "./resource-names.ts";
import { readResourceList, validateQuotaResourceName } from "./resource-validation.ts";
import { view, type ResourceQuota, type ResourceList } from "./types.ts";

type Spec = NonNullable<ResourceQuota["spec"]>;

const SCOPES = ["Terminating", "NotTerminating", "BestEffort", "NotBestEffort", "PriorityClass", "CrossNamespacePodAffinity", "VolumeAttributesClass"];
const POD_COMPUTE = ["pods", "cpu", "memory", "limits.cpu", "limits.memory", "requests.cpu", "requests.memory"];
const PVC_RESOURCES = ["persistentvolumeclaims", "requests.storage"];
const CONFLICTS = [
  ["BestEffort", "NotBestEffort"],
  ["Terminating", "NotTerminating"],
];

/** upstream's IsResourceQuotaScopeValidForResource. */
function scopeFits(scope: string, resource: string): boolean {
  switch (scope) {
    case "Terminating":
    case "NotTerminating":
    case "NotBestEffort":
    case "PriorityClass":
    case "CrossNamespacePodAffinity":
      return POD_COMPUTE.includes(resource);
    case "BestEffort":
      return resource === "pods";
    case "VolumeAttributesClass":
      return PVC_RESOURCES.includes(resource) || resource.endsWith(".storageclass.storage.k8s.io/requests.storage");
    default:
      return true;
  }
}

function validateList(list: ResourceList | undefined, path: FieldPath): FieldError[] {
  return readResourceList(list, path, validateQuotaResourceName).errors;
}

function validateScopes(spec: Spec): FieldError[] {
  const scopes = spec.scopes ?? [];
  if (!scopes.length) return [];
  const path = FieldPath.root("spec").child("scopes");
  const hard = Object.keys(spec.hard ?? {}).sort();
  const errs: FieldError[] = [];
  for (const scope of scopes) {
    if (!SCOPES.includes(scope)) errs.push(field.invalid(path, scopes, "unsupported scope"));
    for (const r of hard) if (isStandardQuotaResourceName(r) && !scopeFits(scope, r)) errs.push(field.invalid(path, scopes, "unsupported scope applied to resource"));
  }
  for (const pair of CONFLICTS) if (pair.every((s) => scopes.includes(s))) errs.push(field.invalid(path, scopes, "conflicting scopes"));
  return errs;
}

function validateScopeSelector(spec: Spec): FieldError[] {
  const exprs = spec.scopeSelector?.matchExpressions;
  if (!spec.scopeSelector) return [];
  const path = FieldPath.root("spec").child("scopeSelector", "matchExpressions");
  const hard = Object.keys(spec.hard ?? {}).sort();
  const errs: FieldError[] = [];
  const names: string[] = [];
  for (const req of exprs ?? []) {
    if (!SCOPES.includes(req.scopeName)) errs.push(field.invalid(path.child("scopeName"), req.scopeName, "unsupported scope"));
    for (const r of hard) if (isStandardQuotaResourceName(r) && !scopeFits(req.scopeName, r)) errs.push(field.invalid(path, spec.scopeSelector, "unsupported scope applied to resource"));
    const existsOnly = ["BestEffort", "NotBestEffort", "Terminating", "NotTerminating", "CrossNamespacePodAffinity"].includes(req.scopeName);
    if (existsOnly && req.operator !== "Exists") {
      errs.push(
        field.invalid(
          path.child("operator"),
          req.operator,
          "must be 'Exists' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity",
        ),
      );
    }
    const values = req.values ?? [];
    if (req.operator === "In" || req.operator === "NotIn") {
      if (!values.length) errs.push(field.required(path.child("values"), "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"));
    } else if (req.operator === "Exists" || req.operator === "DoesNotExist") {
      if (values.length) errs.push(field.invalid(path.child("values"), values, "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"));
    } else errs.push(field.invalid(path.child("operator"), req.operator, "not a valid selector operator"));
    names.push(req.scopeName);
  }
  for (const pair of CONFLICTS) if (pair.every((s) => names.includes(s))) errs.push(field.invalid(path, spec.scopes ?? null, "conflicting scopes"));
  return errs;
}

export function validateResourceQuota(rq: ResourceQuota): FieldError[] {
  const spec: Spec = rq.spec ?? {};
  return [
    ...validateList(spec.hard, FieldPath.root("spec").child("hard")),
    ...validateScopes(spec),
    ...validateScopeSelector(spec),
    ...validateList(rq.status?.hard, FieldPath.root("status").child("hard")),
    ...validateList(rq.status?.used, FieldPath.root("status").child("used")),
  ];
}

/** Scopes are fixed at creation. */
export function validateResourceQuotaUpdate(rq: ResourceQuota, old: ResourceQuota): FieldError[] {
  const now = new Set(rq.spec?.scopes ?? []);
  const before = new Set(old.spec?.scopes ?? []);
  const same = now.size === before.size && [...now].every((s) => before.has(s));
  return same ? [] : [field.immutable(FieldPath.root("spec").child("scopes"), rq.spec?.scopes ?? null)];
}

/** upstream's printResourceQuota: "name: used/hard" per resource, limits.* in the LIMIT column. */
export function quotaCells(rq: ResourceQuota): { request: string; limit: string } {
  const hard = rq.status?.hard ?? {};
  const used = rq.status?.used ?? {};
  const request: string[] = [];
  const limit: string[] = [];
  for (const name of Object.keys(hard).sort()) {
    const entry = `${name}: ${canonicalQuantity(used[name] ?? "0")}/${canonicalQuantity(hard[name]!)}`;
    (name.split(".")[0] === "limits" && name.includes(".") ? limit : request).push(entry);
  }
  return { request: request.join(", "), limit: limit.join(", ") };
}

const strategy: Strategy = {
  defaults(obj) {
    const rq = view<ResourceQuota>(obj);
    canonicalizeResourceList(rq.spec?.hard);
    canonicalizeResourceList(rq.status?.hard);
    canonicalizeResourceList(rq.status?.used);
  },
  prepareForCreate(obj) {
    // ResourceQuotaStatus is a struct: a new quota shows `status: {}` until the controller fills it.
    view<ResourceQuota>(obj).status = {};
  },
  validate: (obj) => validateResourceQuota(view<ResourceQuota>(obj)),
  validateUpdate: (obj, old) => validateResourceQuotaUpdate(view<ResourceQuota>(obj), view<ResourceQuota>(old)),
};

export const resourceQuotaDefinition: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "ResourceQuota",
  plural: "resourcequotas",
  singular: "resourcequota",
  shortNames: ["quota"],
  namespaced: true,
  returnDeletedObject: true,
  verbs: ALL_VERBS,
  statusSubresource: true,
  nameRule: "subdomain",
  printerColumns: [
    nameColumn,
    ageColumn,
    column<ResourceQuota>("Request", "Request represents a minimum amount of cpu/memory that a container may consume.", (rq) => quotaCells(rq).request),
    column<ResourceQuota>(
      "Limit",
      "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.",
      (rq) => quotaCells(rq).limit,
    ),
  ],
  strategy,
};
