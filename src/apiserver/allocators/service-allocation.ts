/**
 * ClusterIP and NodePort allocation for Services, attached to the service definition's strategy:
 * values are taken before the write, given back if the write fails, kept across updates that do
 * not name them (as upstream's service REST does), and released when the service is deleted or
 * stops needing them.
 */
import type { FieldError } from "../api/errors.ts";
import type { KubeObject } from "../api/types.ts";
import type { ResourceDefinition, Strategy } from "../registry/definition.ts";
import type { IpAllocator } from "./ip.ts";
import type { PortAllocator } from "./ports.ts";
import { errors } from "../api/errors.ts";

interface ServicePort {
  name?: string;
  port?: number;
  protocol?: string;
  nodePort?: number;
}

interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: ServicePort[];
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
}

const specOf = (obj: KubeObject | undefined): ServiceSpec => ((obj?.spec as ServiceSpec | undefined) ?? {});
const needsClusterIP = (spec: ServiceSpec) => spec.type !== "ExternalName" && spec.clusterIP !== "None";
const needsNodePorts = (spec: ServiceSpec) => spec.type === "NodePort" || spec.type === "LoadBalancer";

export class ServiceAllocation {
  constructor(
    readonly ips: IpAllocator,
    readonly ports: PortAllocator,
  ) {}

  /** Marks the values of services already stored as taken. */
  load(services: KubeObject[]): void {
    for (const svc of services) {
      const spec = specOf(svc);
      if (spec.clusterIP && spec.clusterIP !== "None") this.ips.claim(spec.clusterIP);
      for (const p of spec.ports ?? []) if (p.nodePort) this.ports.claim(p.nodePort);
    }
  }

  /** The service definition with allocation added to its strategy. */
  wrap(def: ResourceDefinition): ResourceDefinition {
    const base: Strategy = def.strategy ?? {};
    const strategy: Strategy = {
      ...base,
      beforeWrite: async (obj, old, ctx) => {
        const undoBase = await base.beforeWrite?.(obj, old, ctx);
        try {
          const undo = this.assign(obj, old);
          return async () => {
            undo();
            await undoBase?.();
          };
        } catch (err) {
          await undoBase?.();
          throw err;
        }
      },
      afterDelete: async (obj) => {
        this.releaseAll(obj);
        await base.afterDelete?.(obj);
      },
    };
    return { ...def, strategy };
  }

  /** Gives `obj` its ClusterIP and NodePorts; returns how to undo exactly what was done. */
  assign(obj: KubeObject, old: KubeObject | undefined): () => void {
    const spec = specOf(obj);
    const prev = specOf(old);
    const claimedIps: string[] = [];
    const claimedPorts: number[] = [];
    const releasedIps: string[] = [];
    const releasedPorts: number[] = [];
    const undo = () => {
      claimedIps.forEach((ip) => this.ips.release(ip));
      claimedPorts.forEach((p) => this.ports.release(p));
      releasedIps.forEach((ip) => this.ips.claim(ip));
      releasedPorts.forEach((p) => this.ports.claim(p));
    };
    try {
      this.assignClusterIP(obj, spec, prev, claimedIps, releasedIps);
      this.assignNodePorts(obj, spec, prev, claimedPorts, releasedPorts);
    } catch (err) {
      undo();
      throw err;
    }
    return undo;
  }

  private assignClusterIP(obj: KubeObject, spec: ServiceSpec, prev: ServiceSpec, claimed: string[], released: string[]): void {
    const prevIp = prev.clusterIP && prev.clusterIP !== "None" ? prev.clusterIP : undefined;
    if (!needsClusterIP(spec)) {
      if (spec.type === "ExternalName") {
        delete spec.clusterIP;
        delete spec.clusterIPs;
      } else spec.clusterIPs = ["None"];
      if (prevIp) {
        this.ips.release(prevIp);
        released.push(prevIp);
      }
      return;
    }
    // An update that does not name the IP keeps the one it had.
    if (!spec.clusterIP && prevIp) spec.clusterIP = prevIp;
    if (spec.clusterIP && spec.clusterIP === prevIp) {
      spec.clusterIPs = [spec.clusterIP];
      return;
    }
    if (prevIp) {
      this.ips.release(prevIp);
      released.push(prevIp);
    }
    if (spec.clusterIP) {
      const ip = spec.clusterIP;
      if (!this.ips.range.contains(ip) || !this.ips.isUsable(ip)) {
        throw this.invalid(obj, [{ type: "FieldValueInvalid", field: "spec.clusterIPs", value: [ip], detail: `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${this.ips.range.cidr}` }]);
      }
      if (!this.ips.claim(ip)) {
        throw this.invalid(obj, [{ type: "FieldValueInvalid", field: "spec.clusterIPs", value: [ip], detail: `failed to allocate IP ${ip}: provided IP is already allocated` }]);
      }
      claimed.push(ip);
    } else {
      const ip = this.ips.allocate();
      if (!ip) throw errors.internal(`failed to allocate a serviceIP: range is full`);
      spec.clusterIP = ip;
      claimed.push(ip);
    }
    spec.clusterIPs = [spec.clusterIP];
    spec.ipFamilies ??= ["IPv4"];
    spec.ipFamilyPolicy ??= "SingleStack";
  }

  private assignNodePorts(obj: KubeObject, spec: ServiceSpec, prev: ServiceSpec, claimed: number[], released: number[]): void {
    const prevPorts = new Set((prev.ports ?? []).map((p) => p.nodePort).filter((p): p is number => !!p));
    const keep = new Set<number>();
    if (needsNodePorts(spec)) {
      const problems: FieldError[] = [];
      (spec.ports ?? []).forEach((port, i) => {
        if (!port.nodePort) {
          // An update that drops nodePort keeps the one this port had.
          const same = (prev.ports ?? []).find((p) => p.port === port.port && (p.protocol ?? "TCP") === (port.protocol ?? "TCP") && p.nodePort);
          if (same?.nodePort && !keep.has(same.nodePort)) port.nodePort = same.nodePort;
        }
        if (port.nodePort) {
          const n = port.nodePort;
          if (prevPorts.has(n) && !keep.has(n)) {
            keep.add(n);
            return;
          }
          if (!this.ports.range.contains(n)) {
            problems.push({ type: "FieldValueInvalid", field: `spec.ports[${i}].nodePort`, value: n, detail: `provided port is not in the valid range. The range of valid ports is ${this.ports.range}` });
          } else if (!this.ports.claim(n)) {
            problems.push({ type: "FieldValueInvalid", field: `spec.ports[${i}].nodePort`, value: n, detail: "provided port is already allocated" });
          } else claimed.push(n);
          keep.add(n);
          return;
        }
        const n = this.ports.allocate();
        if (!n) throw errors.internal("failed to allocate a nodePort: range is full");
        port.nodePort = n;
        claimed.push(n);
        keep.add(n);
      });
      if (problems.length) throw this.invalid(obj, problems);
    } else {
      for (const port of spec.ports ?? []) delete port.nodePort;
    }
    for (const p of prevPorts) {
      if (!keep.has(p)) {
        this.ports.release(p);
        released.push(p);
      }
    }
  }

  private releaseAll(obj: KubeObject): void {
    const spec = specOf(obj);
    if (spec.clusterIP && spec.clusterIP !== "None") this.ips.release(spec.clusterIP);
    for (const p of spec.ports ?? []) if (p.nodePort) this.ports.release(p.nodePort);
  }

  private invalid(obj: KubeObject, problems: FieldError[]): Error {
    return errors.invalid({ resource: "services", kind: "Service", name: obj.metadata?.name }, problems);
  }
}
