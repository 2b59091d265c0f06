/**
 * Resource amounts as plain numbers (milli-CPU, bytes, counts), computed once per pod and node so
 * that filters and scores compare numbers, never quantity strings. Pod requests follow upstream's
 * resourcehelper.PodRequests: regular containers add up, sidecars (restartable init containers)
 * add up and stay for the init containers after them, each init container needs its own amount
 * plus the sidecars started before it, the pod needs the larger of the two, plus pod overhead.
 */
import { parseQuantity, quantityText } from "../apiserver/validation/quantity.ts";
import type { Container, Pod } from "./api.ts";

export const CPU = "cpu";
export const MEMORY = "memory";
export const EPHEMERAL_STORAGE = "ephemeral-storage";
export const PODS_RESOURCE = "pods";

/** Upstream's defaults for containers that request no CPU / memory, used by scoring only. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export interface Resource {
  milliCpu: number;
  memory: number;
  ephemeralStorage: number;
  /** Extended resources, hugepages and other scalar resources; null when none. */
  scalar: Map<string, number> | null;
}

export function emptyResource(): Resource {
  return { milliCpu: 0, memory: 0, ephemeralStorage: 0, scalar: null };
}

export function cloneResource(r: Resource): Resource {
  return { milliCpu: r.milliCpu, memory: r.memory, ephemeralStorage: r.ephemeralStorage, scalar: r.scalar ? new Map(r.scalar) : null };
}

const NANO_PER_UNIT = 1_000_000_000n;
const NANO_PER_MILLI = 1_000_000n;
const parsed = new Map<string, { units: number; millis: number }>();

/** A quantity as whole units and milli-units, rounded up as Quantity.Value()/MilliValue() do; memoized. */
function amounts(v: unknown): { units: number; millis: number } {
  const text = quantityText(v) ?? "0";
  let hit = parsed.get(text);
  if (!hit) {
    const q = parseQuantity(text);
    const nanos = q?.nanos ?? 0n;
    hit = { units: Number(ceilDiv(nanos, NANO_PER_UNIT)), millis: Number(ceilDiv(nanos, NANO_PER_MILLI)) };
    if (parsed.size < 10_000) parsed.set(text, hit);
  }
  return hit;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  if (a <= 0n) return a / b;
  return (a + b - 1n) / b;
}

/** A quantity's whole units, rounded up (Quantity.Value()). */
export function quantityValue(v: unknown): number {
  return amounts(v).units;
}

/** upstream's schedutil.IsScalarResourceName: extended, hugepages, prefixed native and attachable volumes. */
export function isScalarResource(name: string): boolean {
  return name.includes("/") || name.startsWith("hugepages-") || name.startsWith("attachable-volumes-");
}

/** upstream's v1helper.IsExtendedResourceName: outside kubernetes.io, with a domain, not a quota "requests." name. */
export function isExtendedResource(name: string): boolean {
  if (!name.includes("/") || name.startsWith("requests.")) return false;
  const domain = name.slice(0, name.indexOf("/"));
  return !(domain === "kubernetes.io" || domain.endsWith(".kubernetes.io"));
}

function addTo(r: Resource, name: string, v: unknown, sign = 1): void {
  switch (name) {
    case CPU:
      r.milliCpu += sign * amounts(v).millis;
      return;
    case MEMORY:
      r.memory += sign * amounts(v).units;
      return;
    case EPHEMERAL_STORAGE:
      r.ephemeralStorage += sign * amounts(v).units;
      return;
    default:
      if (!isScalarResource(name)) return;
      r.scalar ??= new Map();
      r.scalar.set(name, (r.scalar.get(name) ?? 0) + sign * amounts(v).units);
  }
}

/** Adds a ResourceList (name → quantity) to `r`. */
export function addList(r: Resource, list: Record<string, unknown> | undefined | null): void {
  if (!list) return;
  for (const name in list) addTo(r, name, list[name]);
}

export function addResource(r: Resource, other: Resource, sign = 1): void {
  r.milliCpu += sign * other.milliCpu;
  r.memory += sign * other.memory;
  r.ephemeralStorage += sign * other.ephemeralStorage;
  if (other.scalar) {
    r.scalar ??= new Map();
    for (const [k, v] of other.scalar) r.scalar.set(k, (r.scalar.get(k) ?? 0) + sign * v);
  }
}

function maxResource(r: Resource, other: Resource): void {
  r.milliCpu = Math.max(r.milliCpu, other.milliCpu);
  r.memory = Math.max(r.memory, other.memory);
  r.ephemeralStorage = Math.max(r.ephemeralStorage, other.ephemeralStorage);
  if (other.scalar) {
    r.scalar ??= new Map();
    for (const [k, v] of other.scalar) r.scalar.set(k, Math.max(r.scalar.get(k) ?? 0, v));
  }
}

function containerRequests(c: Container, withDefaults: boolean): Resource {
  const r = emptyResource();
  const requests = c.resources?.requests as Record<string, unknown> | undefined;
  addList(r, requests);
  if (withDefaults) {
    if (!requests || !(CPU in requests)) r.milliCpu += DEFAULT_MILLI_CPU_REQUEST;
    if (!requests || !(MEMORY in requests)) r.memory += DEFAULT_MEMORY_REQUEST;
  }
  return r;
}

/**
 * What the pod needs on a node. `withDefaults` fills containers that request no CPU or memory
 * with upstream's scoring defaults (NonMissingContainerRequests).
 */
export function podRequests(pod: Pod, withDefaults = false): Resource {
  const spec = pod.spec;
  const reqs = emptyResource();
  if (!spec) return reqs;
  for (const c of spec.containers ?? []) addResource(reqs, containerRequests(c, withDefaults));
  const sidecars = emptyResource();
  const initMax = emptyResource();
  for (const c of spec.initContainers ?? []) {
    const own = containerRequests(c, withDefaults);
    if (c.restartPolicy === "Always") {
      addResource(reqs, own);
      addResource(sidecars, own);
      maxResource(initMax, sidecars);
    } else {
      addResource(own, sidecars);
      maxResource(initMax, own);
    }
  }
  maxResource(reqs, initMax);
  addList(reqs, spec.overhead as Record<string, unknown> | undefined);
  return reqs;
}

/** A node's allocatable resources and pod count (status.allocatable). */
export function nodeAllocatable(allocatable: Record<string, unknown> | undefined): { resource: Resource; pods: number } {
  const resource = emptyResource();
  let pods = 0;
  for (const name in allocatable ?? {}) {
    if (name === PODS_RESOURCE) pods = amounts(allocatable![name]).units;
    else addTo(resource, name, allocatable![name]);
  }
  return { resource, pods };
}
