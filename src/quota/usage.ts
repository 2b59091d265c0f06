/**
 * What an object uses of a ResourceQuota (upstream's pkg/quota/v1/evaluator/core), shared by the
 * ResourceQuota admission plugin and the resource quota controller: object counts
 * (`count/<resource>[.<group>]`, and the legacy names pods, services, secrets, ...), a pod's
 * compute requests and limits while it is not terminal, a claim's storage (also per storage
 * class), a service's node ports and load balancers. Amounts are nano-units (BigInt).
 */
import { parseQuantity } from "../apiserver/validation/quantity.ts";

type Json = Record<string, unknown>;
export type Usage = Map<string, bigint>;

const ONE = 1_000_000_000n;
/** Core resources with a legacy quota name (the resource name itself). */
const LEGACY_COUNTS = new Set(["configmaps", "secrets", "replicationcontrollers", "resourcequotas", "services", "persistentvolumeclaims"]);
const STORAGE_CLASS_SUFFIX = ".storageclass.storage.k8s.io/";

function nanos(text: unknown): bigint | undefined {
  return typeof text === "string" || typeof text === "number" ? parseQuantity(String(text))?.nanos : undefined;
}

function amounts(list: unknown): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const [k, v] of Object.entries((list ?? {}) as Json)) {
    const n = nanos(v);
    if (n !== undefined) out.set(k, n);
  }
  return out;
}

function addAll(into: Usage, from: Map<string, bigint>): void {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0n) + v);
}

function maxAll(into: Usage, from: Map<string, bigint>): void {
  for (const [k, v] of from) if ((into.get(k) ?? -1n) < v) into.set(k, v);
}

interface ContainerView {
  name?: string;
  restartPolicy?: string;
  resources?: { requests?: Json; limits?: Json };
}

/** A pod's effective requests or limits (regular and sidecar containers add up, init containers count alone, plus overhead). */
export function podResources(pod: Json, which: "requests" | "limits"): Map<string, bigint> {
  const spec = (pod.spec ?? {}) as { containers?: ContainerView[]; initContainers?: ContainerView[]; overhead?: Json };
  const sum: Usage = new Map();
  for (const c of spec.containers ?? []) addAll(sum, amounts(c.resources?.[which]));
  const sidecars: Usage = new Map();
  const initMax: Usage = new Map();
  for (const c of spec.initContainers ?? []) {
    const own = amounts(c.resources?.[which]);
    if (c.restartPolicy === "Always") {
      addAll(sidecars, own);
      maxAll(initMax, sidecars);
    } else {
      const during = new Map(sidecars);
      addAll(during, own);
      maxAll(initMax, during);
    }
  }
  addAll(sum, sidecars);
  maxAll(sum, initMax);
  addAll(sum, amounts(spec.overhead));
  return sum;
}

/** Upstream's podComputeUsageHelper: the quota names a pod's requests and limits count against. */
export function computeUsage(requests: Map<string, bigint>, limits: Map<string, bigint>): Usage {
  const out: Usage = new Map([["pods", ONE]]);
  for (const [k, v] of requests) {
    if (k === "cpu" || k === "memory" || k === "ephemeral-storage") {
      out.set(k, v);
      out.set(`requests.${k}`, v);
    } else if (k.startsWith("hugepages-") || k.includes("/")) out.set(`requests.${k}`, v);
  }
  for (const [k, v] of limits) {
    if (k === "cpu" || k === "memory" || k === "ephemeral-storage") out.set(`limits.${k}`, v);
    else if (k.startsWith("hugepages-")) out.set(`limits.${k}`, v);
  }
  return out;
}

/** Whether a pod still uses compute quota: not Succeeded or Failed, and not past its deletion grace period. */
export function podCountsForQuota(pod: Json, now = Date.now()): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (phase === "Succeeded" || phase === "Failed") return false;
  const meta = (pod.metadata ?? {}) as { deletionTimestamp?: string; deletionGracePeriodSeconds?: number };
  if (meta.deletionTimestamp && meta.deletionGracePeriodSeconds !== undefined) {
    if (now > Date.parse(meta.deletionTimestamp) + meta.deletionGracePeriodSeconds * 1000) return false;
  }
  return true;
}

