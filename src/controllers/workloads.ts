/**
 * The workload controllers (Deployment, ReplicaSet, ReplicationController, StatefulSet,
 * DaemonSet), with kube-controller-manager's names and their options.
 */
import type { KnownController } from "./index.ts";
import { DaemonSetController } from "./daemonset/daemonset-controller.ts";
import { DeploymentController } from "./deployment/deployment-controller.ts";
import { REPLICA_SET_KIND, REPLICATION_CONTROLLER_KIND } from "./replicaset/kinds.ts";
import { ReplicaSetController } from "./replicaset/replica-set-controller.ts";
import { StatefulSetController } from "./statefulset/statefulset-controller.ts";

export interface WorkloadOptions {
  /** Objects reconciled at once per controller (kube-controller-manager's --concurrent-*-syncs, 5). */
  workloadWorkers?: number;
}

export const WORKLOAD_CONTROLLERS: KnownController[] = [
  { name: "deployment-controller", aliases: ["deployment"], make: (ctx, o) => new DeploymentController(ctx, { workers: o.workloadWorkers }) },
  { name: "replicaset-controller", aliases: ["replicaset"], make: (ctx, o) => new ReplicaSetController(ctx, REPLICA_SET_KIND, { workers: o.workloadWorkers }) },
  {
    name: "replicationcontroller-controller",
    aliases: ["replicationcontroller"],
    make: (ctx, o) => new ReplicaSetController(ctx, REPLICATION_CONTROLLER_KIND, { workers: o.workloadWorkers }),
  },
  { name: "statefulset-controller", aliases: ["statefulset"], make: (ctx, o) => new StatefulSetController(ctx, { workers: o.workloadWorkers }) },
  { name: "daemonset-controller", aliases: ["daemonset"], make: (ctx, o) => new DaemonSetController(ctx, { workers: o.workloadWorkers }) },
];
