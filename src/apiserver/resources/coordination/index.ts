import type { ResourceDefinition } from "../../registry/definition.ts";
import { leaseDefinition } from "./leases.ts";

export const coordinationDefinitions: ResourceDefinition[] = [leaseDefinition];
