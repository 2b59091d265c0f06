/**
 * What the agent remembers about a pod between syncs, beyond what Docker and the API hold: probe
 * workers per container instance, why containers wait (the kubelet's reason cache), mounted
 * volumes, and the status last written. All of it can be lost (an agent restart) and rebuilt.
 */
import type { ContainerProbes } from "../probes/index.ts";
import type { MountedVolume } from "../volumes/index.ts";

export interface Waiting {
  reason: string;
  message: string;
}

export class PodState {
  readonly probes = new Map<string, ContainerProbes>();
  /** container name → why it is not running (CrashLoopBackOff, ErrImagePull, CreateContainerConfigError, …). */
  readonly waiting = new Map<string, Waiting>();
  /** container id → termination message (exited containers never change). */
  readonly messages = new Map<string, string>();
  volumes?: Map<string, MountedVolume>;
  volumesAt = 0;
  lastStatus?: string;
  /** Set when the pod must fail (eviction, active deadline): reason and message for its status. */
  failed?: Waiting;

  constructor(readonly uid: string) {}

  stopProbes(except: Set<string> = new Set()): void {
    for (const [id, p] of this.probes) {
      if (except.has(id)) continue;
      p.stop();
      this.probes.delete(id);
    }
  }
}
