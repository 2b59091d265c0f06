/**
 * Wire shapes of autoscaling/v2 and autoscaling/v1 HorizontalPodAutoscalers, from
 * @kubernetes/client-node's models, and of the autoscaling/v1 metric types (the old v2beta1
 * shapes) that v1 objects carry in their round-trip annotations; client-node has no model for
 * those, so they are declared here.
 */
import type {
  V1CrossVersionObjectReference,
  V1HorizontalPodAutoscaler,
  V1HorizontalPodAutoscalerSpec,
  V1HorizontalPodAutoscalerStatus,
  V1LabelSelector,
  V2HorizontalPodAutoscaler,
  V2HorizontalPodAutoscalerBehavior,
  V2HorizontalPodAutoscalerCondition,
  V2HorizontalPodAutoscalerSpec,
  V2HorizontalPodAutoscalerStatus,
  V2HPAScalingPolicy,
  V2HPAScalingRules,
  V2MetricSpec,
  V2MetricStatus,
  V2MetricTarget,
} from "@kubernetes/client-node";
import type { Wire } from "../../api/types.ts";

export type CrossVersionObjectReference = Wire<V1CrossVersionObjectReference>;
export type LabelSelector = Wire<V1LabelSelector>;

export type MetricSpec = Wire<V2MetricSpec>;
export type MetricStatus = Wire<V2MetricStatus>;
export type MetricTarget = Wire<V2MetricTarget>;
export type Behavior = Wire<V2HorizontalPodAutoscalerBehavior>;
export type ScalingRules = Wire<V2HPAScalingRules>;
export type ScalingPolicy = Wire<V2HPAScalingPolicy>;
export type HpaCondition = Wire<V2HorizontalPodAutoscalerCondition>;
export type HpaSpecV2 = Partial<Wire<V2HorizontalPodAutoscalerSpec>>;
export type HpaStatusV2 = Partial<Wire<V2HorizontalPodAutoscalerStatus>>;
export type HpaV2 = Omit<Wire<V2HorizontalPodAutoscaler>, "spec" | "status"> & { spec?: HpaSpecV2; status?: HpaStatusV2 };

export type HpaSpecV1 = Partial<Wire<V1HorizontalPodAutoscalerSpec>>;
export type HpaStatusV1 = Partial<Wire<V1HorizontalPodAutoscalerStatus>>;
export type HpaV1 = Omit<Wire<V1HorizontalPodAutoscaler>, "spec" | "status"> & { spec?: HpaSpecV1; status?: HpaStatusV1 };

/** autoscaling/v1 MetricSpec (k8s.io/api/autoscaling/v1), as kept in the autoscaling.alpha.kubernetes.io/metrics annotation. */
export interface V1MetricSpec {
  type: string;
  object?: { target: CrossVersionObjectReference; metricName: string; targetValue: string; selector?: LabelSelector; averageValue?: string };
  pods?: { metricName: string; targetAverageValue: string; selector?: LabelSelector };
  resource?: { name: string; targetAverageUtilization?: number; targetAverageValue?: string };
  containerResource?: { name: string; targetAverageUtilization?: number; targetAverageValue?: string; container: string };
  external?: { metricName: string; metricSelector?: LabelSelector; targetValue?: string; targetAverageValue?: string };
}

/** autoscaling/v1 MetricStatus, as kept in the autoscaling.alpha.kubernetes.io/current-metrics annotation. */
export interface V1MetricStatus {
  type: string;
  object?: { target: CrossVersionObjectReference; metricName: string; currentValue: string; selector?: LabelSelector; averageValue?: string };
  pods?: { metricName: string; currentAverageValue: string; selector?: LabelSelector };
  resource?: { name: string; currentAverageUtilization?: number; currentAverageValue: string };
  containerResource?: { name: string; currentAverageUtilization?: number; currentAverageValue: string; container: string };
  external?: { metricName: string; metricSelector?: LabelSelector; currentValue: string; currentAverageValue?: string };
}

/** autoscaling/v1 HorizontalPodAutoscalerCondition, as kept in the autoscaling.alpha.kubernetes.io/conditions annotation. */
export interface V1Condition {
  type: string;
  status: string;
  lastTransitionTime: string | null;
  reason?: string;
  message?: string;
}

/**
 * The behavior annotation holds upstream's internal Go type, which has no JSON tags: the keys are
 * the Go field names.
 */
export interface InternalBehavior {
  ScaleUp: InternalScalingRules | null;
  ScaleDown: InternalScalingRules | null;
}

export interface InternalScalingRules {
  StabilizationWindowSeconds: number | null;
  SelectPolicy: string | null;
  Policies: Array<{ Type: string; Value: number; PeriodSeconds: number }> | null;
}
