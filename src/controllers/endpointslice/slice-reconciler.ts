/**
 * Bringing a set of EndpointSlices to the endpoints they should hold (what upstream's
 * endpointslice reconciler does for both the EndpointSlice and the mirroring controller):
 * endpoints are grouped by address type and port set; an endpoint stays in the slice that
 * already holds it, new ones fill slices with room, then new slices of at most 100; slices left
 * empty are deleted. Only slices whose content changed are written, so a steady Service causes
 * no writes.
 */
import type { Client } from "../../client/index.ts";
import { canonicalJson } from "../common/equal.ts";
import { LAST_CHANGE_TRIGGER_TIME } from "../common/endpoints.ts";
import { copy, ENDPOINT_SLICES, isApiError, type EndpointSlice, type OwnerReference, type SlicePort } from "../common/types.ts";

export type SliceEndpoint = NonNullable<EndpointSlice["endpoints"]>[number];

export interface DesiredGroup {
  addressType: string;
  ports: SlicePort[];
  endpoints: SliceEndpoint[];
}

export interface SliceOwner {
  namespace: string;
  /** Slices are named "<prefix><random>". */
  generateName: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  ownerRef: OwnerReference;
  /** The change time to stamp on written slices. */
  triggerTime?: string;
  maxEndpointsPerSlice: number;
  /** Keep one empty slice per address type when there are no endpoints (Services with selectors). */
  placeholder: boolean;
}

export interface ReconcileResult {
  created: number;
  updated: number;
  deleted: number;
  /** Slices written (name → resourceVersion) and deleted, for the staleness check of the next sync. */
  written: Map<string, string>;
  removed: string[];
}

function endpointKey(e: SliceEndpoint): string {
  return `${e.addresses[0] ?? ""}|${e.targetRef?.uid ?? ""}`;
}

function sortedPorts(ports: SlicePort[] | null | undefined): SlicePort[] {
  return [...(ports ?? [])].sort((a, b) => (a.name ?? "").localeCompare(b.name ?? "") || (a.port ?? 0) - (b.port ?? 0));
}

function groupKey(addressType: string, ports: SlicePort[] | null | undefined): string {
  return `${addressType}|${canonicalJson(sortedPorts(ports))}`;
}

function withoutTrigger(annotations: Record<string, string> | undefined): Record<string, string> {
  const out = { ...annotations };
  delete out[LAST_CHANGE_TRIGGER_TIME];
  return out;
}

/** A slice as it should be written: content plus the owner's metadata. */
interface Planned {
  existing?: EndpointSlice;
  addressType: string;
  ports: SlicePort[];
  endpoints: SliceEndpoint[];
}

function plan(groups: DesiredGroup[], existing: EndpointSlice[], max: number): { planned: Planned[]; orphans: EndpointSlice[] } {
  const byGroup = new Map<string, EndpointSlice[]>();
  for (const s of existing) {
    const k = groupKey(s.addressType, s.ports);
    byGroup.set(k, [...(byGroup.get(k) ?? []), s]);
  }
  const planned: Planned[] = [];
  const used = new Set<EndpointSlice>();
  for (const g of groups) {
    const k = groupKey(g.addressType, g.ports);
    const slices = byGroup.get(k) ?? [];
    const desired = new Map(g.endpoints.map((e) => [endpointKey(e), e]));
    const placed = new Set<string>();
    const mine: Planned[] = slices.map((s) => {
      used.add(s);
      const kept: SliceEndpoint[] = [];
      for (const e of s.endpoints ?? []) {
        const key = endpointKey(e);
        const want = desired.get(key);
        if (want && !placed.has(key) && kept.length < max) {
          kept.push(want);
          placed.add(key);
        }
      }
      return { existing: s, addressType: g.addressType, ports: sortedPorts(g.ports), endpoints: kept };
    });
    const rest = g.endpoints.filter((e) => !placed.has(endpointKey(e)));
    for (const p of mine) while (rest.length > 0 && p.endpoints.length < max) p.endpoints.push(rest.shift()!);
    while (rest.length > 0) mine.push({ addressType: g.addressType, ports: sortedPorts(g.ports), endpoints: rest.splice(0, max) });
    if (g.endpoints.length === 0) {
      // A placeholder group keeps (or makes) exactly one empty slice.
      const keep = mine.find((p) => p.existing) ?? { addressType: g.addressType, ports: [], endpoints: [] };
      planned.push(keep);
      for (const p of mine) if (p !== keep && p.existing) used.delete(p.existing);
      continue;
    }
    for (const p of mine) {
      if (p.endpoints.length > 0) planned.push(p);
      else if (p.existing) used.delete(p.existing);
    }
  }
  return { planned, orphans: existing.filter((s) => !used.has(s)) };
}

