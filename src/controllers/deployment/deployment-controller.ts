/**
 * The Deployment controller (upstream's pkg/controller/deployment): rolls a Deployment's pod
 * template out through ReplicaSets, one per template (named <deployment>-<pod-template-hash>),
 * with the RollingUpdate or Recreate strategy; see rollout.ts for one pass.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { EventRecorder, Informer, InformerHandlers } from "../../client/index.ts";
import type { Logger } from "../../log/index.ts";
import type { ControllerContext } from "../context.ts";
import type { Controller } from "../runner.ts";
import type { Deployment, Pod, ReplicaSet } from "../common/types.ts";
import { labelSelectorFromObject } from "../../apiserver/selectors/index.ts";
import { BY_OWNER_UID, objectKey, runWorkers, WorkQueue } from "../../client/index.ts";
import { claim, controllerOf } from "../common/controller-ref.ts";
import { DEPLOYMENTS, PODS, REPLICASETS } from "../common/types.ts";
import { writeStatus } from "../common/status-writer.ts";
import { Rollout } from "./rollout.ts";

export interface DeploymentControllerOptions {
  /** --concurrent-deployment-syncs (5). */
  workers?: number;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function selectorOf(d: Deployment) {
  try {
    return labelSelectorFromObject(d.spec?.selector);
  } catch {
    return undefined;
  }
}

export class DeploymentController implements Controller {
  readonly name = "deployment-controller";
  private readonly queue = new WorkQueue();
  private readonly deployments: Informer;
  private readonly replicaSets: Informer;
  private readonly pods: Informer;
  private readonly recorder: EventRecorder;
  private readonly log: Logger;
  private readonly handlers: Array<[Informer, InformerHandlers]>;
  private workers: Promise<void> | undefined;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: DeploymentControllerOptions = {},
  ) {
    this.log = ctx.log;
    this.recorder = ctx.recorder("deployment-controller");
    this.deployments = ctx.informers.informer(DEPLOYMENTS);
    this.replicaSets = ctx.informers.informer(REPLICASETS);
    this.pods = ctx.informers.informer(PODS);
    this.handlers = [
      [this.deployments, { add: (d) => this.enqueue(d), update: (_, d) => this.enqueue(d), delete: (d) => this.enqueue(d) }],
      [
        this.replicaSets,
        {
          add: (rs) => this.replicaSetChanged(rs),
          update: (old, rs) => {
            if (old.metadata?.resourceVersion === rs.metadata?.resourceVersion) return;
            const oldRef = controllerOf(old);
            if (oldRef && oldRef.uid !== controllerOf(rs)?.uid) this.replicaSetChanged(old);
            this.replicaSetChanged(rs);
          },
          delete: (rs) => this.replicaSetChanged(rs),
        },
      ],
      [this.pods, { delete: (p) => this.podDeleted(p as Pod) }],
    ];
  }

  async start(): Promise<void> {
    for (const [inf, h] of this.handlers) inf.on(h);
    await Promise.all([this.deployments.start(), this.replicaSets.start(), this.pods.start()]);
    this.workers = runWorkers(this.queue, this.opts.workers ?? 5, (key) => this.sync(key), (key, err) =>
      this.log.v(2).info("deployment sync failed; retrying", { deployment: key, err: messageOf(err) }),
    );
  }

  async stop(): Promise<void> {
    for (const [inf, h] of this.handlers) inf.off(h);
    this.queue.shutdown();
    await this.workers;
  }

  private enqueue(d: KubeObject): void {
    this.queue.add(objectKey(d));
  }

  private ownerOf(obj: KubeObject): Deployment | undefined {
    const ref = controllerOf(obj);
    if (!ref || ref.kind !== "Deployment") return undefined;
    const d = this.deployments.get(`${obj.metadata?.namespace}/${ref.name}`) as Deployment | undefined;
    return d?.metadata?.uid === ref.uid ? d : undefined;
  }

  /** A ReplicaSet changed: its Deployment looks again; an orphan wakes the Deployments that may adopt it. */
  private replicaSetChanged(rs: KubeObject): void {
    const owner = this.ownerOf(rs);
    if (owner) return this.enqueue(owner);
    if (controllerOf(rs)) return;
    for (const d of this.deployments.listIn(rs.metadata?.namespace ?? "")) {
      if (selectorOf(d as Deployment)?.matches(rs.metadata?.labels)) this.enqueue(d);
    }
  }

  /** Recreate waits for old pods to go: the last one going wakes the Deployment. */
  private podDeleted(p: Pod): void {
    const rs = this.replicaSets.get(`${p.metadata?.namespace}/${controllerOf(p)?.name}`);
    if (!rs || controllerOf(p)?.kind !== "ReplicaSet") return;
    const d = this.ownerOf(rs);
    if (d?.spec?.strategy?.type === "Recreate") this.enqueue(d);
  }

  private async sync(key: string): Promise<void> {
    const d = this.deployments.get(key) as Deployment | undefined;
    if (!d) return;
    const selector = selectorOf(d);
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
      { client: this.ctx.client, recorder: this.recorder, log: this.log, requeueAfter: (ms) => this.queue.addAfter(key, ms), now: Date.now },
      d,
      rsList,
      podMap,
    );
    await rollout.run();
  }
}
