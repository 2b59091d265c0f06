/** The policy API group: PodDisruptionBudgets (evictions are the pods/eviction subresource, in core/pod-eviction.ts). */
import type { ResourceDefinition } from "../../registry/definition.ts";
import { podDisruptionBudgetDefinition } from "./poddisruptionbudgets.ts";

export const policyDefinitions: ResourceDefinition[] = [podDisruptionBudgetDefinition];
