/** The discovery.k8s.io group's resources. */
import type { ResourceDefinition } from "../../registry/definition.ts";
import { endpointSliceDefinition } from "./endpointslices.ts";

export const discoveryDefinitions: ResourceDefinition[] = [endpointSliceDefinition];
