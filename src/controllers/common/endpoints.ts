/**
 * What the endpoints and EndpointSlice controllers share (upstream's endpointslice utils and
 * podutil.FindPort): which pods a Service selects, which belong in its endpoints, the port a
 * Service port reaches on each pod (named target ports resolved per pod), the address of the
 * right family, and the endpoints.kubernetes.io/last-change-trigger-time bookkeeping.
 */
import type { Informer, InformerHandlers } from "../../client/index.ts";
import { BY_NAMESPACE, objectKey } from "../../client/index.ts";
import { isPodReady, isPodTerminal } from "./pods.ts";
import { as, rfc3339Nano, timeOf, type EndpointPort, type Pod, type Service } from "./types.ts";

export const LAST_CHANGE_TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time";
export const HEADLESS_LABEL = "service.kubernetes.io/headless";

type ServicePort = NonNullable<NonNullable<Service["spec"]>["ports"]>[number];

/** Services with a selector manage their endpoints; ExternalName Services have none. */
export function managesEndpoints(svc: Service): boolean {
  return svc.spec?.type !== "ExternalName" && svc.spec?.selector != null;
}

function selectorMatches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** The pods a Service's selector picks (a Service selector is a plain map, never empty-means-all in practice). */
export function selectedPods(svc: Service, pods: Informer): Pod[] {
  const selector = svc.spec?.selector ?? {};
  return pods
    .byIndex(BY_NAMESPACE, svc.metadata?.namespace ?? "")
    .map((p) => as<Pod>(p))
    .filter((p) => selectorMatches(selector, p.metadata?.labels));
}

/** The Services (in the pod's namespace) whose selector matches the pod's labels. */
export function servicesSelecting(labels: Record<string, string> | undefined, namespace: string, services: Informer): Service[] {
  return services
    .byIndex(BY_NAMESPACE, namespace)
    .map((s) => as<Service>(s))
    .filter((s) => managesEndpoints(s) && selectorMatches(s.spec!.selector!, labels));
}

/**
 * Pod events as the Services to look at again: those selecting the pod, and on an update also
 * those that selected it before (its labels may have moved it from one Service to another).
 */
export function podEventsToServices(services: Informer, enqueue: (serviceKey: string) => void): InformerHandlers {
  const changed = (pod: Pod, old?: Pod) => {
    const ns = pod.metadata?.namespace ?? "";
    const keys = new Set(servicesSelecting(pod.metadata?.labels, ns, services).map(objectKey));
    if (old) for (const s of servicesSelecting(old.metadata?.labels, ns, services)) keys.add(objectKey(s));
    for (const key of keys) enqueue(key);
  };
  return {
    add: (obj) => changed(as<Pod>(obj)),
    update: (old, cur) => changed(as<Pod>(cur), as<Pod>(old)),
    delete: (obj) => changed(as<Pod>(obj)),
  };
}

/** ShouldPodBeInEndpoints: not finished, has an IP, and (unless terminating pods count) not being deleted. */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (!pod.status?.podIP && (pod.status?.podIPs ?? []).length === 0) return false;
  return includeTerminating || !pod.metadata?.deletionTimestamp;
}

/** ShouldSetHostname: the pod names this Service as its subdomain. */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return Boolean(pod.spec?.hostname) && pod.spec?.subdomain === svc.metadata?.name && pod.metadata?.namespace === svc.metadata?.namespace;
}

/** podutil.FindPort: the container port a Service port reaches on this pod, or undefined. */
export function findPort(pod: Pod, port: ServicePort): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === "number") return target;
  if (/^\d+$/.test(target)) return Number.parseInt(target, 10);
  const protocol = port.protocol ?? "TCP";
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? "TCP") === protocol) return p.containerPort;
  }
  // Sidecars (restartable init containers) serve ports too.
  for (const c of pod.spec?.initContainers ?? []) {
    if (c.restartPolicy !== "Always") continue;
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? "TCP") === protocol) return p.containerPort;
  }
  return undefined;
}

