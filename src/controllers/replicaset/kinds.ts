/**
 * The two kinds the replica controller manages. ReplicationController is ReplicaSet's older
 * form (a plain label map for a selector); upstream runs one controller for both, as kts does.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { ResourceRef } from "../../client/index.ts";
import { labelSelectorFromObject, type LabelSelector } from "../../apiserver/selectors/index.ts";
import { REPLICASETS, REPLICATION_CONTROLLERS } from "../common/types.ts";

export interface ReplicaKind {
  /** kube-controller-manager's name. */
  controller: string;
  /** The events' source component. */
  component: string;
  ref: ResourceRef;
  kind: string;
  /** The selector, or undefined when it cannot be used (it selects nothing then). */
  selector(obj: KubeObject): LabelSelector | undefined;
}

function parse(selector: Parameters<typeof labelSelectorFromObject>[0]): LabelSelector | undefined {
  try {
    return labelSelectorFromObject(selector);
  } catch {
    return undefined;
  }
}

export const REPLICA_SET_KIND: ReplicaKind = {
  controller: "replicaset-controller",
  component: "replicaset-controller",
  ref: REPLICASETS,
  kind: "ReplicaSet",
  selector: (obj) => parse((obj.spec as { selector?: Parameters<typeof labelSelectorFromObject>[0] } | undefined)?.selector),
};

export const REPLICATION_CONTROLLER_KIND: ReplicaKind = {
  controller: "replicationcontroller-controller",
  component: "replication-controller",
  ref: REPLICATION_CONTROLLERS,
  kind: "ReplicationController",
  // An RC's selector is a label map; an empty one selects nothing here (the API defaults it from the template).
  selector: (obj) => {
    const map = (obj.spec as { selector?: Record<string, string> } | undefined)?.selector;
    return map && Object.keys(map).length > 0 ? parse({ matchLabels: map }) : undefined;
  },
};
