/**
 * One pass of the DaemonSet controller over one DaemonSet (upstream's daemon_controller manage,
 * syncNodes, rollingUpdate and updateDaemonSetStatus): a pod on every node that should run one,
 * none elsewhere, failed pods replaced with backoff, and the template rolled out node by node
 * within maxUnavailable, or surging with maxSurge.
 */
import type { Client, EventRecorder } from "../../client/index.ts";
import type { DaemonSet, Node, Pod, PodTemplateSpec } from "../common/types.ts";
import type { Expectations } from "../common/expectations.ts";
import { newControllerRef } from "../common/controller-ref.ts";
import { CONTROLLER_REVISION_HASH } from "../common/history.ts";
import { scaledValue } from "../common/int-or-percent.ts";
import { PodControl, isNamespaceTerminating, podFromTemplate } from "../common/pod-control.ts";
import { isPodAvailable, isPodReady } from "../common/pods.ts";
import { slowStartBatch } from "../common/slow-start.ts";
import { timeOf } from "../common/types.ts";
import { addTolerations, pinToNode, shouldRun } from "./placement.ts";

export const TEMPLATE_GENERATION = "pod-template-generation";
const TEMPLATE_GENERATION_ANNOTATION = "deprecated.daemonset.template.generation";
/** Upstream's BurstReplicas for DaemonSets. */
const BURST = 250;

export interface SyncDeps {
  client: Client;
  recorder: EventRecorder;
  podControl: PodControl;
  expectations: Expectations;
  backoff: FailedPodBackoff;
  requeueAfter(ms: number): void;
  now(): number;
}

/** Per (DaemonSet, node) backoff for replacing failed pods: 1 s doubling to 15 min. */
export class FailedPodBackoff {
  private readonly entries = new Map<string, { delay: number; at: number }>();

  /** The time left in the key's backoff, or 0. */
  remaining(key: string, now: number): number {
    const e = this.entries.get(key);
    return e ? Math.max(0, e.at + e.delay - now) : 0;
  }

  next(key: string, now: number): void {
    const e = this.entries.get(key);
    const delay = !e || now - e.at > 2 * 900_000 ? 1000 : Math.min(e.delay * 2, 900_000);
    this.entries.set(key, { delay, at: now });
  }
}

function templateGeneration(ds: DaemonSet): string | undefined {
  return ds.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
}

/** IsPodUpdated: the pod carries the current hash, or the current template generation. */
export function isPodUpdated(ds: DaemonSet, pod: Pod, hash: string): boolean {
  const labels = pod.metadata?.labels ?? {};
  const gen = templateGeneration(ds);
  return (hash !== "" && labels[CONTROLLER_REVISION_HASH] === hash) || (gen !== undefined && labels[TEMPLATE_GENERATION] === gen);
}

/** Oldest first; among pods created together, running before not (podByCreationTimestampAndPhase). */
function byAge(a: Pod, b: Pod): number {
  const d = timeOf(a.metadata?.creationTimestamp) - timeOf(b.metadata?.creationTimestamp);
  if (d !== 0) return d;
  const ra = a.status?.phase === "Running" ? 0 : 1;
  const rb = b.status?.phase === "Running" ? 0 : 1;
  return ra - rb || (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? "");
}

export const allowsSurge = (ds: DaemonSet): boolean => (ds.spec?.updateStrategy?.type ?? "RollingUpdate") === "RollingUpdate" && scaledValue(ds.spec?.updateStrategy?.rollingUpdate?.maxSurge as string | number | undefined, 1, true) > 0;

export class DaemonSetSync {
  constructor(
    private readonly deps: SyncDeps,
    private readonly ds: DaemonSet,
    private readonly nodes: Node[],
    /** The DaemonSet's pods by target node. */
    private readonly byNode: Map<string, Pod[]>,
    private readonly key: string,
  ) {}

  private get ns(): string {
    return this.ds.metadata?.namespace ?? "";
  }

  /** manage: create where missing, delete where unwanted, failed or doubled. */
  async manage(hash: string): Promise<void> {
    const create: string[] = [];
    const remove: string[] = [];
    for (const node of this.nodes) {
      const r = this.podsShouldBeOnNode(node, hash);
      create.push(...r.create);
      remove.push(...r.remove);
    }
    // Unscheduled pods for nodes that no longer exist.
    const known = new Set(this.nodes.map((n) => n.metadata?.name));
    for (const [node, pods] of this.byNode) {
      if (known.has(node)) continue;
      for (const p of pods) if (!p.spec?.nodeName && !p.metadata?.deletionTimestamp) remove.push(p.metadata!.name!);
    }
    await this.syncNodes(remove, create, hash);
  }

