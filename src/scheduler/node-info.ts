/**
 * One node as the scheduler sees it (upstream's framework.NodeInfo): the Node, what its pods
 * (bound and assumed) already request, their host ports and the images it holds. Kept up to date incrementally by the cache; never rebuilt per pod.
 */
import type { Labels, Node, Taint } from "./api.ts";
import { BIND_ALL_HOST_IP, type HostPort, type PodInfo } from "./pod-info.ts";
import { addResource, cloneResource, emptyResource, nodeAllocatable, type Resource } from "./resources.ts";

const NO_LABELS: Labels = {};

export class NodeInfo {
  node: Node | null = null;
  labels: Labels = NO_LABELS;
  taints: Taint[] = [];
  unschedulable = false;
  allocatable: Resource = emptyResource();
  allowedPods = 0;
  requested: Resource = emptyResource();
  nonZeroCpu = 0;
  nonZeroMemory = 0;
  pods: PodInfo[] = [];
  /** "protocol/port" → host IPs using it. */
  usedPorts = new Map<string, string[]>();
  /** Normalized image name → size in bytes. */
  images = new Map<string, number>();
  /** Bumped on every change. */
  generation = 0;

  constructor(readonly name: string) {}

  setNode(node: Node): void {
    this.node = node;
    this.labels = node.metadata?.labels ?? NO_LABELS;
    this.taints = node.spec?.taints ?? [];
    this.unschedulable = node.spec?.unschedulable === true;
    const alloc = nodeAllocatable(node.status?.allocatable as Record<string, unknown> | undefined);
    this.allocatable = alloc.resource;
    this.allowedPods = alloc.pods;
    this.generation++;
  }

  addPod(p: PodInfo): void {
    this.pods.push(p);
    this.account(p, 1);
  }

  /** Removes the pod with this UID; false when it is not here. */
  removePod(uid: string): boolean {
    const i = this.pods.findIndex((p) => p.uid === uid);
    if (i < 0) return false;
    const p = this.pods[i]!;
    this.pods.splice(i, 1);
    this.account(p, -1);
    return true;
  }

  private account(p: PodInfo, sign: 1 | -1): void {
    addResource(this.requested, p.requests, sign);
    this.nonZeroCpu += sign * p.nonZeroCpu;
    this.nonZeroMemory += sign * p.nonZeroMemory;
    for (const hp of p.ports) {
      const k = `${hp.protocol}/${hp.port}`;
      const ips = this.usedPorts.get(k) ?? [];
      if (sign > 0) ips.push(hp.ip);
      else {
        const i = ips.indexOf(hp.ip);
        if (i >= 0) ips.splice(i, 1);
      }
      if (ips.length > 0) this.usedPorts.set(k, ips);
      else this.usedPorts.delete(k);
    }
    this.generation++;
  }

  /** upstream's HostPortInfo.CheckConflict: 0.0.0.0 conflicts with every address on the same protocol and port. */
  portConflict(hp: HostPort): boolean {
    const ips = this.usedPorts.get(`${hp.protocol}/${hp.port}`);
    if (!ips || ips.length === 0) return false;
    if (hp.ip === BIND_ALL_HOST_IP) return true;
    return ips.includes(hp.ip) || ips.includes(BIND_ALL_HOST_IP);
  }

  /** A copy whose pod list and totals can change without touching this one (preemption's dry runs). */
  clone(): NodeInfo {
    const c = new NodeInfo(this.name);
    c.node = this.node;
    c.labels = this.labels;
    c.taints = this.taints;
    c.unschedulable = this.unschedulable;
    c.allocatable = this.allocatable;
    c.allowedPods = this.allowedPods;
    c.requested = cloneResource(this.requested);
    c.nonZeroCpu = this.nonZeroCpu;
    c.nonZeroMemory = this.nonZeroMemory;
    c.pods = [...this.pods];
    c.usedPorts = new Map([...this.usedPorts].map(([k, v]) => [k, [...v]]));
    c.images = this.images;
    c.generation = this.generation;
    return c;
  }
}
