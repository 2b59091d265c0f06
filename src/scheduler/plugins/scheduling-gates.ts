/** SchedulingGates: a pod with spec.schedulingGates is not tried until they are all removed. */
import type { ClusterEvent, PreEnqueuePlugin } from "../framework.ts";
import type { PodInfo } from "../pod-info.ts";
import { type Result, Status } from "../status.ts";

export class SchedulingGates implements PreEnqueuePlugin {
  readonly name = "SchedulingGates";
  readonly events: ClusterEvent[] = ["Pod/UpdatePodSchedulingGatesEliminated"];

  preEnqueue(pod: PodInfo): Result {
    const gates = pod.pod.spec?.schedulingGates ?? [];
    if (gates.length === 0) return null;
    return Status.unresolvable(`waiting for scheduling gates: [${gates.map((g) => g.name).join(" ")}]`);
  }
}
