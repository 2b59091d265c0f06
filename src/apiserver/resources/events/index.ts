import type { ResourceDefinition } from "../../registry/definition.ts";
import { eventsV1Definition } from "./events.ts";

export const eventsDefinitions: ResourceDefinition[] = [eventsV1Definition];
