/**
 * What the proxy programs, read from Services and EndpointSlices (upstream's ServicePort and
 * Endpoint): one entry per Service port with its addresses and policies, and the endpoints of
 * that port merged across the Service's slices. Headless and ExternalName Services have no
 * entry: DNS alone serves them.
 */
import type { V1EndpointSlice, V1Service } from "@kubernetes/client-node";
import type { KubeObject, Wire } from "../apiserver/api/types.ts";
import { isIPv4 } from "../netaddr/index.ts";

export type Service = Wire<V1Service> & KubeObject;
export type EndpointSlice = Wire<V1EndpointSlice> & KubeObject;

export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";
/** Upstream's default sessionAffinityConfig.clientIP.timeoutSeconds (3 hours). */
export const DEFAULT_AFFINITY_SECONDS = 10800;

export interface ServicePort {
  /** "<namespace>/<name>:<port name>" (no ":" for an unnamed port): chain hashes and comments. */
  name: string;
  /** "<namespace>/<name>": the key its slices are found by. */
  service: string;
  portName: string;
  protocol: "TCP" | "UDP" | "SCTP";
  clusterIP: string;
  port: number;
  nodePort: number;
  externalIPs: string[];
  loadBalancerIPs: string[];
  sourceRanges: string[];
  /** ClientIP affinity timeout in seconds; 0 = no affinity. */
  affinitySeconds: number;
  internalLocal: boolean;
  externalLocal: boolean;
}

export interface Endpoint {
  ip: string;
  port: number;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  /** On this proxy's node. */
  local: boolean;
}

/** The Service's ports the proxy programs; none for headless, ExternalName or non-IPv4 Services. */
export function servicePorts(svc: Service): ServicePort[] {
  const spec = svc.spec ?? {};
  const clusterIP = spec.clusterIP ?? "";
  if (spec.type === "ExternalName" || !isIPv4(clusterIP)) return [];
  const ns = svc.metadata?.namespace ?? "";
  const svcName = svc.metadata?.name ?? "";
  const external = (spec.externalIPs ?? []).filter(isIPv4);
  const lbIPs =
    spec.type === "LoadBalancer"
      ? (svc.status?.loadBalancer?.ingress ?? []).filter((i) => i.ip && isIPv4(i.ip) && i.ipMode !== "Proxy").map((i) => i.ip!)
      : [];
  const affinity = spec.sessionAffinity === "ClientIP" ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS) : 0;
  const hasNodePorts = spec.type === "NodePort" || spec.type === "LoadBalancer";
  return (spec.ports ?? []).map((p) => {
    const nodePort = hasNodePorts ? (p.nodePort ?? 0) : 0;
    const externallyAccessible = nodePort > 0 || external.length > 0 || lbIPs.length > 0;
    return {
      name: `${ns}/${svcName}${p.name ? `:${p.name}` : ""}`,
      service: `${ns}/${svcName}`,
      portName: p.name ?? "",
      protocol: (p.protocol ?? "TCP") as ServicePort["protocol"],
      clusterIP,
      port: p.port,
      nodePort,
      externalIPs: external,
      loadBalancerIPs: lbIPs,
      sourceRanges: lbIPs.length ? (spec.loadBalancerSourceRanges ?? []).map((r) => r.trim()).filter(Boolean) : [],
      affinitySeconds: affinity,
      internalLocal: spec.internalTrafficPolicy === "Local",
      externalLocal: externallyAccessible && spec.externalTrafficPolicy === "Local",
    };
  });
}

/**
 * The endpoints of one Service port across its slices: the slice port with the same name and
 * protocol gives the target port; an address in several slices counts once (a ready copy wins).
 */
export function portEndpoints(sp: ServicePort, slices: EndpointSlice[], nodeName: string): Endpoint[] {
  const byAddr = new Map<string, Endpoint>();
  for (const slice of slices) {
    if (slice.addressType !== "IPv4") continue;
    const port = (slice.ports ?? []).find((p) => (p.name ?? "") === sp.portName && (p.protocol ?? "TCP") === sp.protocol);
    if (!port?.port) continue;
    for (const ep of slice.endpoints ?? []) {
      const ip = ep.addresses?.[0];
      if (!ip || !isIPv4(ip)) continue;
      // Unknown conditions mean ready/serving (upstream), terminating means false.
      const ready = ep.conditions?.ready ?? true;
      const e: Endpoint = { ip, port: port.port, ready, serving: ep.conditions?.serving ?? ready, terminating: ep.conditions?.terminating ?? false, local: !!nodeName && ep.nodeName === nodeName };
      const key = `${ip}:${port.port}`;
      const prev = byAddr.get(key);
      if (!prev || (!prev.ready && e.ready)) byAddr.set(key, e);
    }
  }
  // Sorted, so the same set always gives the same rules.
  return [...byAddr.values()].sort((a, b) => compareIp(a.ip, b.ip) || a.port - b.port);
}

function compareIp(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
  return 0;
}

/**
 * Which endpoints traffic may go to (upstream's CategorizeEndpoints without topology hints):
 * ready ones; when none is ready, those still serving while terminating, so connections drain
 * instead of being refused during a rollout. Local is the same among this node's endpoints.
 */
export function usable(eps: Endpoint[]): Endpoint[] {
  const ready = eps.filter((e) => e.ready);
  return ready.length ? ready : eps.filter((e) => e.serving && e.terminating);
}

export interface Categorized {
  /** Endpoints of the Cluster policy chain (empty when no traffic uses that policy). */
  cluster: Endpoint[];
  /** Endpoints of the Local policy chain (empty when no traffic uses that policy). */
  local: Endpoint[];
  /** Whatever this node may send traffic to (for REJECT decisions and conntrack). */
  all: Endpoint[];
}

/** Whether any traffic to the port uses the Cluster policy (upstream's UsesClusterEndpoints). */
export function usesCluster(sp: ServicePort): boolean {
  return !sp.internalLocal || (isExternallyAccessible(sp) && !sp.externalLocal);
}

export function categorize(sp: ServicePort, eps: Endpoint[]): Categorized {
  const cluster = usesCluster(sp) ? usable(eps) : [];
  const local = sp.internalLocal || sp.externalLocal ? usable(eps.filter((e) => e.local)) : [];
  return { cluster, local, all: [...new Set([...cluster, ...local])] };
}

export function isExternallyAccessible(sp: ServicePort): boolean {
  return sp.nodePort > 0 || sp.externalIPs.length > 0 || sp.loadBalancerIPs.length > 0;
}