export function objectCountName(group: string, resource: string): string {
  return group ? `count/${resource}.${group}` : `count/${resource}`;
}

/** Everything `obj` uses, under every quota name that can count it. */
export function usageOf(group: string, resource: string, obj: Json, now = Date.now()): Usage {
  const out: Usage = new Map([[objectCountName(group, resource), ONE]]);
  if (group !== "") return out;
  if (LEGACY_COUNTS.has(resource)) out.set(resource, ONE);
  if (resource === "pods") {
    if (podCountsForQuota(obj, now)) addAll(out, computeUsage(podResources(obj, "requests"), podResources(obj, "limits")));
  } else if (resource === "persistentvolumeclaims") {
    const spec = (obj.spec ?? {}) as { storageClassName?: string; resources?: { requests?: Json } };
    const status = (obj.status ?? {}) as { allocatedResources?: Json };
    const requested = nanos(spec.resources?.requests?.storage) ?? 0n;
    // A claim being resized counts the larger of what it asks for and what was allocated.
    const allocated = nanos(status.allocatedResources?.storage) ?? 0n;
    const storage = requested > allocated ? requested : allocated;
    out.set("requests.storage", storage);
    const cls = spec.storageClassName ?? ((obj.metadata as { annotations?: Record<string, string> } | undefined)?.annotations?.["volume.beta.kubernetes.io/storage-class"] ?? "");
    if (cls) {
      out.set(`${cls}${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`, ONE);
      out.set(`${cls}${STORAGE_CLASS_SUFFIX}requests.storage`, storage);
    }
  } else if (resource === "services") {
    const spec = (obj.spec ?? {}) as { type?: string; ports?: Array<{ nodePort?: number }> };
    const nodePorts = BigInt((spec.ports ?? []).filter((p) => spec.type === "NodePort" || spec.type === "LoadBalancer").length) * ONE;
    if (spec.type === "NodePort" || spec.type === "LoadBalancer") out.set("services.nodeports", nodePorts);
    if (spec.type === "LoadBalancer") out.set("services.loadbalancers", ONE);
  }
  return out;
}

/** Whether a quota name can count objects of this resource (decides which objects the controller lists). */
export function resourceOfQuotaName(name: string): { group: string; resource: string } | undefined {
  if (name.startsWith("count/")) {
    const rest = name.slice("count/".length);
    const dot = rest.indexOf(".");
    return dot < 0 ? { group: "", resource: rest } : { group: rest.slice(dot + 1), resource: rest.slice(0, dot) };
  }
  if (LEGACY_COUNTS.has(name)) return { group: "", resource: name };
  if (name === "pods" || /^(requests|limits)\./.test(name) && !name.includes("storage") || name === "cpu" || name === "memory" || name === "ephemeral-storage") return { group: "", resource: "pods" };
  if (name === "requests.storage" || name.includes(STORAGE_CLASS_SUFFIX)) return { group: "", resource: "persistentvolumeclaims" };
  if (name.startsWith("services.")) return { group: "", resource: "services" };
  if (name === "requests.ephemeral-storage" || name === "limits.ephemeral-storage") return { group: "", resource: "pods" };
  return undefined;
}

// ---------------------------------------------------------------- scopes

interface ScopedSelectorRequirement {
  scopeName?: string;
  operator?: string;
  values?: string[];
}

interface QuotaSpec {
  hard?: Json;
  scopes?: string[];
  scopeSelector?: { matchExpressions?: ScopedSelectorRequirement[] };
}

function podIsTerminating(pod: Json): boolean {
  return (pod.spec as { activeDeadlineSeconds?: number } | undefined)?.activeDeadlineSeconds != null;
}

