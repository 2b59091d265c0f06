/**
 * The two kinds the replica controller manages. ReplicationController is ReplicaSet's older
 * form (a plain label map for a selector); upstream runs one controller for both, as kts does.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { LabelSelector } from "../../apiserver/selectors/index.ts";
import { parseSelector, specSelector } from "../common/owners.ts";
import { REPLICASETS, REPLICATION_CONTROLLERS } from "../common/types.ts";
import type { WorkloadKind } from "../common/workload-controller.ts";

export interface ReplicaKind extends WorkloadKind {
  /** kube-controller-manager's name. */
  controller: string;
  /** The selector, or undefined when it cannot be used (it selects nothing then). */
  selector(obj: KubeObject): LabelSelector | undefined;
}

export const REPLICA_SET_KIND: ReplicaKind = {
  controller: "replicaset-controller",
  component: "replicaset-controller",
  ref: REPLICASETS,
  kind: "ReplicaSet",
  selector: specSelector,
};

export const REPLICATION_CONTROLLER_KIND: ReplicaKind = {
  controller: "replicationcontroller-controller",
  component: "replication-controller",
  ref: REPLICATION_CONTROLLERS,
  kind: "ReplicationController",
  // An RC's selector is a label map; an empty one selects nothing here (the API defaults it from the template).
  selector: (obj) => {
    const map = (obj.spec as { selector?: Record<string, string> } | undefined)?.selector;
    return map && Object.keys(map).length > 0 ? parseSelector({ matchLabels: map }) : undefined;
  },
};
