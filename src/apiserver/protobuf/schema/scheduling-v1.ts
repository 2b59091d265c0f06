/**
 * scheduling.k8s.io/v1 protobuf schema (kinds below and every message they reach), as of Kubernetes 1.32.
 * Field numbers follow k8s.io/api scheduling/v1; JSON names, pointer-ness (`*`) and omitempty follow the Go
 * struct tags, because decoding must yield the JSON that upstream's json.Marshal would print.
 * Fields are listed in Go declaration order, which is JSON key order. Format: ./table.ts.
 */
import type { GroupSchema } from "./table.ts";

export const SCHEDULING_V1: GroupSchema = {
  group: "scheduling.k8s.io",
  version: "v1",
  kinds: [
    "PriorityClass", "PriorityClassList",
  ],
  messages: {
    PriorityClass: {
      metadata: [1, "meta.ObjectMeta"], value: [2, "int32", "always"], globalDefault: [3, "bool"], description: [4, "string"],
      preemptionPolicy: [5, "*string"],
    },
    PriorityClassList: { metadata: [1, "meta.ListMeta"], items: [2, "[]PriorityClass", "always"] },
  },
};
