/**
 * The Deployment controller (upstream's pkg/controller/deployment): rolls a Deployment's pod
 * template out through ReplicaSets, one per template (named <deployment>-<pod-template-hash>),
 * with the RollingUpdate or Recreate strategy; see rollout.ts for one pass.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { Informer } from "../../client/index.ts";
import type { ControllerContext } from "../context.ts";
import type { Deployment, Pod, ReplicaSet } from "../common/types.ts";
import { BY_OWNER_UID } from "../../client/index.ts";
import { claim, controllerOf } from "../common/controller-ref.ts";
import { DEPLOYMENTS, errorMessage, REPLICASETS } from "../common/types.ts";
import { writeStatus } from "../common/status-writer.ts";
import { WorkloadController } from "../common/workload-controller.ts";
import { Rollout } from "./rollout.ts";

export interface DeploymentControllerOptions {
  /** --concurrent-deployment-syncs (5). */
  workers?: number;
}

export class DeploymentController extends WorkloadController {
  readonly name = "deployment-controller";
  private readonly replicaSets: Informer;

  constructor(ctx: ControllerContext, opts: DeploymentControllerOptions = {}) {
    super(ctx, { kind: "Deployment", ref: DEPLOYMENTS, component: "deployment-controller" }, opts.workers ?? 5);
    this.replicaSets = this.watch(ctx.informers.informer(REPLICASETS), {
      add: (rs) => this.replicaSetChanged(rs),
      update: (old, rs) => {
        if (old.metadata?.resourceVersion === rs.metadata?.resourceVersion) return;
        const oldRef = controllerOf(old);
        if (oldRef && oldRef.uid !== controllerOf(rs)?.uid) this.replicaSetChanged(old);
        this.replicaSetChanged(rs);
      },
      delete: (rs) => this.replicaSetChanged(rs),
    });
    this.watch(this.pods, { delete: (p) => this.podDeleted(p as Pod) });
  }

  protected override syncFailed(key: string, err: unknown): void {
    this.log.v(2).info("deployment sync failed; retrying", { deployment: key, err: errorMessage(err) });
  }

  /** A ReplicaSet changed: its Deployment looks again; an orphan wakes the Deployments that may adopt it. */
  private replicaSetChanged(rs: KubeObject): void {
    const owner = this.ownerOf(rs);
    if (owner) return this.enqueue(owner);
    if (controllerOf(rs)) return;
    for (const d of this.orphanOwners(rs)) this.enqueue(d);
  }

  /** Recreate waits for old pods to go: the last one going wakes the Deployment. */
  private podDeleted(p: Pod): void {
    const rs = this.replicaSets.get(`${p.metadata?.namespace}/${controllerOf(p)?.name}`);
    if (!rs || controllerOf(p)?.kind !== "ReplicaSet") return;
    const d = this.ownerOf(rs) as Deployment | undefined;
    if (d?.spec?.strategy?.type === "Recreate") this.enqueue(d);
  }

  protected async sync(key: string): Promise<void> {
    const d = this.owners.get(key) as Deployment | undefined;
    if (!d) return;
    const selector = this.selectorOf(d);
    if (!selector || selector.isEmpty()) {
      this.recorder.event(d, "Warning", "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required.");
      if ((d.metadata?.generation ?? 0) > (d.status?.observedGeneration ?? 0)) {
        await writeStatus(this.ctx.client, DEPLOYMENTS, d, { ...d.status, observedGeneration: d.metadata?.generation });
      }
      return;
    }
    const ns = d.metadata?.namespace ?? "";
    const rsList = (await claim(this.replicaSets.listIn(ns), { client: this.ctx.client, ref: REPLICASETS, owner: d, ownerRef: DEPLOYMENTS, selector })) as ReplicaSet[];
    const podMap = new Map<string, Pod[]>();
    for (const rs of rsList) {
      const uid = rs.metadata!.uid!;
      podMap.set(uid, this.pods.byIndex(BY_OWNER_UID, uid).filter((p) => controllerOf(p)?.uid === uid) as Pod[]);
    }
    const rollout = new Rollout(
      { client: this.ctx.client, recorder: this.recorder, log: this.log, requeueAfter: (ms) => this.enqueueAfter(key, ms), now: () => this.clock.now() },
      d,
      rsList,
      podMap,
    );
    await rollout.run();
  }
}
