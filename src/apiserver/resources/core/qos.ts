/**
 * A pod's QoS class (upstream's qos.ComputePodQOS), set in status.qosClass when a pod is created:
 * Guaranteed when every container limits cpu and memory and requests equal limits, BestEffort
 * when nothing requests or limits cpu or memory, Burstable otherwise.
 */
import { parseQuantity } from "../../validation/quantity.ts";
import type { Pod, ResourceList } from "./types.ts";

const QOS_RESOURCES = ["cpu", "memory"];

/** Adds the positive cpu/memory amounts of `list` into `sums`; returns the names it found. */
function addPositive(list: ResourceList | undefined, sums: Map<string, bigint>): Set<string> {
  const found = new Set<string>();
  for (const [name, text] of Object.entries(list ?? {})) {
    if (!QOS_RESOURCES.includes(name)) continue;
    const q = parseQuantity(String(text));
    if (!q || q.nanos <= 0n) continue;
    found.add(name);
    sums.set(name, (sums.get(name) ?? 0n) + q.nanos);
  }
  return found;
}

export function podQOSClass(pod: Pod): "Guaranteed" | "Burstable" | "BestEffort" {
  const requests = new Map<string, bigint>();
  const limits = new Map<string, bigint>();
  let guaranteed = true;
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  for (const c of containers) {
    addPositive(c.resources?.requests, requests);
    const limited = addPositive(c.resources?.limits, limits);
    if (!QOS_RESOURCES.every((r) => limited.has(r))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return "BestEffort";
  if (guaranteed) {
    for (const [name, req] of requests) if (limits.get(name) !== req) guaranteed = false;
  }
  return guaranteed && requests.size === limits.size ? "Guaranteed" : "Burstable";
}
