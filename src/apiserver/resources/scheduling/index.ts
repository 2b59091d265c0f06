/** The scheduling.k8s.io group's resources, and the built-in classes kts creates at start. */
import type { ResourceDefinition } from "../../registry/definition.ts";
import { priorityClassDefinition } from "./priorityclasses.ts";

export { bootstrapPriorityClasses } from "./system-classes.ts";

export const schedulingDefinitions: ResourceDefinition[] = [priorityClassDefinition];