function podIsBestEffort(pod: Json): boolean {
  const spec = (pod.spec ?? {}) as { containers?: ContainerView[]; initContainers?: ContainerView[] };
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    for (const which of ["requests", "limits"] as const) {
      for (const k of Object.keys(c.resources?.[which] ?? {})) if (k === "cpu" || k === "memory") return false;
    }
  }
  return true;
}

function scopeMatchesPod(req: ScopedSelectorRequirement, pod: Json): boolean {
  switch (req.scopeName) {
    case "Terminating":
      return podIsTerminating(pod);
    case "NotTerminating":
      return !podIsTerminating(pod);
    case "BestEffort":
      return podIsBestEffort(pod);
    case "NotBestEffort":
      return !podIsBestEffort(pod);
    case "PriorityClass": {
      const cls = (pod.spec as { priorityClassName?: string } | undefined)?.priorityClassName ?? "";
      const values = req.values ?? [];
      if (req.operator === "Exists") return cls !== "";
      if (req.operator === "DoesNotExist") return cls === "";
      if (req.operator === "In") return values.includes(cls);
      if (req.operator === "NotIn") return !values.includes(cls);
      return false;
    }
    case "CrossNamespacePodAffinity": {
      const aff = (pod.spec as { affinity?: Record<string, { requiredDuringSchedulingIgnoredDuringExecution?: Array<{ namespaces?: string[]; namespaceSelector?: unknown }>; preferredDuringSchedulingIgnoredDuringExecution?: Array<{ podAffinityTerm?: { namespaces?: string[]; namespaceSelector?: unknown } }> }> } | undefined)?.affinity;
      const terms = [aff?.podAffinity, aff?.podAntiAffinity].flatMap((a) => [...(a?.requiredDuringSchedulingIgnoredDuringExecution ?? []), ...(a?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((p) => p.podAffinityTerm ?? {})]);
      return terms.some((t) => (t.namespaces?.length ?? 0) > 0 || t.namespaceSelector != null);
    }
  }
  return false;
}

/** The scope requirements of a quota: its scopes (as Exists) and its scopeSelector's expressions. */
function requirementsOf(spec: QuotaSpec): ScopedSelectorRequirement[] {
  return [...(spec.scopes ?? []).map((s) => ({ scopeName: s, operator: "Exists" })), ...(spec.scopeSelector?.matchExpressions ?? [])];
}

/** Whether a quota counts this object: unscoped quotas count everything; scoped ones only matching pods. */
export function quotaMatches(quota: Json, group: string, resource: string, obj: Json): boolean {
  const reqs = requirementsOf((quota.spec ?? {}) as QuotaSpec);
  if (reqs.length === 0) return true;
  if (group !== "" || resource !== "pods") return false;
  return reqs.every((r) => scopeMatchesPod(r, obj));
}

/** Whether a scoped quota's limit on `name` can be charged by a pod at all (scoped quotas limit compute and pod counts only). */
export function scopedQuotaTracks(quota: Json, name: string): boolean {
  const reqs = requirementsOf((quota.spec ?? {}) as QuotaSpec);
  if (reqs.length === 0) return true;
  return resourceOfQuotaName(name)?.resource === "pods";
}

/** Names a pod must declare for quotas covering them (upstream's validationSet). */
export const CONTAINER_DECLARED = ["cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"];

/** Upstream's pod Constraints: every container must declare what a quota on cpu or memory covers. */
export function missingDeclarations(pod: Json, required: string[]): string | undefined {
  const wanted = required.filter((r) => CONTAINER_DECLARED.includes(r));
  if (wanted.length === 0) return undefined;
  const spec = (pod.spec ?? {}) as { containers?: ContainerView[]; initContainers?: ContainerView[] };
  const missing = new Map<string, Set<string>>();
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    const has = new Set(computeUsage(amounts(c.resources?.requests), amounts(c.resources?.limits)).keys());
    for (const r of wanted) {
      if (has.has(r)) continue;
      if (!missing.has(r)) missing.set(r, new Set());
      missing.get(r)!.add(c.name ?? "");
    }
  }
  if (missing.size === 0) return undefined;
  const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(",")}`);
  return `must specify ${parts.join("; ")}`;
}
