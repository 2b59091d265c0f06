/**
 * The StatefulSet controller (upstream's pkg/controller/statefulset): pods with stable names
 * and storage, created and replaced in ordinal order; see update.ts for one pass. Revisions of
 * the template are ControllerRevisions, which `kubectl rollout history|undo` read and apply.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { EventRecorder, Informer, InformerHandlers } from "../../client/index.ts";
import type { Logger } from "../../log/index.ts";
import type { ControllerContext } from "../context.ts";
import type { Controller } from "../runner.ts";
import type { ControllerRevision, Pod, StatefulSet } from "../common/types.ts";
import { labelSelectorFromObject } from "../../apiserver/selectors/index.ts";
import { objectKey, runWorkers, splitKey, WorkQueue } from "../../client/index.ts";
import { claim, controllerOf } from "../common/controller-ref.ts";
import { deepEqual } from "../common/equal.ts";
import { availableIn } from "../common/pods.ts";
import { writeStatus } from "../common/status-writer.ts";
import { CONTROLLER_REVISIONS, PODS, STATEFULSETS } from "../common/types.ts";
import { isMemberOf } from "./identity.ts";
import { StatefulSetUpdate, type StatefulSetStatus } from "./update.ts";

export interface StatefulSetControllerOptions {
  /** --concurrent-statefulset-syncs (5). */
  workers?: number;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function selectorOf(set: StatefulSet) {
  try {
    return labelSelectorFromObject(set.spec?.selector);
  } catch {
    return undefined;
  }
}

const STATUS_FIELDS = ["observedGeneration", "replicas", "readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas", "currentRevision", "updateRevision", "collisionCount"] as const;

export class StatefulSetController implements Controller {
  readonly name = "statefulset-controller";
  private readonly queue = new WorkQueue();
  private readonly sets: Informer;
  private readonly pods: Informer;
  private readonly revisions: Informer;
  private readonly recorder: EventRecorder;
  private readonly log: Logger;
  private readonly handlers: Array<[Informer, InformerHandlers]>;
  private workers: Promise<void> | undefined;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: StatefulSetControllerOptions = {},
  ) {
    this.log = ctx.log;
    this.recorder = ctx.recorder("statefulset-controller");
    this.sets = ctx.informers.informer(STATEFULSETS);
    this.pods = ctx.informers.informer(PODS);
    this.revisions = ctx.informers.informer(CONTROLLER_REVISIONS);
    this.handlers = [
      [this.sets, { add: (s) => this.enqueue(s), update: (_, s) => this.enqueue(s), delete: (s) => this.enqueue(s) }],
      [
        this.pods,
        {
          add: (p) => this.podChanged(p as Pod),
          update: (old, p) => {
            if (old.metadata?.resourceVersion === p.metadata?.resourceVersion) return;
            if (controllerOf(old)?.uid !== controllerOf(p)?.uid) this.podChanged(old as Pod);
            this.podChanged(p as Pod, !deepEqual(old.metadata?.labels, p.metadata?.labels));
          },
          delete: (p) => this.podChanged(p as Pod),
        },
      ],
    ];
  }

  async start(): Promise<void> {
    for (const [inf, h] of this.handlers) inf.on(h);
    await Promise.all([this.sets.start(), this.pods.start(), this.revisions.start()]);
    this.workers = runWorkers(this.queue, this.opts.workers ?? 5, (key) => this.sync(key), (key, err) =>
      this.log.v(2).info("statefulset sync failed; retrying", { statefulset: key, err: messageOf(err) }),
    );
  }

  async stop(): Promise<void> {
    for (const [inf, h] of this.handlers) inf.off(h);
    this.queue.shutdown();
    await this.workers;
  }

  private enqueue(obj: KubeObject): void {
    this.queue.add(objectKey(obj));
  }

  /** A pod changed: its set looks again; an orphan (or relabelled pod) wakes the sets that may adopt it. */
  private podChanged(p: Pod, labelsChanged = true): void {
    const ns = p.metadata?.namespace ?? "";
    const ref = controllerOf(p);
    if (ref) {
      if (ref.kind !== "StatefulSet") return;
      const set = this.sets.get(`${ns}/${ref.name}`);
      if (set?.metadata?.uid === ref.uid) this.enqueue(set);
      return;
    }
    if (!labelsChanged) return;
    for (const s of this.sets.listIn(ns)) if (selectorOf(s as StatefulSet)?.matches(p.metadata?.labels)) this.enqueue(s);
  }

  private async sync(key: string): Promise<void> {
    const cached = this.sets.get(key) as StatefulSet | undefined;
    if (!cached) return;
    const set = structuredClone(cached);
    const selector = selectorOf(set);
    if (!selector) {
      this.recorder.event(set, "Warning", "InvalidSelector", `Error parsing selector: ${JSON.stringify(set.spec?.selector)}`);
      return;
    }
    const { namespace } = splitKey(key);
    const client = this.ctx.client;
    const revisions = (await claim(this.revisions.listIn(namespace), { client, ref: CONTROLLER_REVISIONS, owner: set, ownerRef: STATEFULSETS, selector })) as ControllerRevision[];
    const pods = (await claim(this.pods.listIn(namespace), { client, ref: PODS, owner: set, ownerRef: STATEFULSETS, selector, filter: (p) => isMemberOf(set, p) })) as Pod[];

    const update = new StatefulSetUpdate({ client, recorder: this.recorder, now: Date.now }, set);
    const revs = await update.revisions(revisions);
    let status: StatefulSetStatus | undefined;
    let failure: unknown;
    try {
      status = await update.run(pods, revs.current, revs.update, revs.collisionCount);
    } catch (err) {
      failure = err;
    }
    if (status) await this.writeStatus(set, status);
    if (failure) throw failure;
    await update.truncateHistory(pods, [...revisions, revs.update], revs.current, revs.update);
    // Ready pods waiting out minReadySeconds: look again when the first becomes available.
    const minReady = set.spec?.minReadySeconds ?? 0;
    const now = Date.now();
    const waits = pods.map((p) => availableIn(p, minReady, now)).filter((w): w is number => w !== undefined);
    if (waits.length) this.queue.addAfter(key, Math.min(...waits) + 10);
  }

  /** Completes a finished rolling update (current = update), then writes what changed. */
  private async writeStatus(set: StatefulSet, status: StatefulSetStatus): Promise<void> {
    const rolling = (set.spec?.updateStrategy?.type ?? "RollingUpdate") === "RollingUpdate";
    if (rolling && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
      status.currentReplicas = status.updatedReplicas;
      status.currentRevision = status.updateRevision;
    }
    const old = (set.status ?? {}) as Record<string, unknown>;
    const next = { ...old, ...status } as Record<string, unknown>;
    if (STATUS_FIELDS.every((f) => (old[f] ?? 0) === (next[f] ?? 0))) return;
    await writeStatus(this.ctx.client, STATEFULSETS, set, next);
  }
}
