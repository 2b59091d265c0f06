/** Wire shapes of the policy/v1 types, from @kubernetes/client-node's models. */
import type { V1DeleteOptions, V1Eviction, V1PodDisruptionBudget, V1PodDisruptionBudgetSpec, V1PodDisruptionBudgetStatus } from "@kubernetes/client-node";
import type { Wire } from "../../api/types.ts";

export type PodDisruptionBudgetSpec = Partial<Wire<V1PodDisruptionBudgetSpec>>;
export type PodDisruptionBudgetStatus = Partial<Wire<V1PodDisruptionBudgetStatus>>;
export type PodDisruptionBudget = Omit<Wire<V1PodDisruptionBudget>, "spec" | "status"> & { spec?: PodDisruptionBudgetSpec; status?: PodDisruptionBudgetStatus };
export type Eviction = Wire<V1Eviction>;
export type DeleteOptionsBody = Wire<V1DeleteOptions>;
