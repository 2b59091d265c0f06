/**
 * The StatefulSet controller (upstream's pkg/controller/statefulset): pods with stable names
 * and storage, created and replaced in ordinal order; see update.ts for one pass. Revisions of
 * the template are ControllerRevisions, which `kubectl rollout history|undo` read and apply.
 */
import type { Informer } from "../../client/index.ts";
import type { ControllerContext } from "../context.ts";
import type { ControllerRevision, Pod, StatefulSet } from "../common/types.ts";
import { splitKey } from "../../client/index.ts";
import { claim, controllerOf } from "../common/controller-ref.ts";
import { deepEqual } from "../common/equal.ts";
import { nextAvailableCheck } from "../common/pods.ts";
import { writeStatus } from "../common/status-writer.ts";
import { CONTROLLER_REVISIONS, errorMessage, PODS, STATEFULSETS } from "../common/types.ts";
import { WorkloadController } from "../common/workload-controller.ts";
import { isMemberOf } from "./identity.ts";
import { StatefulSetUpdate, type StatefulSetStatus } from "./update.ts";

export interface StatefulSetControllerOptions {
  /** --concurrent-statefulset-syncs (5). */
  workers?: number;
}

const STATUS_FIELDS = ["observedGeneration", "replicas", "readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas", "currentRevision", "updateRevision", "collisionCount"] as const;

export class StatefulSetController extends WorkloadController {
  readonly name = "statefulset-controller";
  private readonly revisions: Informer;

  constructor(ctx: ControllerContext, opts: StatefulSetControllerOptions = {}) {
    super(ctx, { kind: "StatefulSet", ref: STATEFULSETS, component: "statefulset-controller" }, opts.workers ?? 5);
    this.watch(this.pods, {
      add: (p) => this.podChanged(p as Pod),
      update: (old, p) => {
        if (old.metadata?.resourceVersion === p.metadata?.resourceVersion) return;
        if (controllerOf(old)?.uid !== controllerOf(p)?.uid) this.podChanged(old as Pod);
        this.podChanged(p as Pod, !deepEqual(old.metadata?.labels, p.metadata?.labels));
      },
      delete: (p) => this.podChanged(p as Pod),
    });
    this.revisions = this.read(ctx.informers.informer(CONTROLLER_REVISIONS));
  }

  protected override syncFailed(key: string, err: unknown): void {
    this.log.v(2).info("statefulset sync failed; retrying", { statefulset: key, err: errorMessage(err) });
  }

  /** A pod changed: its set looks again; an orphan (or relabelled pod) wakes the sets that may adopt it. */
  private podChanged(p: Pod, labelsChanged = true): void {
    if (controllerOf(p)) {
      const set = this.ownerOf(p);
      if (set) this.enqueue(set);
      return;
    }
    if (!labelsChanged) return;
    for (const s of this.orphanOwners(p)) this.enqueue(s);
  }

  protected async sync(key: string): Promise<void> {
    const cached = this.owners.get(key) as StatefulSet | undefined;
    if (!cached) return;
    const set = structuredClone(cached);
    const selector = this.selectorOf(set);
    if (!selector) {
      this.recorder.event(set, "Warning", "InvalidSelector", `Error parsing selector: ${JSON.stringify(set.spec?.selector)}`);
      return;
    }
    const { namespace } = splitKey(key);
    const client = this.ctx.client;
    const revisions = (await claim(this.revisions.listIn(namespace), { client, ref: CONTROLLER_REVISIONS, owner: set, ownerRef: STATEFULSETS, selector })) as ControllerRevision[];
    const pods = (await claim(this.pods.listIn(namespace), { client, ref: PODS, owner: set, ownerRef: STATEFULSETS, selector, filter: (p) => isMemberOf(set, p) })) as Pod[];

    const update = new StatefulSetUpdate({ client, recorder: this.recorder, now: () => this.clock.now() }, set);
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
    const wait = nextAvailableCheck(pods, minReady, this.clock.now());
    if (wait !== undefined) this.enqueueAfter(key, wait);
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
