/**
 * PodSpec and PodTemplateSpec validation with upstream's field paths and messages
 * (pkg/apis/core/validation: ValidatePodSpec, ValidatePodTemplateSpec). Pod-only rules
 * (image whitespace, ephemeral containers on create, ...) are in pod-validation.ts.
 */
import type { V1PodDNSConfig } from "@kubernetes/client-node";
import type { FieldError } from "../../api/errors.ts";
import type { Wire } from "../../api/types.ts";
import { field, invalidEach, type FieldPath } from "../../validation/field.ts";
import { validateIP } from "../../validation/ip.ts";
import { validateAnnotations, validateLabels } from "../../validation/labels.ts";
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from "../../validation/names.ts";
import { inclusiveRangeError, MAX_INT32 } from "../../validation/numbers.ts";
import { validateContainers, validateEphemeralContainers, validateInitContainers, type ContainerContext } from "./container-validation.ts";
import { readResourceList, validateContainerResourceName } from "./resource-validation.ts";
import { validateAffinity, validateTolerations, validateTopologySpreadConstraints } from "./scheduling-validation.ts";
import { validatePodSecurityContext } from "./security-context-validation.ts";
import type { PodSpec, PodTemplateSpec } from "./types.ts";
import { validateVolumes } from "./volume-validation.ts";

export interface PodSpecOptions {
  /** The spec belongs to a Pod (not a template): hostPort must then equal containerPort under hostNetwork. */
  isPod?: boolean;
  /** The pod's name, for the PVC names of generic ephemeral volumes. */
  podName?: string;
}

const RESTART_POLICIES = ["Always", "OnFailure", "Never"];
const DNS_POLICIES = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
const POD_DELETION_COST = "controller.kubernetes.io/pod-deletion-cost";
const MIRROR_POD = "kubernetes.io/config.mirror";

export function validatePodSpec(spec: PodSpec, path: FieldPath, opts: PodSpecOptions = {}): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.terminationGracePeriodSeconds == null) errs.push(field.required(path.child("terminationGracePeriodSeconds")));
  const volumes = validateVolumes(spec.volumes, path.child("volumes"), opts.podName);
  errs.push(...volumes.errors);
  const claims = validateResourceClaims(spec, path.child("resourceClaims"));
  const ctx: ContainerContext = {
    volumes: volumes.valid,
    podClaimNames: claims.names,
    gracePeriod: spec.terminationGracePeriodSeconds ?? undefined,
    restartPolicy: spec.restartPolicy,
    hostUsers: spec.hostUsers !== false,
  };
  errs.push(...claims.errors);
  errs.push(...validateContainers(spec.containers, ctx, path.child("containers")));
  errs.push(...validateInitContainers(spec.initContainers, spec.containers, ctx, path.child("initContainers")));
  errs.push(...validateEphemeralContainers(spec.ephemeralContainers, spec.containers, spec.initContainers, ctx, path.child("ephemeralContainers")));
  errs.push(...validateHostNetworkPorts(spec, path, opts.isPod === true));
  errs.push(...validatePolicy(spec.restartPolicy, RESTART_POLICIES, path.child("restartPolicy")));
  errs.push(...validatePolicy(spec.dnsPolicy, DNS_POLICIES, path.child("dnsPolicy")));
  errs.push(...validateLabels(spec.nodeSelector, path.child("nodeSelector")));
  errs.push(...validatePodSecurityContext(spec, path.child("securityContext")));
  errs.push(...validateImagePullSecrets(spec, path.child("imagePullSecrets")));
  errs.push(...validateAffinity(spec.affinity, path.child("affinity")));
  errs.push(...validateDNSConfig(spec.dnsConfig, spec.dnsPolicy, path.child("dnsConfig")));
  errs.push(...validateGates(spec, path));
  errs.push(...validateTopologySpreadConstraints(spec.topologySpreadConstraints, path.child("topologySpreadConstraints")));
  errs.push(...validateHostUsers(spec, path));
  errs.push(...validateNames(spec, path));
  errs.push(...validateScalars(spec, path));
  return errs;
}

function validatePolicy(value: string | undefined, allowed: string[], path: FieldPath): FieldError[] {
  if (!value) return [field.required(path)];
  return allowed.includes(value) ? [] : [field.notSupported(path, value, allowed)];
}

