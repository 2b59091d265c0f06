/**
 * Pod and container security contexts, as upstream validates them
 * (validatePodSpecSecurityContext, ValidateSecurityContext).
 */
import type { V1AppArmorProfile, V1SeccompProfile, V1SecurityContext } from "@kubernetes/client-node";
import type { FieldError } from "../../api/errors.ts";
import type { Wire } from "../../api/types.ts";
import { field, invalidEach, type FieldPath } from "../../validation/field.ts";
import { isValidGroupID, isValidUserID } from "../../validation/numbers.ts";
import type { PodSpec } from "./types.ts";
import { validateLocalDescendingPath } from "./volume-paths.ts";

type SecurityContext = Wire<V1SecurityContext>;

const SYSCTL_PATTERN = "^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$";
const SYSCTL_RE = new RegExp(SYSCTL_PATTERN);
const SYSCTL_MAX = 253;

export function validatePodSecurityContext(spec: PodSpec, path: FieldPath): FieldError[] {
  const sc = spec.securityContext;
  if (!sc) return [];
  const errs: FieldError[] = [];
  if (sc.fsGroup != null) errs.push(...invalidEach(path.child("fsGroup"), sc.fsGroup, isValidGroupID(sc.fsGroup)));
  if (sc.runAsUser != null) errs.push(...invalidEach(path.child("runAsUser"), sc.runAsUser, isValidUserID(sc.runAsUser)));
  if (sc.runAsGroup != null) errs.push(...invalidEach(path.child("runAsGroup"), sc.runAsGroup, isValidGroupID(sc.runAsGroup)));
  (sc.supplementalGroups ?? []).forEach((g, i) => errs.push(...invalidEach(path.child("supplementalGroups").index(i), g, isValidGroupID(g))));
  if (spec.shareProcessNamespace && spec.hostPID) {
    errs.push(field.invalid(path.child("shareProcessNamespace"), true, "ShareProcessNamespace and HostPID cannot both be enabled"));
  }
  errs.push(...validateSysctls(spec, path.child("sysctls")));
  if (sc.fsGroupChangePolicy != null && !["Always", "OnRootMismatch"].includes(sc.fsGroupChangePolicy)) {
    errs.push(field.notSupported(path.child("fsGroupChangePolicy"), sc.fsGroupChangePolicy, ["Always", "OnRootMismatch"]));
  }
  errs.push(...validateSeccompProfile(sc.seccompProfile, path.child("seccompProfile")));
  errs.push(...validateAppArmorProfile(sc.appArmorProfile, path.child("appArmorProfile")));
  if (sc.supplementalGroupsPolicy != null && !["Merge", "Strict"].includes(sc.supplementalGroupsPolicy)) {
    errs.push(field.notSupported(path.child("supplementalGroupsPolicy"), sc.supplementalGroupsPolicy, ["Merge", "Strict"]));
  }
  if (sc.seLinuxChangePolicy != null && !["MountOption", "Recursive"].includes(sc.seLinuxChangePolicy)) {
    errs.push(field.notSupported(path.child("seLinuxChangePolicy"), sc.seLinuxChangePolicy, ["MountOption", "Recursive"]));
  }
  return errs;
}

function validateSysctls(spec: PodSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (spec.securityContext?.sysctls ?? []).forEach((s, i) => {
    const p = path.index(i).child("name");
    if (!s.name) errs.push(field.required(p));
    else if (s.name.length > SYSCTL_MAX || !SYSCTL_RE.test(s.name)) {
      errs.push(field.invalid(p, s.name, `must have at most ${SYSCTL_MAX} characters and match regex ${SYSCTL_PATTERN}`));
    } else if (seen.has(s.name)) errs.push(field.duplicate(p, s.name));
    // Namespaced sysctls cannot apply when the pod shares that namespace with the host.
    if (spec.hostNetwork && /^net[./]/.test(s.name)) errs.push(field.invalid(p, s.name, "may not be specified when 'hostNetwork' is true"));
    else if (spec.hostIPC && isIPCSysctl(s.name)) errs.push(field.invalid(p, s.name, "may not be specified when 'hostIPC' is true"));
    seen.add(s.name);
  });
  return errs;
}