  private podsShouldBeOnNode(node: Node, hash: string): { create: string[]; remove: string[] } {
    const name = node.metadata!.name!;
    const { run, keep } = shouldRun(node, this.ds);
    const pods = this.byNode.get(name);
    const create: string[] = [];
    const remove: string[] = [];
    if (run && !pods) create.push(name);
    else if (keep) {
      const running: Pod[] = [];
      for (const p of pods ?? []) {
        if (p.metadata?.deletionTimestamp) continue;
        if (p.status?.phase === "Failed") {
          // A kubelet refusing the pod should not turn into a hot create/delete loop.
          const bkey = `${this.key}/${name}`;
          const now = this.deps.now();
          const wait = this.deps.backoff.remaining(bkey, now);
          if (wait > 0) {
            this.deps.requeueAfter(wait);
            continue;
          }
          this.deps.backoff.next(bkey, now);
          this.deps.recorder.event(this.ds, "Warning", "FailedDaemonPod", `Found failed daemon pod ${this.ns}/${p.metadata?.name} on node ${name}, will try to kill it`);
          remove.push(p.metadata!.name!);
        } else if (p.status?.phase === "Succeeded") remove.push(p.metadata!.name!);
        else running.push(p);
      }
      running.sort(byAge);
      if (!allowsSurge(this.ds)) {
        // One pod per node: all but the oldest go.
        for (const p of running.slice(1)) remove.push(p.metadata!.name!);
      } else if (running.length > 1) {
        remove.push(...this.surgeExcess(running, hash));
      }
    } else if (pods) {
      for (const p of pods) if (!p.metadata?.deletionTimestamp) remove.push(p.metadata!.name!);
    }
    return { create, remove };
  }

  /**
   * With surge, two pods may share a node while the new one becomes available: the oldest new
   * and the oldest old stay; the old one goes once it is not ready or the new one is available.
   */
  private surgeExcess(running: Pod[], hash: string): string[] {
    const remove: string[] = [];
    let newest: Pod | undefined;
    let oldest: Pod | undefined;
    for (const p of running) {
      if (isPodUpdated(this.ds, p, hash)) {
        if (!newest) {
          newest = p;
          continue;
        }
      } else if (!oldest) {
        oldest = p;
        continue;
      }
      remove.push(p.metadata!.name!);
    }
    if (newest && oldest) {
      if (!isPodReady(oldest) || isPodAvailable(newest, this.ds.spec?.minReadySeconds ?? 0, this.deps.now())) remove.push(oldest.metadata!.name!);
    }
    return remove;
  }

  /** Creates pods pinned to nodes (slow-start batches) and deletes pods, under expectations. */
  async syncNodes(remove: string[], create: string[], hash: string): Promise<void> {
    const creates = create.slice(0, BURST);
    const deletes = remove.slice(0, BURST);
    this.deps.expectations.set(
      this.key,
      creates.length,
      deletes.map((n) => `${this.ns}/${n}`),
    );
    const template = this.podTemplate(hash);
    const ref = newControllerRef(this.ds);
    const errors: unknown[] = [];
    const { successes, error } = await slowStartBatch(creates.length, 1, async (i) => {
      const pod = podFromTemplate(template, this.ds, ref, `${this.ds.metadata!.name}-`);
      pod.spec!.affinity = pinToNode(pod.spec!.affinity, creates[i]!);
      try {
        await this.deps.podControl.create(this.ds, pod);
      } catch (err) {
        if (!isNamespaceTerminating(err)) throw err;
      }
    });
    for (let i = successes; i < creates.length; i++) this.deps.expectations.creationObserved(this.key);
    if (error) errors.push(error);
    const results = await Promise.allSettled(deletes.map((name) => this.deps.podControl.delete(this.ds, this.ns, name)));
    results.forEach((r, i) => {
      if (r.status === "rejected") {
        this.deps.expectations.deletionObserved(this.key, `${this.ns}/${deletes[i]}`);
        errors.push(r.reason);
      }
    });
    if (errors.length) throw errors[0];
  }

  /** CreatePodTemplate: the template with the daemon tolerations and the revision labels. */
  private podTemplate(hash: string): PodTemplateSpec {
    const t = structuredClone(this.ds.spec!.template) as PodTemplateSpec;
    addTolerations(t.spec!);
    const gen = templateGeneration(this.ds);
    t.metadata = { ...t.metadata, labels: { ...t.metadata?.labels, [CONTROLLER_REVISION_HASH]: hash, ...(gen !== undefined ? { [TEMPLATE_GENERATION]: gen } : {}) } };
    return t;
  }

