/**
 * autoscaling/v1 protobuf schema (kinds below and every message they reach), as of Kubernetes 1.32.
 * Field numbers follow k8s.io/api autoscaling/v1; JSON names, pointer-ness (`*`) and omitempty follow the Go
 * struct tags, because decoding must yield the JSON that upstream's json.Marshal would print.
 * Fields are listed in Go declaration order, which is JSON key order. Format: ./table.ts.
 */
import type { GroupSchema } from "./table.ts";

export const AUTOSCALING_V1: GroupSchema = {
  group: "autoscaling",
  version: "v1",
  kinds: [
    "HorizontalPodAutoscaler", "HorizontalPodAutoscalerList", "Scale",
  ],
  messages: {
    CrossVersionObjectReference: { kind: [1, "string", "always"], name: [2, "string", "always"], apiVersion: [3, "string"] },
    HorizontalPodAutoscaler: {
      metadata: [1, "meta.ObjectMeta"], spec: [2, "HorizontalPodAutoscalerSpec"], status: [3, "HorizontalPodAutoscalerStatus"],
    },
    HorizontalPodAutoscalerList: { metadata: [1, "meta.ListMeta"], items: [2, "[]HorizontalPodAutoscaler", "always"] },
    HorizontalPodAutoscalerSpec: {
      scaleTargetRef: [1, "CrossVersionObjectReference", "always"], minReplicas: [2, "*int32"],
      maxReplicas: [3, "int32", "always"], targetCPUUtilizationPercentage: [4, "*int32"],
    },
    HorizontalPodAutoscalerStatus: {
      observedGeneration: [1, "*int64"], lastScaleTime: [2, "*Time"], currentReplicas: [3, "int32", "always"],
      desiredReplicas: [4, "int32", "always"], currentCPUUtilizationPercentage: [5, "*int32"],
    },
    Scale: { metadata: [1, "meta.ObjectMeta"], spec: [2, "ScaleSpec"], status: [3, "ScaleStatus"] },
    ScaleSpec: { replicas: [1, "int32"] },
    ScaleStatus: { replicas: [1, "int32", "always"], selector: [2, "string"] },
  },
};
