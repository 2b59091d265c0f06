/**
 * Endpoints subsets in canonical form (upstream's endpoints.RepackSubsets): addresses that offer
 * exactly the same ports share one subset; an address ready on any port counts as ready there.
 * Addresses sort by IP then pod UID. Upstream orders ports and subsets by a hash of their Go
 * values; kts sorts them by name and port, and subsets by their first address.
 */
import type { EndpointAddress, EndpointPort, Endpoints } from "../common/types.ts";

export type Subset = NonNullable<Endpoints["subsets"]>[number];

function addressKey(a: EndpointAddress): string {
  return `${a.ip}|${a.targetRef?.uid ?? ""}`;
}

function portKey(p: EndpointPort | undefined): string {
  return p ? JSON.stringify([p.name ?? "", p.port, p.protocol ?? "TCP", p.appProtocol ?? ""]) : "";
}

function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  return a.ip === b.ip ? (a.targetRef?.uid ?? "").localeCompare(b.targetRef?.uid ?? "") : a.ip < b.ip ? -1 : 1;
}

function comparePorts(a: EndpointPort, b: EndpointPort): number {
  return (a.name ?? "").localeCompare(b.name ?? "") || a.port - b.port || (a.protocol ?? "").localeCompare(b.protocol ?? "");
}

export function repackSubsets(subsets: Subset[]): Subset[] {
  const addresses = new Map<string, EndpointAddress>();
  const ports = new Map<string, EndpointPort | undefined>();
  /** port key → address key → ready */
  const byPort = new Map<string, Map<string, boolean>>();
  const note = (port: EndpointPort | undefined, addr: EndpointAddress, ready: boolean) => {
    const pk = portKey(port);
    ports.set(pk, port);
    const ak = addressKey(addr);
    if (!addresses.has(ak)) addresses.set(ak, addr);
    let set = byPort.get(pk);
    if (!set) byPort.set(pk, (set = new Map()));
    if (!set.get(ak)) set.set(ak, ready);
  };
  for (const s of subsets) {
    const list = (s.ports ?? []).length > 0 ? s.ports! : [undefined];
    for (const port of list) {
      for (const a of s.addresses ?? []) note(port, a, true);
      for (const a of s.notReadyAddresses ?? []) note(port, a, false);
    }
  }
  // Group ports by the exact set of (address, ready) they map to.
  const groups = new Map<string, { set: Map<string, boolean>; ports: EndpointPort[] }>();
  for (const [pk, set] of byPort) {
    const key = JSON.stringify([...set].sort());
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { set, ports: [] }));
    const port = ports.get(pk);
    if (port) g.ports.push(port);
  }
  const out: Subset[] = [];
  for (const g of groups.values()) {
    const ready: EndpointAddress[] = [];
    const notReady: EndpointAddress[] = [];
    for (const [ak, isReady] of g.set) (isReady ? ready : notReady).push(addresses.get(ak)!);
    const subset: Subset = {};
    if (ready.length > 0) subset.addresses = ready.sort(compareAddresses);
    if (notReady.length > 0) subset.notReadyAddresses = notReady.sort(compareAddresses);
    if (g.ports.length > 0) subset.ports = g.ports.sort(comparePorts);
    out.push(subset);
  }
  const first = (s: Subset) => (s.addresses ?? s.notReadyAddresses ?? [])[0]?.ip ?? "";
  return out.sort((a, b) => first(a).localeCompare(first(b)));
}
