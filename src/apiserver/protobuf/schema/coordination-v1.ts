/**
 * coordination.k8s.io/v1 protobuf schema (kinds below and every message they reach), as of Kubernetes 1.32.
 * Field numbers follow k8s.io/api coordination/v1; JSON names, pointer-ness (`*`) and omitempty follow the Go
 * struct tags, because decoding must yield the JSON that upstream's json.Marshal would print.
 * Fields are listed in Go declaration order, which is JSON key order. Format: ./table.ts.
 */
import type { GroupSchema } from "./table.ts";

export const COORDINATION_V1: GroupSchema = {
  group: "coordination.k8s.io",
  version: "v1",
  kinds: [
    "Lease", "LeaseList",
  ],
  messages: {
    Lease: { metadata: [1, "meta.ObjectMeta"], spec: [2, "LeaseSpec"] },
    LeaseList: { metadata: [1, "meta.ListMeta"], items: [2, "[]Lease", "always"] },
    LeaseSpec: {
      holderIdentity: [1, "*string"], leaseDurationSeconds: [2, "*int32"], acquireTime: [3, "*MicroTime"],
      renewTime: [4, "*MicroTime"], leaseTransitions: [5, "*int32"], strategy: [6, "*string"], preferredHolder: [7, "*string"],
    },
  },
};
