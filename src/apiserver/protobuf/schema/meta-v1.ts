/**
 * meta.k8s.io/v1 protobuf schema (shared meta types), as of Kubernetes 1.32.
 * Field numbers follow k8s.io/apimachinery pkg/apis/meta/v1; JSON names, pointer-ness (`*`) and omitempty follow the Go
 * struct tags, because decoding must yield the JSON that upstream's json.Marshal would print.
 * Fields are listed in Go declaration order, which is JSON key order. Format: ./table.ts.
 */
import type { GroupSchema } from "./table.ts";

export const META_V1: GroupSchema = {
  group: "meta.k8s.io",
  version: "v1",
  kinds: [
    "Status", "WatchEvent", "DeleteOptions", "PartialObjectMetadata", "PartialObjectMetadataList",
  ],
  messages: {
    Condition: {
      type: [1, "string", "always"], status: [2, "string", "always"], observedGeneration: [3, "int64"],
      lastTransitionTime: [4, "Time", "always"], reason: [5, "string", "always"], message: [6, "string", "always"],
    },
    DeleteOptions: {
      gracePeriodSeconds: [1, "*int64"], preconditions: [2, "*Preconditions"], orphanDependents: [3, "*bool"],
      propagationPolicy: [4, "*string"], dryRun: [5, "[]string"], ignoreStoreReadErrorWithClusterBreakingPotential: [6, "*bool"],
    },
    FieldSelectorRequirement: { key: [1, "string", "always"], operator: [2, "string", "always"], values: [3, "[]string"] },
    LabelSelector: { matchLabels: [1, "map[string]string"], matchExpressions: [2, "[]LabelSelectorRequirement"] },
    LabelSelectorRequirement: { key: [1, "string", "always"], operator: [2, "string", "always"], values: [3, "[]string"] },
    ListMeta: {
      selfLink: [1, "string"], resourceVersion: [2, "string"], continue: [3, "string"], remainingItemCount: [4, "*int64"],
    },
    ManagedFieldsEntry: {
      manager: [1, "string"], operation: [2, "string"], apiVersion: [3, "string"], time: [4, "*Time"], fieldsType: [6, "string"],
      fieldsV1: [7, "*FieldsV1"], subresource: [8, "string"],
    },
    ObjectMeta: {
      name: [1, "string"], generateName: [2, "string"], namespace: [3, "string"], selfLink: [4, "string"], uid: [5, "string"],
      resourceVersion: [6, "string"], generation: [7, "int64"], creationTimestamp: [8, "Time"], deletionTimestamp: [9, "*Time"],
      deletionGracePeriodSeconds: [10, "*int64"], labels: [11, "map[string]string"], annotations: [12, "map[string]string"],
      ownerReferences: [13, "[]OwnerReference"], finalizers: [14, "[]string"], managedFields: [17, "[]ManagedFieldsEntry"],
    },
    OwnerReference: {
      apiVersion: [5, "string", "always"], kind: [1, "string", "always"], name: [3, "string", "always"],
      uid: [4, "string", "always"], controller: [6, "*bool"], blockOwnerDeletion: [7, "*bool"],
    },
    PartialObjectMetadata: { metadata: [1, "ObjectMeta"] },
    PartialObjectMetadataList: { metadata: [1, "ListMeta"], items: [2, "[]PartialObjectMetadata", "always"] },
    Preconditions: { uid: [1, "*string"], resourceVersion: [2, "*string"] },
    Status: {
      metadata: [1, "ListMeta"], status: [2, "string"], message: [3, "string"], reason: [4, "string"],
      details: [5, "*StatusDetails"], code: [6, "int32"],
    },
    StatusCause: { reason: [1, "string"], message: [2, "string"], field: [3, "string"] },
    StatusDetails: {
      name: [1, "string"], group: [2, "string"], kind: [3, "string"], uid: [6, "string"], causes: [4, "[]StatusCause"],
      retryAfterSeconds: [5, "int32"],
    },
    TypeMeta: { kind: [1, "string"], apiVersion: [2, "string"] },
    WatchEvent: { type: [1, "string", "always"], object: [2, "RawExtension", "always"] },
  },
};
