/**
 * Zones and eviction pacing (upstream's zone states and RateLimitedTimedQueue): nodes are grouped
 * by region and zone labels; a zone where every node is not ready is in full disruption, one
 * with more than two and at least 55% not ready in partial disruption. NoExecute taints are added
 * through a per-zone token bucket (0.1 per second, burst 1); partial disruption slows it (to 0
 * in small zones), and when every zone is fully disrupted no pods are evicted at all — the
 * problem is then more likely the control plane's view than the nodes.
 */
import type { Node } from "../common/types.ts";

export type ZoneState = "Initial" | "Normal" | "PartialDisruption" | "FullDisruption";

export function zoneKey(node: Node): string {
  const labels = node.metadata?.labels ?? {};
  const region = labels["topology.kubernetes.io/region"] ?? labels["failure-domain.beta.kubernetes.io/region"] ?? "";
  const zone = labels["topology.kubernetes.io/zone"] ?? labels["failure-domain.beta.kubernetes.io/zone"] ?? "";
  return region === "" && zone === "" ? "" : `${region}:\x00:${zone}`;
}

/** The zone's state from its nodes' Ready statuses (undefined: never reported). */
export function computeZoneState(readyStatuses: Array<string | undefined>, unhealthyThreshold: number): ZoneState {
  const ready = readyStatuses.filter((s) => s === "True").length;
  const notReady = readyStatuses.length - ready;
  if (ready === 0 && notReady > 0) return "FullDisruption";
  if (notReady > 2 && notReady / readyStatuses.length >= unhealthyThreshold) return "PartialDisruption";
  return "Normal";
}

/** A token bucket with burst 1; a rate of 0 never grants. */
export class TokenBucket {
  private tokens = 1;
  private last: number;

  constructor(
    private qps: number,
    now: number,
  ) {
    this.last = now;
  }

  setRate(qps: number, now: number): void {
    if (qps === this.qps) return;
    this.qps = qps;
    this.tokens = qps > 0 ? 1 : 0;
    this.last = now;
  }

  tryAccept(now: number): boolean {
    if (this.qps <= 0) return false;
    this.tokens = Math.min(1, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Nodes waiting for their NoExecute taint in one zone, in the order they were queued. */
export class ZoneTainter {
  readonly queue = new Set<string>();

  constructor(readonly limiter: TokenBucket) {}
}
