/** The node.k8s.io group's resources. */
import type { ResourceDefinition } from "../../registry/definition.ts";
import { runtimeClassDefinition } from "./runtimeclasses.ts";

export const nodeDefinitions: ResourceDefinition[] = [runtimeClassDefinition];
