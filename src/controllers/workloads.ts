/**
 * The workload controllers (Deployment, ReplicaSet, ReplicationController, StatefulSet,
 * DaemonSet), with kube-controller-manager's names and their options.
 */
import type { KnownController } from "./index.ts";

export interface WorkloadOptions {
  /** Objects reconciled at once per controller (kube-controller-manager's --concurrent-*-syncs, 5). */
  workloadWorkers?: number;
}

export const WORKLOAD_CONTROLLERS: KnownController[] = [];
