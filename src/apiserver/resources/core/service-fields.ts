/**
 * The linked Service fields the server fills in before validation and allocation (upstream's
 * service strategy and REST allocation prep): clusterIP/clusterIPs kept in step, IP families and
 * policy defaulted, allocated values carried across updates, and fields of a previous type
 * dropped when the type changes.
 */
import type { Service } from "./types.ts";

type Spec = NonNullable<Service["spec"]>;

/** This cluster's service families: single-stack IPv4, as kts configures its service CIDR. */
const CLUSTER_FAMILY = "IPv4";

export const isHeadless = (spec: Spec) => spec.clusterIPs?.length === 1 && spec.clusterIPs[0] === "None";
export const needsClusterIP = (spec: Spec) => spec.type !== "ExternalName";
export const needsNodePort = (spec: Spec) => spec.type === "NodePort" || spec.type === "LoadBalancer";
/** upstream's ExternallyAccessible: NodePort, LoadBalancer, or ClusterIP with external IPs. */
export const externallyAccessible = (spec: Spec) =>
  spec.type === "LoadBalancer" || spec.type === "NodePort" || (spec.type === "ClusterIP" && (spec.externalIPs?.length ?? 0) > 0);
export const needsHealthCheck = (spec: Spec) => spec.type === "LoadBalancer" && spec.externalTrafficPolicy === "Local";

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** upstream's NormalizeClusterIPs: an old client sets only clusterIP; clusterIPs follows it. */
export function normalizeClusterIPs(spec: Spec, old?: Spec): void {
  if (!old) {
    if (spec.clusterIP && !spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
    return;
  }
  if (old.clusterIPs?.length && !spec.clusterIPs?.length && old.clusterIP === spec.clusterIP) spec.clusterIPs = old.clusterIPs;
  if ((old.clusterIP ?? "") === (spec.clusterIP ?? "")) return;
  const sameIPs = same(old.clusterIPs, spec.clusterIPs);
  if (old.clusterIP && !spec.clusterIP) {
    if (sameIPs) delete spec.clusterIPs;
  } else if (sameIPs) spec.clusterIPs = [spec.clusterIP!];
}

/**
 * IP families for a new service (or one changing type): ExternalName has none; a headless
 * service without selector may be dual-stack (it allocates nothing); others default to the
 * cluster's family, single-stack.
 */
export function initIPFamilies(spec: Spec): void {
  if (spec.type === "ExternalName") {
    delete spec.clusterIP;
    delete spec.clusterIPs;
    delete spec.ipFamilies;
    delete spec.ipFamilyPolicy;
    return;
  }
  const selectorless = isHeadless(spec) && Object.keys(spec.selector ?? {}).length === 0;
  spec.ipFamilyPolicy ??= selectorless ? "RequireDualStack" : "SingleStack";
  if (!spec.ipFamilies?.length) spec.ipFamilies = [CLUSTER_FAMILY];
  if (selectorless && spec.ipFamilyPolicy !== "SingleStack" && spec.ipFamilies.length === 1) {
    spec.ipFamilies.push(spec.ipFamilies[0] === "IPv4" ? "IPv6" : "IPv4");
  }
}

/** upstream's patchAllocatedValues: an update that omits allocated values keeps them. */
export function keepAllocatedValues(spec: Spec, old: Spec): void {
  if (needsClusterIP(old) && needsClusterIP(spec)) {
    if (!spec.clusterIP && old.clusterIP) spec.clusterIP = old.clusterIP;
    if (!spec.clusterIPs?.length && old.clusterIPs?.length) spec.clusterIPs = [...old.clusterIPs];
  }
  if (needsNodePort(old) && needsNodePort(spec)) {
    const inBoth = new Set((old.ports ?? []).map((p) => p.nodePort).filter((n) => n && (spec.ports ?? []).some((q) => q.nodePort === n)));
    const byName = new Map((old.ports ?? []).map((p) => [p.name ?? "", p.nodePort]));
    for (const p of spec.ports ?? []) {
      const prev = byName.get(p.name ?? "");
      if (!p.nodePort && prev && !inBoth.has(prev)) p.nodePort = prev;
    }
  }
  if (needsHealthCheck(old) && needsHealthCheck(spec) && !spec.healthCheckNodePort) spec.healthCheckNodePort = old.healthCheckNodePort;
}

/** upstream's dropTypeDependentFields: values the old type needed go, unless the user changed them. */
export function dropTypeDependentFields(svc: Service, old: Service): void {
  const spec = svc.spec!;
  const prev = old.spec ?? {};
  if (needsClusterIP(prev) && !needsClusterIP(spec)) {
    if (same(prev.clusterIPs, spec.clusterIPs)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (same(prev.ipFamilies, spec.ipFamilies)) delete spec.ipFamilies;
    if (same(prev.ipFamilyPolicy, spec.ipFamilyPolicy)) delete spec.ipFamilyPolicy;
  }
  if (needsNodePort(prev) && !needsNodePort(spec)) {
    if (same(prev.ports?.map((p) => p.nodePort ?? 0), spec.ports?.map((p) => p.nodePort ?? 0))) for (const p of spec.ports ?? []) delete p.nodePort;
    if (same(prev.healthCheckNodePort, spec.healthCheckNodePort)) delete spec.healthCheckNodePort;
  }
  if (prev.type === "LoadBalancer" && spec.type !== "LoadBalancer") {
    if (spec.allocateLoadBalancerNodePorts != null && spec.allocateLoadBalancerNodePorts === prev.allocateLoadBalancerNodePorts) delete spec.allocateLoadBalancerNodePorts;
    if (same(prev.loadBalancerClass, spec.loadBalancerClass)) delete spec.loadBalancerClass;
  }
  if (externallyAccessible(prev) && !externallyAccessible(spec) && prev.externalTrafficPolicy === spec.externalTrafficPolicy) delete spec.externalTrafficPolicy;
  if (spec.type !== "LoadBalancer") svc.status = { ...svc.status, loadBalancer: {} };
}
