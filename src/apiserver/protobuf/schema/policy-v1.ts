/**
 * policy/v1 protobuf schema (kinds below and every message they reach), as of Kubernetes 1.32.
 * Field numbers follow k8s.io/api policy/v1; JSON names, pointer-ness (`*`) and omitempty follow the Go
 * struct tags, because decoding must yield the JSON that upstream's json.Marshal would print.
 * Fields are listed in Go declaration order, which is JSON key order. Format: ./table.ts.
 */
import type { GroupSchema } from "./table.ts";

export const POLICY_V1: GroupSchema = {
  group: "policy",
  version: "v1",
  kinds: [
    "PodDisruptionBudget", "PodDisruptionBudgetList", "Eviction",
  ],
  messages: {
    Eviction: { metadata: [1, "meta.ObjectMeta"], deleteOptions: [2, "*meta.DeleteOptions"] },
    PodDisruptionBudget: {
      metadata: [1, "meta.ObjectMeta"], spec: [2, "PodDisruptionBudgetSpec"], status: [3, "PodDisruptionBudgetStatus"],
    },
    PodDisruptionBudgetList: { metadata: [1, "meta.ListMeta"], items: [2, "[]PodDisruptionBudget", "always"] },
    PodDisruptionBudgetSpec: {
      minAvailable: [1, "*IntOrString"], selector: [2, "*meta.LabelSelector"], maxUnavailable: [3, "*IntOrString"],
      unhealthyPodEvictionPolicy: [4, "*string"],
    },
    PodDisruptionBudgetStatus: {
      observedGeneration: [1, "int64"], disruptedPods: [2, "map[string]Time"], disruptionsAllowed: [3, "int32", "always"],
      currentHealthy: [4, "int32", "always"], desiredHealthy: [5, "int32", "always"], expectedPods: [6, "int32", "always"],
      conditions: [7, "[]meta.Condition"],
    },
  },
};