function sliceBody(owner: SliceOwner, p: Planned): EndpointSlice {
  const base: EndpointSlice = p.existing ? copy<EndpointSlice>(p.existing) : { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", metadata: { generateName: owner.generateName, namespace: owner.namespace }, addressType: p.addressType, endpoints: [] };
  base.metadata = { ...base.metadata, labels: { ...owner.labels }, ownerReferences: [owner.ownerRef] };
  const annotations = { ...owner.annotations };
  if (owner.triggerTime) annotations[LAST_CHANGE_TRIGGER_TIME] = owner.triggerTime;
  base.metadata.annotations = Object.keys(annotations).length > 0 ? annotations : undefined;
  base.endpoints = p.endpoints;
  if (p.ports.length > 0) base.ports = p.ports;
  else delete base.ports;
  return base;
}

function unchanged(owner: SliceOwner, p: Planned): boolean {
  const s = p.existing;
  if (!s) return false;
  return (
    canonicalJson(s.endpoints ?? []) === canonicalJson(p.endpoints) &&
    canonicalJson(sortedPorts(s.ports)) === canonicalJson(p.ports) &&
    canonicalJson(s.metadata?.labels ?? {}) === canonicalJson(owner.labels) &&
    canonicalJson(withoutTrigger(s.metadata?.annotations)) === canonicalJson(owner.annotations) &&
    s.metadata?.ownerReferences?.[0]?.uid === owner.ownerRef.uid
  );
}

export async function reconcileSlices(client: Client, owner: SliceOwner, groups: DesiredGroup[], existing: EndpointSlice[]): Promise<ReconcileResult> {
  let effective = groups;
  if (owner.placeholder && groups.every((g) => g.endpoints.length === 0)) {
    effective = [...new Set(groups.map((g) => g.addressType))].map((addressType) => ({ addressType, ports: [], endpoints: [] }));
  } else effective = groups.filter((g) => g.endpoints.length > 0);
  const { planned, orphans } = plan(effective, existing, owner.maxEndpointsPerSlice);
  const result: ReconcileResult = { created: 0, updated: 0, deleted: 0, written: new Map(), removed: [] };
  for (const p of planned) {
    if (unchanged(owner, p)) continue;
    const body = sliceBody(owner, p);
    const saved = p.existing ? await client.update(ENDPOINT_SLICES, owner.namespace, body) : await client.create(ENDPOINT_SLICES, owner.namespace, body);
    if (p.existing) result.updated++;
    else result.created++;
    result.written.set(saved.metadata!.name!, saved.metadata!.resourceVersion!);
  }
  for (const s of orphans) {
    try {
      await client.delete(ENDPOINT_SLICES, owner.namespace, s.metadata!.name!);
      result.deleted++;
    } catch (err) {
      if (!isApiError(err, 404)) throw err;
    }
    result.removed.push(s.metadata!.name!);
  }
  return result;
}

/**
 * Remembers what each sync wrote, so the next sync waits until the slice cache shows it
 * (upstream's endpointSliceTracker): acting on a stale cache would create duplicate slices.
 */
export class SliceTracker {
  private readonly pending = new Map<string, { written: Map<string, string>; removed: string[] }>();

  record(key: string, r: ReconcileResult): void {
    if (r.written.size === 0 && r.removed.length === 0) this.pending.delete(key);
    else this.pending.set(key, { written: r.written, removed: r.removed });
  }

  /** True while the cache lacks a slice the last sync wrote, or still has one it deleted. */
  stale(key: string, cached: (name: string) => EndpointSlice | undefined): boolean {
    const p = this.pending.get(key);
    if (!p) return false;
    for (const [name, rv] of p.written) {
      const s = cached(name);
      if (!s || BigInt(s.metadata?.resourceVersion ?? "0") < BigInt(rv)) return true;
    }
    for (const name of p.removed) if (cached(name)) return true;
    this.pending.delete(key);
    return false;
  }

  forget(key: string): void {
    this.pending.delete(key);
  }
}
