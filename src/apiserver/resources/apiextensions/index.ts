/** The apiextensions API group's resources: CustomResourceDefinitions (served from ../../crd). */
import type { ResourceDefinition } from "../../registry/definition.ts";
import { customResourceDefinitionDefinition } from "../../crd/definition.ts";

export const apiextensionsDefinitions: ResourceDefinition[] = [customResourceDefinitionDefinition];
