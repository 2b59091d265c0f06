/** The scheduling API group's resources (filled in by the issue-4 work; empty until then). */
import type { ResourceDefinition } from "../../registry/definition.ts";

export const schedulingDefinitions: ResourceDefinition[] = [];
