import type { ResourceDefinition } from "../../registry/definition.ts";
import { controllerRevisionDefinition } from "./controllerrevisions.ts";
import { daemonSetDefinition } from "./daemonsets.ts";
import { deploymentDefinition } from "./deployments.ts";
import { replicaSetDefinition } from "./replicasets.ts";
import { statefulSetDefinition } from "./statefulsets.ts";

export const appsDefinitions: ResourceDefinition[] = [
  controllerRevisionDefinition,
  daemonSetDefinition,
  deploymentDefinition,
  replicaSetDefinition,
  statefulSetDefinition,
];
