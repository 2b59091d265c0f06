/**
 * Resource requests and limits as Docker cgroup settings, with the kubelet's arithmetic: CPU
 * requests become shares (1 CPU = 1024, at least 2), CPU limits a CFS quota over a 100 ms period
 * (at least 1 ms), memory limits a hard limit with swap off; the OOM score follows the QoS class.
 */
import type Docker from "dockerode";
import { readFileSync } from "node:fs";
import type { Container, Pod } from "../runtime/index.ts";
import { milliValue, wholeValue } from "../runtime/index.ts";

type HostConfig = NonNullable<Docker.ContainerCreateOptions["HostConfig"]>;

const CPU_PERIOD = 100_000;
const MIN_SHARES = 2;
const MIN_QUOTA = 1000;

export type QOSClass = "Guaranteed" | "Burstable" | "BestEffort";

/** upstream ComputePodQOS over cpu and memory of init and regular containers. */
export function qosClass(pod: Pod): QOSClass {
  let anySet = false;
  let guaranteed = true;
  const reqs = new Map<string, number>();
  const lims = new Map<string, number>();
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    const r = (c.resources?.requests ?? {}) as Record<string, string>;
    const l = (c.resources?.limits ?? {}) as Record<string, string>;
    for (const name of ["cpu", "memory"]) {
      const rv = r[name] !== undefined ? milliValue(r[name]) : 0;
      const lv = l[name] !== undefined ? milliValue(l[name]) : 0;
      if (rv > 0) reqs.set(name, (reqs.get(name) ?? 0) + rv);
      if (lv > 0) lims.set(name, (lims.get(name) ?? 0) + lv);
      if (rv > 0 || lv > 0) anySet = true;
      if (lv <= 0) guaranteed = false;
    }
  }
  if (!anySet) return "BestEffort";
  if (guaranteed) for (const [k, v] of reqs) if (lims.get(k) !== v) guaranteed = false;
  return guaranteed && reqs.size === lims.size ? "Guaranteed" : "Burstable";
}

/** upstream GetContainerOOMScoreAdjust. */
export function oomScoreAdj(pod: Pod, c: Container, memoryCapacity: number): number {
  const qos = qosClass(pod);
  if (qos === "Guaranteed") return -997;
  if (qos === "BestEffort") return 1000;
  const req = wholeValue(((c.resources?.requests ?? {}) as Record<string, string>).memory ?? "0");
  let adj = 1000 - Math.floor((1000 * req) / Math.max(1, memoryCapacity));
  if (adj < 3) adj = 3;
  if (adj === 1000) adj = 999;
  return adj;
}

export function resourceHostConfig(pod: Pod, c: Container, memoryCapacity: number, negativeOomAllowed: boolean): Partial<HostConfig> {
  const req = (c.resources?.requests ?? {}) as Record<string, string>;
  const lim = (c.resources?.limits ?? {}) as Record<string, string>;
  const out: Partial<HostConfig> = {};
  const cpuReq = req.cpu !== undefined ? milliValue(req.cpu) : lim.cpu !== undefined ? milliValue(lim.cpu) : 0;
  out.CpuShares = Math.max(MIN_SHARES, Math.floor((cpuReq * 1024) / 1000));
  if (lim.cpu !== undefined) {
    out.CpuPeriod = CPU_PERIOD;
    out.CpuQuota = Math.max(MIN_QUOTA, Math.floor((milliValue(lim.cpu) * CPU_PERIOD) / 1000));
  }
  if (lim.memory !== undefined) {
    out.Memory = wholeValue(lim.memory);
    out.MemorySwap = out.Memory;
  }
  const adj = oomScoreAdj(pod, c, memoryCapacity);
  // A negative score needs CAP_SYS_RESOURCE, which some sandboxes lack: then leave it at 0.
  if (adj >= 0 || negativeOomAllowed) out.OomScoreAdj = adj;
  return out;
}

/** Whether this process may lower OOM scores (CAP_SYS_RESOURCE): Docker runs with the same rights here. */
export function canLowerOomScore(): boolean {
  try {
    const status = readFileSync("/proc/self/status", "utf8");
    const m = /CapEff:\s*([0-9a-f]+)/.exec(status);
    return m ? (BigInt(`0x${m[1]}`) & (1n << 24n)) !== 0n : false;
  } catch {
    return false;
  }
}
