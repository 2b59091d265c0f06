/**
 * Every built-in resource the API server serves, in one list. Each group's folder describes its
 * types; this file only collects them (and adds what spans groups, such as the conversion that
 * serves events.k8s.io/v1 Events from the stored core/v1 Events).
 */
import type { KubeObject } from "../api/types.ts";
import type { ResourceDefinition } from "../registry/definition.ts";
import { appsDefinitions } from "./apps/index.ts";
import { batchDefinitions } from "./batch/index.ts";
import { coordinationDefinitions } from "./coordination/index.ts";
import { coreDefinitions } from "./core/index.ts";
import { coreToEventsV1, eventsV1ToCore, type CoreEvent, type EventsV1EventWire } from "./events/convert.ts";
import { eventsDefinitions } from "./events/index.ts";

function withEventConversion(def: ResourceDefinition): ResourceDefinition {
  if (def.group !== "events.k8s.io") return def;
  return {
    ...def,
    storageConversion: {
      toStored: (obj) => eventsV1ToCore(obj as EventsV1EventWire) as KubeObject,
      fromStored: (obj) => coreToEventsV1(obj as CoreEvent) as KubeObject,
    },
  };
}

export function builtinDefinitions(): ResourceDefinition[] {
  return [...coreDefinitions, ...appsDefinitions, ...batchDefinitions, ...coordinationDefinitions, ...eventsDefinitions.map(withEventConversion)];
}
