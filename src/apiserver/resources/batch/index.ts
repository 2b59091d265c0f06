import type { ResourceDefinition } from "../../registry/definition.ts";
import { cronJobDefinition } from "./cronjobs.ts";
import { jobDefinition } from "./jobs.ts";

export const batchDefinitions: ResourceDefinition[] = [cronJobDefinition, jobDefinition];