function isIPCSysctl(name: string): boolean {
  const n = name.replaceAll("/", ".");
  return ["kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced", "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem"].includes(n) || n.startsWith("fs.mqueue.");
}

export function validateContainerSecurityContext(sc: SecurityContext | undefined, hostUsers: boolean, path: FieldPath): FieldError[] {
  if (!sc) return [];
  const errs: FieldError[] = [];
  if (sc.runAsUser != null) errs.push(...invalidEach(path.child("runAsUser"), sc.runAsUser, isValidUserID(sc.runAsUser)));
  if (sc.runAsGroup != null) errs.push(...invalidEach(path.child("runAsGroup"), sc.runAsGroup, isValidGroupID(sc.runAsGroup)));
  if (sc.procMount != null) {
    if (sc.procMount !== "Default" && sc.procMount !== "Unmasked") errs.push(field.notSupported(path.child("procMount"), sc.procMount, ["Default", "Unmasked"]));
    if (hostUsers && sc.procMount === "Unmasked") errs.push(field.invalid(path.child("procMount"), sc.procMount, "`hostUsers` must be false to use `Unmasked`"));
  }
  errs.push(...validateSeccompProfile(sc.seccompProfile, path.child("seccompProfile")));
  if (sc.allowPrivilegeEscalation === false) {
    if (sc.privileged) errs.push(field.invalid(path, sc, "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"));
    if ((sc.capabilities?.add ?? []).includes("CAP_SYS_ADMIN")) {
      errs.push(field.invalid(path, sc, "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN"));
    }
  }
  errs.push(...validateAppArmorProfile(sc.appArmorProfile, path.child("appArmorProfile")));
  return errs;
}

function validateSeccompProfile(sp: Wire<V1SeccompProfile> | undefined, path: FieldPath): FieldError[] {
  if (!sp) return [];
  const errs: FieldError[] = [];
  const types = ["Localhost", "RuntimeDefault", "Unconfined"];
  if (!sp.type) errs.push(field.required(path.child("type"), "type is required when seccompProfile is set"));
  else if (!types.includes(sp.type)) errs.push(field.notSupported(path.child("type"), sp.type, types));
  if (sp.type === "Localhost") {
    if (sp.localhostProfile == null) errs.push(field.required(path.child("localhostProfile"), "must be set when seccomp type is Localhost"));
    else errs.push(...validateLocalDescendingPath(sp.localhostProfile, path.child("localhostProfile")));
  } else if (sp.localhostProfile != null) {
    errs.push(field.invalid(path.child("localhostProfile"), sp, "can only be set when seccomp type is Localhost"));
  }
  return errs;
}

function validateAppArmorProfile(p: Wire<V1AppArmorProfile> | undefined, path: FieldPath): FieldError[] {
  if (!p) return [];
  const local = p.localhostProfile;
  switch (p.type) {
    case "Localhost":
      if (local == null || local.trim() === "") return [field.required(path.child("localhostProfile"), "must be set when AppArmor type is Localhost")];
      if (local.trim() !== local) return [field.invalid(path.child("localhostProfile"), local, "must not be padded with whitespace")];
      return local.length > 4095 ? [field.tooLong(path.child("localhostProfile"), 4095)] : [];
    case "RuntimeDefault":
    case "Unconfined":
      return local != null ? [field.invalid(path.child("localhostProfile"), local, "can only be set when AppArmor type is Localhost")] : [];
    case "":
    case undefined:
      return [field.required(path.child("type"), "type is required when appArmorProfile is set")];
    default:
      return [field.notSupported(path.child("type"), p.type, ["Localhost", "RuntimeDefault", "Unconfined"])];
  }
}
