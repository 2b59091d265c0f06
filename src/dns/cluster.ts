/**
 * What the cluster's DNS answers come from: Services, the ready endpoints of their EndpointSlices
 * and the namespaces that exist, kept in indexes the resolver reads on every query (by
 * namespace/name, by ClusterIP and by endpoint IP for PTR). Every change bumps `generation`, which
 * invalidates cached answers.
 */
import { expandIpv6 } from "./wire.ts";

export interface ServicePort {
  name: string;
  port: number;
  /** "TCP", "UDP" or "SCTP". */
  protocol: string;
}

export interface ServiceInfo {
  namespace: string;
  name: string;
  type: string;
  /** ClusterIPs (none for headless and ExternalName Services). */
  clusterIPs: string[];
  headless: boolean;
  externalName?: string;
  ports: ServicePort[];
}

export interface EndpointInfo {
  ip: string;
  /** endpoints[].hostname (pods with hostname+subdomain, StatefulSet pods). */
  hostname?: string;
}

export interface SliceInfo {
  namespace: string;
  name: string;
  /** The kubernetes.io/service-name label. */
  service: string;
  /** Ports of the slice; a slice with none has the sentinel port -1 (names, no SRV). */
  ports: ServicePort[];
  /** Ready endpoints only (a missing ready condition counts as ready, as the API says). */
  endpoints: EndpointInfo[];
}

/** IPv6 addresses in one spelling (eight full groups) so that any notation finds them. */
export function ipKey(ip: string): string {
  if (!ip.includes(":")) return ip;
  const groups = expandIpv6(ip);
  return groups ? groups.map((g) => g.toString(16).padStart(4, "0")).join(":") : ip.toLowerCase();
}

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}

export class ClusterState {
  private readonly services = new Map<string, ServiceInfo>();
  private readonly servicesByIP = new Map<string, Set<ServiceInfo>>();
  private readonly slices = new Map<string, SliceInfo>();
  private readonly slicesByService = new Map<string, Set<SliceInfo>>();
  private readonly slicesByIP = new Map<string, Set<SliceInfo>>();
  private readonly namespaces = new Set<string>();
  private listeners: Array<() => void> = [];
  /** Bumped by every change. */
  generation = 0;
  /** Unix seconds of the last change: the SOA serial. */
  serial = Math.floor(Date.now() / 1000);
  synced = false;

  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  private changed(): void {
    this.generation++;
    this.serial = Math.max(this.serial, Math.floor(Date.now() / 1000));
    for (const fn of this.listeners) fn();
  }

  setService(svc: ServiceInfo): void {
    this.dropService(`${svc.namespace}/${svc.name}`);
    this.services.set(`${svc.namespace}/${svc.name}`, svc);
    for (const ip of svc.clusterIPs) addTo(this.servicesByIP, ipKey(ip), svc);
    this.changed();
  }

  deleteService(namespace: string, name: string): void {
    if (this.dropService(`${namespace}/${name}`)) this.changed();
  }

  private dropService(key: string): boolean {
    const old = this.services.get(key);
    if (!old) return false;
    this.services.delete(key);
    for (const ip of old.clusterIPs) removeFrom(this.servicesByIP, ipKey(ip), old);
    return true;
  }

  setSlice(slice: SliceInfo): void {
    this.dropSlice(`${slice.namespace}/${slice.name}`);
    this.slices.set(`${slice.namespace}/${slice.name}`, slice);
    addTo(this.slicesByService, `${slice.namespace}/${slice.service}`, slice);
    for (const ep of slice.endpoints) addTo(this.slicesByIP, ipKey(ep.ip), slice);
    this.changed();
  }

  deleteSlice(namespace: string, name: string): void {
    if (this.dropSlice(`${namespace}/${name}`)) this.changed();
  }

  private dropSlice(key: string): boolean {
    const old = this.slices.get(key);
    if (!old) return false;
    this.slices.delete(key);
    removeFrom(this.slicesByService, `${old.namespace}/${old.service}`, old);
    for (const ep of old.endpoints) removeFrom(this.slicesByIP, ipKey(ep.ip), old);
    return true;
  }

  setNamespace(name: string): void {
    if (this.namespaces.has(name)) return;
    this.namespaces.add(name);
    this.changed();
  }

  deleteNamespace(name: string): void {
    if (this.namespaces.delete(name)) this.changed();
  }

  namespaceExists(name: string): boolean {
    return this.namespaces.has(name);
  }

  service(namespace: string, name: string): ServiceInfo | undefined {
    return this.services.get(`${namespace}/${name}`);
  }

  /** The slices of a Service (its ready endpoints, with their ports). */
  slicesOf(namespace: string, name: string): Iterable<SliceInfo> {
    return this.slicesByService.get(`${namespace}/${name}`) ?? [];
  }

  servicesWithIP(ip: string): Iterable<ServiceInfo> {
    return this.servicesByIP.get(ipKey(ip)) ?? [];
  }

  slicesWithIP(ip: string): Iterable<SliceInfo> {
    return this.slicesByIP.get(ipKey(ip)) ?? [];
  }
}
