/**
 * The READY, STATUS and RESTARTS cells of `kubectl get pods`, as upstream's printPod computes
 * them (1.32): init progress ("Init:1/3"), container waiting/terminated reasons
 * ("CrashLoopBackOff", "Completed", "ExitCode:1"), sidecars counted as containers, and
 * "Terminating" for pods being deleted.
 */
import type { V1ContainerStatus } from "@kubernetes/client-node";
import type { Wire } from "../../api/types.ts";
import { humanDuration } from "../printing.ts";
import type { Container, Pod } from "./types.ts";

type ContainerStatus = Wire<V1ContainerStatus>;

export interface PodCells {
  ready: string;
  status: string;
  restarts: string;
}

/** The reason kubelet sets on pods of an unreachable node (upstream's NodeUnreachablePodReason). */
const NODE_LOST = "NodeLost";

interface Tally {
  reason: string;
  readyContainers: number;
  restarts: number;
  /** Milliseconds of the latest restart seen, 0 for none. */
  lastRestart: number;
}

const isSidecar = (c: Container | undefined) => c?.restartPolicy === "Always";

function finishedAt(s: ContainerStatus): number {
  const t = s.lastState?.terminated?.finishedAt;
  return t ? Date.parse(t) || 0 : 0;
}

function conditionTrue(pod: Pod, type: string): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === type && c.status === "True");
}

/** upstream: the PodInitialized condition, looked up once (the first of that type decides). */
function initializedConditionTrue(pod: Pod): boolean {
  const c = (pod.status?.conditions ?? []).find((x) => x.type === "Initialized");
  return c?.status === "True";
}

export function podCells(pod: Pod, now: number): PodCells {
  const spec = pod.spec ?? { containers: [] };
  const initSpecs = new Map((spec.initContainers ?? []).map((c) => [c.name, c]));
  const total = (spec.containers ?? []).length + (spec.initContainers ?? []).filter(isSidecar).length;
  let reason = pod.status?.reason || pod.status?.phase || "";
  if ((pod.status?.conditions ?? []).some((c) => c.type === "PodScheduled" && c.reason === "SchedulingGated")) reason = "SchedulingGated";
  const tally: Tally = { reason, readyContainers: 0, restarts: 0, lastRestart: 0 };
  const sidecars = { restarts: 0, lastRestart: 0 };
  const initializing = tallyInitContainers(pod, initSpecs, tally, sidecars);
  if (!initializing || initializedConditionTrue(pod)) {
    tally.restarts = sidecars.restarts;
    tally.lastRestart = sidecars.lastRestart;
    tallyContainers(pod, tally);
  }
  if (pod.metadata?.deletionTimestamp && pod.status?.reason === NODE_LOST) tally.reason = "Unknown";
  else if (pod.metadata?.deletionTimestamp && pod.status?.phase !== "Succeeded" && pod.status?.phase !== "Failed") tally.reason = "Terminating";
  const restarts = tally.restarts !== 0 && tally.lastRestart !== 0 ? `${tally.restarts} (${humanDuration(now - tally.lastRestart)} ago)` : String(tally.restarts);
  return { ready: `${tally.readyContainers}/${total}`, status: tally.reason, restarts };
}

/** Walks init containers in order; returns whether the pod is still initializing. */
function tallyInitContainers(pod: Pod, specs: Map<string, Container>, tally: Tally, sidecars: { restarts: number; lastRestart: number }): boolean {
  const statuses = pod.status?.initContainerStatuses ?? [];
  const count = pod.spec?.initContainers?.length ?? 0;
  for (let i = 0; i < statuses.length; i++) {
    const s = statuses[i]!;
    tally.restarts += s.restartCount ?? 0;
    tally.lastRestart = Math.max(tally.lastRestart, finishedAt(s));
    const sidecar = isSidecar(specs.get(s.name));
    if (sidecar) {
      sidecars.restarts += s.restartCount ?? 0;
      sidecars.lastRestart = Math.max(sidecars.lastRestart, finishedAt(s));
    }
    const terminated = s.state?.terminated;
    const waiting = s.state?.waiting;
    if (terminated && (terminated.exitCode ?? 0) === 0) continue;
    if (sidecar && s.started) {
      if (s.ready) tally.readyContainers++;
      continue;
    }
    if (terminated) {
      if (terminated.reason) tally.reason = `Init:${terminated.reason}`;
      else tally.reason = terminated.signal ? `Init:Signal:${terminated.signal}` : `Init:ExitCode:${terminated.exitCode ?? 0}`;
    } else if (waiting?.reason && waiting.reason !== "PodInitializing") tally.reason = `Init:${waiting.reason}`;
    else tally.reason = `Init:${i}/${count}`;
    return true;
  }
  return false;
}

/** Walks regular containers from the last to the first, as upstream does (the first one's reason wins). */
function tallyContainers(pod: Pod, tally: Tally): void {
  const statuses = pod.status?.containerStatuses ?? [];
  let hasRunning = false;
  for (let i = statuses.length - 1; i >= 0; i--) {
    const s = statuses[i]!;
    tally.restarts += s.restartCount ?? 0;
    tally.lastRestart = Math.max(tally.lastRestart, finishedAt(s));
    const { waiting, terminated, running } = s.state ?? {};
    if (waiting?.reason) tally.reason = waiting.reason;
    else if (terminated?.reason) tally.reason = terminated.reason;
    else if (terminated) tally.reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
    else if (s.ready && running) {
      hasRunning = true;
      tally.readyContainers++;
    }
  }
  // A pod with a container still running is not "Completed".
  if (tally.reason === "Completed" && hasRunning) tally.reason = conditionTrue(pod, "Ready") ? "Running" : "NotReady";
}

/** The READINESS GATES cell: "<true gates>/<gates>", or "<none>". */
export function readinessGatesCell(pod: Pod): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (!gates.length) return "<none>";
  const conditions = pod.status?.conditions ?? [];
  const trueCount = gates.filter((g) => conditions.find((c) => c.type === g.conditionType)?.status === "True").length;
  return `${trueCount}/${gates.length}`;
}