function validateResourceClaims(spec: PodSpec, path: FieldPath): { names: Set<string>; errors: FieldError[] } {
  const names = new Set<string>();
  const errors: FieldError[] = [];
  (spec.resourceClaims ?? []).forEach((claim, i) => {
    const p = path.index(i);
    if (!claim.name) errors.push(field.required(p.child("name")));
    else if (names.has(claim.name)) errors.push(field.duplicate(p.child("name"), claim.name));
    else {
      errors.push(...invalidEach(p.child("name"), claim.name, isDNS1123Label(claim.name)));
      names.add(claim.name);
    }
    const byName = claim.resourceClaimName != null;
    const byTemplate = claim.resourceClaimTemplateName != null;
    if (byName && byTemplate) errors.push(field.invalid(p, claim, "at most one of `resourceClaimName` or `resourceClaimTemplateName` may be specified"));
    if (!byName && !byTemplate) errors.push(field.invalid(p, claim, "must specify one of: `resourceClaimName`, `resourceClaimTemplateName`"));
    for (const key of ["resourceClaimName", "resourceClaimTemplateName"] as const) {
      const v = claim[key];
      if (v != null) errors.push(...invalidEach(p.child(key), v, isDNS1123Subdomain(v)));
    }
  });
  return { names, errors };
}

/** With hostNetwork, a container's hostPort must equal its containerPort (0 is allowed in templates). */
function validateHostNetworkPorts(spec: PodSpec, path: FieldPath, isPod: boolean): FieldError[] {
  if (!spec.hostNetwork) return [];
  const errs: FieldError[] = [];
  (spec.containers ?? []).forEach((c, i) => {
    (c.ports ?? []).forEach((port, j) => {
      const hp = port.hostPort ?? 0;
      if ((isPod || hp !== 0) && hp !== port.containerPort) {
        errs.push(field.invalid(path.child("containers").index(i).child("ports").index(j).child("hostPort"), hp, "must match `containerPort` when `hostNetwork` is true"));
      }
    });
  });
  return errs;
}

function validateImagePullSecrets(spec: PodSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (spec.imagePullSecrets ?? []).forEach((ref, i) => {
    if (Object.keys(ref).some((k) => k !== "name")) errs.push(field.invalid(path.index(i), ref, "only name may be set"));
  });
  return errs;
}

function validateDNSConfig(cfg: Wire<V1PodDNSConfig> | undefined, policy: string | undefined, path: FieldPath): FieldError[] {
  if (policy === "None") {
    if (!cfg) return [field.required(path, "must provide `dnsConfig` when `dnsPolicy` is None")];
    if (!cfg.nameservers?.length) return [field.required(path.child("nameservers"), "must provide at least one DNS nameserver when `dnsPolicy` is None")];
  }
  if (!cfg) return [];
  const errs: FieldError[] = [];
  const ns = cfg.nameservers ?? [];
  if (ns.length > 3) errs.push(field.invalid(path.child("nameservers"), ns, "must not have more than 3 nameservers"));
  ns.forEach((ip, i) => errs.push(...validateIP(path.child("nameservers").index(i), ip)));
  const searches = cfg.searches ?? [];
  if (searches.length > 32) errs.push(field.invalid(path.child("searches"), searches, "must not have more than 32 search paths"));
  if (searches.join(" ").length > 2048) errs.push(field.invalid(path.child("searches"), searches, "must not have more than 2048 characters (including spaces) in the search list"));
  searches.forEach((s, i) => {
    const trimmed = s.endsWith(".") ? s.slice(0, -1) : s;
    errs.push(...invalidEach(path.child("searches").index(i), trimmed, isDNS1123Subdomain(trimmed)));
  });
  (cfg.options ?? []).forEach((o, i) => {
    if (!o.name) errs.push(field.required(path.child("options").index(i), "must not be empty"));
  });
  return errs;
}

function validateGates(spec: PodSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (spec.readinessGates ?? []).forEach((g, i) => {
    const p = path.child("readinessGates").index(i).child("conditionType");
    errs.push(...invalidEach(p, g.conditionType, isQualifiedName(g.conditionType)));
  });
  const seen = new Set<string>();
  (spec.schedulingGates ?? []).forEach((g, i) => {
    const p = path.child("schedulingGates").index(i);
    errs.push(...invalidEach(p, g.name, isQualifiedName(g.name)));
    if (seen.has(g.name)) errs.push(field.duplicate(p, g.name));
    seen.add(g.name);
  });
  return errs;
}

/** With hostUsers=false the pod may not share the host's network, PID or IPC namespaces. */
function validateHostUsers(spec: PodSpec, path: FieldPath): FieldError[] {
  if (spec.hostUsers !== false) return [];
  const errs: FieldError[] = [];
  if (spec.hostNetwork) errs.push(field.forbidden(path.child("hostNetwork"), "when `pod.Spec.HostUsers` is false"));
  if (spec.hostPID) errs.push(field.forbidden(path.child("HostPID"), "when `pod.Spec.HostUsers` is false"));
  if (spec.hostIPC) errs.push(field.forbidden(path.child("HostIPC"), "when `pod.Spec.HostUsers` is false"));
  return errs;
}

