/**
 * Node health as the node lifecycle controller tracks it (upstream's tryUpdateNodeHealth): when
 * the controller last heard from a node — a new Ready heartbeat or a renewed Lease in
 * kube-node-lease — and, once that is older than the grace period, the node's conditions turned
 * Unknown ("Kubelet stopped posting node status.").
 */
import type { Lease, Node } from "../common/types.ts";
import { rfc3339, timeOf } from "../common/types.ts";

type NodeCondition = NonNullable<NonNullable<Node["status"]>["conditions"]>[number];

/** What the controller remembers of a node between passes (nodeHealthData). */
export interface NodeHealth {
  /** The Ready condition last seen. */
  readyCondition?: NodeCondition;
  /** When the controller last heard from the node. */
  probeTimestamp: number;
  readyTransitionTimestamp: number;
  leaseRenewTime?: number;
}

export interface HealthResult {
  /** The Ready condition as the node reported it (a fabricated Unknown one if it never did). */
  observedReady: NodeCondition;
  /** The Ready condition after this pass (Unknown once the grace period passed). */
  currentReady?: NodeCondition;
  /** The node with its conditions turned Unknown, when its status must be written. */
  updatedNode?: Node;
  health: NodeHealth;
}

/** Conditions the controller turns Unknown (NetworkUnavailable is the network plugin's). */
const MANAGED_CONDITIONS = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];

export function condition(node: Node, type: string): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === type);
}

export interface HealthTiming {
  now: number;
  /** --node-monitor-grace-period (40 s in 1.32). */
  gracePeriodMs: number;
  /** --node-startup-grace-period (60 s): for nodes that never reported. */
  startupGracePeriodMs: number;
}

export function updateNodeHealth(node: Node, lease: Lease | undefined, saved: NodeHealth | undefined, t: HealthTiming): HealthResult {
  const created = timeOf(node.metadata?.creationTimestamp);
  const reported = condition(node, "Ready");
  let gracePeriod = t.gracePeriodMs;
  let observedReady: NodeCondition;
  let health = saved;
  if (!reported) {
    const stamp = node.metadata?.creationTimestamp;
    observedReady = { type: "Ready", status: "Unknown", lastHeartbeatTime: stamp, lastTransitionTime: stamp };
    gracePeriod = t.startupGracePeriodMs;
    health = saved ? { ...saved, readyCondition: undefined } : { probeTimestamp: created, readyTransitionTimestamp: created };
  } else {
    observedReady = { ...reported };
  }
  const savedReady = saved?.readyCondition;
  if (!health) {
    health = { readyCondition: reported, probeTimestamp: t.now, readyTransitionTimestamp: t.now };
  } else if (!savedReady && reported) {
    // The controller restarted, or the node reported for the first time.
    health = { readyCondition: reported, probeTimestamp: t.now, readyTransitionTimestamp: t.now, leaseRenewTime: health.leaseRenewTime };
  } else if (savedReady && reported && savedReady.lastHeartbeatTime !== reported.lastHeartbeatTime) {
    const transition = savedReady.lastTransitionTime !== reported.lastTransitionTime ? t.now : health.readyTransitionTimestamp;
    health = { readyCondition: reported, probeTimestamp: t.now, readyTransitionTimestamp: transition, leaseRenewTime: health.leaseRenewTime };
  }
  // A renewed Lease is a heartbeat too (kubelets renew it every 10 s and post status less often).
  const renewed = timeOf(lease?.spec?.renewTime);
  if (lease && renewed && (health.leaseRenewTime === undefined || health.leaseRenewTime < renewed)) {
    health = { ...health, leaseRenewTime: renewed, probeTimestamp: t.now };
  }
  if (t.now <= health.probeTimestamp + gracePeriod) return { observedReady, currentReady: reported, health };

  const next = structuredClone(node);
  const conditions = ((next.status ??= {}).conditions ??= []);
  const stamp = rfc3339(t.now);
  for (const type of MANAGED_CONDITIONS) {
    const c = conditions.find((x) => x.type === type);
    if (!c) {
      conditions.push({ type, status: "Unknown", reason: "NodeStatusNeverUpdated", message: "Kubelet never posted node status.", lastHeartbeatTime: node.metadata?.creationTimestamp, lastTransitionTime: stamp });
    } else if (c.status !== "Unknown") {
      c.status = "Unknown";
      c.reason = "NodeStatusUnknown";
      c.message = "Kubelet stopped posting node status.";
      c.lastTransitionTime = stamp;
    }
  }
  const currentReady = conditions.find((c) => c.type === "Ready");
  if (JSON.stringify(currentReady) === JSON.stringify(observedReady)) return { observedReady, currentReady, health };
  return { observedReady, currentReady, updatedNode: next, health: { ...health, readyCondition: currentReady, readyTransitionTimestamp: t.now } };
}