/** A Service port as an endpoint port on this pod (its target resolved), or undefined when the pod lacks it. */
export function endpointPort(pod: Pod, sp: ServicePort): EndpointPort | undefined {
  const port = findPort(pod, sp);
  if (port === undefined) return undefined;
  return { name: sp.name, port, protocol: sp.protocol ?? "TCP", ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) };
}

/** The reference from an endpoint to its pod. */
export function podTargetRef(pod: Pod): { kind: "Pod"; namespace?: string; name?: string; uid?: string } {
  return { kind: "Pod", namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid };
}

/**
 * An endpoint's conditions: serving is the pod's readiness, terminating its deletion; ready is
 * serving and not terminating, or always with publishNotReadyAddresses (the Endpoints object's
 * addresses versus notReadyAddresses, the slice's conditions.ready).
 */
export function endpointConditions(pod: Pod, svc: Service): { ready: boolean; serving: boolean; terminating: boolean } {
  const serving = isPodReady(pod);
  const terminating = Boolean(pod.metadata?.deletionTimestamp);
  return { ready: svc.spec?.publishNotReadyAddresses === true || (serving && !terminating), serving, terminating };
}

export function isIPv6(ip: string): boolean {
  return ip.includes(":");
}

/** The Service's address families as EndpointSlice address types (IPv4 unless it says otherwise). */
export function addressTypes(svc: Service): Array<"IPv4" | "IPv6"> {
  const families = svc.spec?.ipFamilies ?? [];
  if (families.length === 0) return [svc.spec?.clusterIP && svc.spec.clusterIP !== "None" && isIPv6(svc.spec.clusterIP) ? "IPv6" : "IPv4"];
  return families.map((f) => (f === "IPv6" ? "IPv6" : "IPv4"));
}

/** The pod's IPs of one family. */
export function podIPs(pod: Pod, family: "IPv4" | "IPv6"): string[] {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter(Boolean);
  if (ips.length === 0 && pod.status?.podIP) ips.push(pod.status.podIP);
  return ips.filter((ip) => isIPv6(ip) === (family === "IPv6"));
}

/** When a pod last changed in a way endpoints see: its readiness transition, else its creation. */
function podTriggerTime(pod: Pod): number {
  const ready = pod.status?.conditions?.find((c) => c.type === "Ready");
  return timeOf(ready?.lastTransitionTime) || timeOf(pod.metadata?.creationTimestamp);
}

/** A pod's state as endpoints see it: a change means a new trigger time. */
function podState(pod: Pod): string {
  return JSON.stringify([pod.status?.podIPs ?? pod.status?.podIP, isPodReady(pod), Boolean(pod.metadata?.deletionTimestamp), pod.spec?.hostname, pod.spec?.nodeName, pod.metadata?.labels]);
}

/**
 * upstream's TriggerTimeTracker: the earliest change time among the pods (and the Service) that
 * changed since the last sync of the Service, for the last-change-trigger-time annotation.
 */
export class TriggerTimeTracker {
  private readonly seen = new Map<string, { service: string; pods: Map<string, string> }>();

  compute(key: string, svc: Service, pods: Pod[]): number | undefined {
    const prev = this.seen.get(key);
    const svcState = JSON.stringify(svc.spec);
    const next = { service: svcState, pods: new Map<string, string>() };
    let min: number | undefined;
    const consider = (t: number) => {
      if (t && (min === undefined || t < min)) min = t;
    };
    for (const pod of pods) {
      const state = podState(pod);
      const podKey = pod.metadata?.name ?? "";
      next.pods.set(podKey, state);
      if (prev?.pods.get(podKey) !== state) consider(podTriggerTime(pod));
    }
    if (!prev || prev.service !== svcState) consider(timeOf(svc.metadata?.creationTimestamp));
    this.seen.set(key, next);
    return min;
  }

  forget(key: string): void {
    this.seen.delete(key);
  }
}

export function triggerTimeText(ms: number): string {
  return rfc3339Nano(ms);
}