/** Names the spec refers to, and the deadline, in upstream's order. */
function validateNames(spec: PodSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const key of ["serviceAccountName", "nodeName"] as const) {
    const v = spec[key];
    if (v) errs.push(...invalidEach(path.child(key), v, isDNS1123Subdomain(v)));
  }
  const ads = spec.activeDeadlineSeconds;
  if (ads != null && (ads < 1 || ads > MAX_INT32)) errs.push(field.invalid(path.child("activeDeadlineSeconds"), ads, inclusiveRangeError(1, MAX_INT32)));
  for (const key of ["hostname", "subdomain"] as const) {
    const v = spec[key];
    if (v) errs.push(...invalidEach(path.child(key), v, isDNS1123Label(v)));
  }
  return errs;
}

function validateScalars(spec: PodSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (spec.tolerations?.length) errs.push(...validateTolerations(spec.tolerations, path.child("tolerations")));
  (spec.hostAliases ?? []).forEach((alias, i) => {
    const p = path.child("hostAliases").index(i);
    errs.push(...validateIP(p.child("ip"), alias.ip));
    (alias.hostnames ?? []).forEach((h, j) => errs.push(...invalidEach(p.child("hostnames").index(j), h, isDNS1123Subdomain(h))));
  });
  if (spec.priorityClassName) errs.push(...invalidEach(path.child("priorityClassName"), spec.priorityClassName, isDNS1123Subdomain(spec.priorityClassName)));
  if (spec.runtimeClassName != null) errs.push(...invalidEach(path.child("runtimeClassName"), spec.runtimeClassName, isDNS1123Subdomain(spec.runtimeClassName)));
  if (spec.preemptionPolicy != null) errs.push(...validatePolicy(spec.preemptionPolicy, ["PreemptLowerPriority", "Never"], path.child("preemptionPolicy")));
  if (spec.overhead) errs.push(...readResourceList(spec.overhead, path.child("overhead").child("limits"), validateContainerResourceName).errors);
  errs.push(...validateOS(spec, path));
  return errs;
}

function validateOS(spec: PodSpec, path: FieldPath): FieldError[] {
  const os = spec.os;
  if (!os) return [];
  if (!os.name) return [field.required(path.child("os", "name"), "cannot be empty")];
  if (os.name !== "linux" && os.name !== "windows") return [field.notSupported(path.child("os"), os.name, ["linux", "windows"])];
  if (os.name !== "linux") return [];
  const errs: FieldError[] = [];
  if (spec.securityContext?.windowsOptions) errs.push(field.forbidden(path.child("securityContext", "windowsOptions"), "windows options cannot be set for a linux pod"));
  const lists = [["initContainers", spec.initContainers], ["containers", spec.containers], ["ephemeralContainers", spec.ephemeralContainers]] as const;
  for (const [name, list] of lists) {
    (list ?? []).forEach((c, i) => {
      if (c.securityContext?.windowsOptions) {
        errs.push(field.forbidden(path.child(name).index(i).child("securityContext", "windowsOptions"), "windows options cannot be set for a linux pod"));
      }
    });
  }
  return errs;
}

/** Annotations with meaning for pods (mirror pods, deletion cost). */
export function validatePodSpecificAnnotations(annotations: Record<string, string> | undefined, spec: PodSpec, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const a = annotations ?? {};
  if (MIRROR_POD in a && !spec.nodeName) errs.push(field.invalid(path.key(MIRROR_POD), a[MIRROR_POD], "must set spec.nodeName if mirror pod annotation is set"));
  if (POD_DELETION_COST in a && !isInt32(a[POD_DELETION_COST]!)) errs.push(field.invalid(path.key(POD_DELETION_COST), a[POD_DELETION_COST], "must be a 32bit integer"));
  return errs;
}

function isInt32(text: string): boolean {
  if (!/^[+-]?\d+$/.test(text)) return false;
  const n = Number(text);
  return n >= -(2 ** 31) && n <= MAX_INT32;
}

/** A pod template: its labels and annotations, its spec, and no ephemeral containers. */
export function validatePodTemplateSpec(template: PodTemplateSpec, path: FieldPath, opts: PodSpecOptions = {}): FieldError[] {
  const meta = template.metadata ?? {};
  const errs = [...validateLabels(meta.labels, path.child("labels")), ...validateAnnotations(meta.annotations, path.child("annotations"))];
  const spec = template.spec ?? { containers: [] };
  errs.push(...validatePodSpecificAnnotations(meta.annotations, spec, path.child("annotations")));
  errs.push(...validatePodSpec(spec, path.child("spec"), opts));
  if (spec.ephemeralContainers?.length) errs.push(field.forbidden(path.child("spec", "ephemeralContainers"), "ephemeral containers not allowed in pod template"));
  return errs;
}