  /** maxSurge, maxUnavailable and the number of nodes that should run the pod (updatedDesiredNodeCounts). */
  private desiredCounts(): { surge: number; unavailable: number; desired: number } {
    let desired = 0;
    for (const node of this.nodes) {
      if (!shouldRun(node, this.ds).run) continue;
      desired++;
      if (!this.byNode.has(node.metadata!.name!)) this.byNode.set(node.metadata!.name!, []);
    }
    const ru = this.ds.spec?.updateStrategy?.rollingUpdate;
    let unavailable = scaledValue((ru?.maxUnavailable as string | number | undefined) ?? 1, desired, true);
    const surge = allowsSurge(this.ds) ? scaledValue(ru?.maxSurge as string | number | undefined, desired, true) : 0;
    if (desired > 0 && unavailable === 0 && surge === 0) unavailable = 1;
    return { surge, unavailable, desired };
  }

  /** The updated and the old pod on a node; ok=false when there are two of either. */
  private updatedOnNode(pods: Pod[], hash: string): { updated?: Pod; old?: Pod; ok: boolean } {
    let updated: Pod | undefined;
    let old: Pod | undefined;
    for (const p of pods) {
      if (p.metadata?.deletionTimestamp) continue;
      if (isPodUpdated(this.ds, p, hash)) {
        if (updated) return { ok: false };
        updated = p;
      } else {
        if (old) return { ok: false };
        old = p;
      }
    }
    return { updated, old, ok: true };
  }

  /** rollingUpdate: replace old pods within maxUnavailable, or surge new ones within maxSurge. */
  async rollingUpdate(hash: string): Promise<void> {
    const { surge, unavailable } = this.desiredCounts();
    const now = this.deps.now();
    const minReady = this.ds.spec?.minReadySeconds ?? 0;
    const available = (p: Pod | undefined) => !!p && isPodAvailable(p, minReady, now);
    if (surge === 0) {
      let numUnavailable = 0;
      const replace: string[] = [];
      const candidates: string[] = [];
      for (const pods of this.byNode.values()) {
        const { updated, old, ok } = this.updatedOnNode(pods, hash);
        if (!ok || (!old && !updated) || (old && updated)) {
          numUnavailable++;
          continue;
        }
        if (updated) {
          if (!available(updated)) numUnavailable++;
          continue;
        }
        if (!available(old)) replace.push(old!.metadata!.name!);
        else if (numUnavailable < unavailable) candidates.push(old!.metadata!.name!);
      }
      const budget = Math.min(Math.max(0, unavailable - numUnavailable), candidates.length);
      return this.syncNodes([...replace, ...candidates.slice(0, budget)], [], hash);
    }
    const remove: string[] = [];
    const candidates: string[] = [];
    const allowed: string[] = [];
    let numSurge = 0;
    const nodes = new Map(this.nodes.map((n) => [n.metadata!.name!, n]));
    for (const [nodeName, pods] of this.byNode) {
      const { updated, old, ok } = this.updatedOnNode(pods, hash);
      if (!ok) {
        numSurge++;
        continue;
      }
      if (!old) continue;
      if (!updated) {
        if (!available(old)) {
          const node = nodes.get(nodeName);
          if (node && shouldRun(node, this.ds).run) allowed.push(nodeName);
        } else if (numSurge < surge) candidates.push(nodeName);
        continue;
      }
      if (!available(updated)) {
        numSurge++;
        continue;
      }
      remove.push(old.metadata!.name!);
    }
    const budget = Math.min(Math.max(0, surge - numSurge), candidates.length);
    return this.syncNodes(remove, [...allowed, ...candidates.slice(0, budget)], hash);
  }

  /** updateDaemonSetStatus's counts. */
  status(hash: string, observe: boolean): Record<string, unknown> {
    const now = this.deps.now();
    const minReady = this.ds.spec?.minReadySeconds ?? 0;
    let desired = 0;
    let current = 0;
    let misscheduled = 0;
    let ready = 0;
    let available = 0;
    let updated = 0;
    for (const node of this.nodes) {
      const pods = [...(this.byNode.get(node.metadata!.name!) ?? [])].sort(byAge);
      const scheduled = pods.length > 0;
      if (!shouldRun(node, this.ds).run) {
        if (scheduled) misscheduled++;
        continue;
      }
      desired++;
      if (!scheduled) continue;
      current++;
      const pod = pods[0]!;
      if (isPodReady(pod)) {
        ready++;
        if (isPodAvailable(pod, minReady, now)) available++;
      }
      if (isPodUpdated(this.ds, pod, hash)) updated++;
    }
    return {
      ...structuredClone(this.ds.status ?? {}),
      currentNumberScheduled: current,
      numberMisscheduled: misscheduled,
      desiredNumberScheduled: desired,
      numberReady: ready,
      updatedNumberScheduled: updated,
      numberAvailable: available,
      numberUnavailable: desired - available,
      ...(observe ? { observedGeneration: this.ds.metadata?.generation } : {}),
    };
  }
}
