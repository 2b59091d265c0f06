/**
 * Writing node taints (upstream's controller utils AddOrUpdateTaintOnNode, RemoveTaintOffNode,
 * SwapNodeControllerTaint): read the live node, change spec.taints, write it back, retrying on
 * conflicts. NoExecute taints the controller adds carry timeAdded.
 */
import type { Client } from "../../client/index.ts";
import type { Node, Taint } from "../common/types.ts";
import { isApiError, NODES, rfc3339 } from "../common/types.ts";
import { sameTaint, TAINT_DISK_PRESSURE, TAINT_MEMORY_PRESSURE, TAINT_NETWORK_UNAVAILABLE, TAINT_NOT_READY, TAINT_PID_PRESSURE, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE } from "../common/taints.ts";
import { condition } from "./node-health.ts";

const RETRIES = 5;

export const NOT_READY_NO_EXECUTE: Taint = { key: TAINT_NOT_READY, effect: "NoExecute" };
export const UNREACHABLE_NO_EXECUTE: Taint = { key: TAINT_UNREACHABLE, effect: "NoExecute" };

/** Applies the change to the live node; false when the node is gone. */
export async function changeTaints(client: Client, name: string, add: Taint[], remove: Taint[], now: number): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    let node: Node;
    try {
      node = (await client.get(NODES, "", name)) as Node;
    } catch (err) {
      if (isApiError(err, 404)) return false;
      throw err;
    }
    const current = node.spec?.taints ?? [];
    let next = current.filter((t) => !remove.some((r) => sameTaint(r, t)));
    for (const a of add) {
      const held = next.find((t) => sameTaint(t, a));
      if (held && (held.value ?? "") === (a.value ?? "")) continue;
      next = next.filter((t) => !sameTaint(t, a));
      next.push(a.effect === "NoExecute" ? { ...a, timeAdded: rfc3339(now) } : { ...a });
    }
    if (JSON.stringify(next) === JSON.stringify(current)) return true;
    node.spec = { ...node.spec, taints: next.length > 0 ? next : undefined };
    try {
      await client.update(NODES, "", node);
      return true;
    } catch (err) {
      if (isApiError(err, 404)) return false;
      if (!isApiError(err, 409) || attempt >= RETRIES) throw err;
    }
  }
}

/** The condition-driven NoSchedule taints a node should carry (TaintNodesByCondition) and cordoning. */
export function desiredNoScheduleTaints(node: Node): Taint[] {
  const out: Taint[] = [];
  const ready = condition(node, "Ready")?.status;
  if (ready === "False") out.push({ key: TAINT_NOT_READY, effect: "NoSchedule" });
  else if (ready === "Unknown") out.push({ key: TAINT_UNREACHABLE, effect: "NoSchedule" });
  const byCondition: Array<[string, string]> = [
    ["MemoryPressure", TAINT_MEMORY_PRESSURE],
    ["DiskPressure", TAINT_DISK_PRESSURE],
    ["NetworkUnavailable", TAINT_NETWORK_UNAVAILABLE],
    ["PIDPressure", TAINT_PID_PRESSURE],
  ];
  for (const [type, key] of byCondition) if (condition(node, type)?.status === "True") out.push({ key, effect: "NoSchedule" });
  if (node.spec?.unschedulable) out.push({ key: TAINT_UNSCHEDULABLE, effect: "NoSchedule" });
  return out;
}

/** Every NoSchedule taint this controller manages (the ones it may remove). */
export const MANAGED_NO_SCHEDULE_KEYS = [TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_MEMORY_PRESSURE, TAINT_DISK_PRESSURE, TAINT_NETWORK_UNAVAILABLE, TAINT_PID_PRESSURE, TAINT_UNSCHEDULABLE];
