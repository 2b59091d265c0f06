/** The autoscaling API group: HorizontalPodAutoscalers, stored as v2 and served as v2 (preferred) and v1. */
import type { ResourceDefinition } from "../../registry/definition.ts";
import { hpaV1Definition, hpaV2Definition } from "./horizontalpodautoscalers.ts";

export const autoscalingDefinitions: ResourceDefinition[] = [hpaV2Definition, hpaV1Definition];
