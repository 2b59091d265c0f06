/**
 * Every built-in resource the API server serves, in one list. Each group's folder describes its
 * types; this file only collects them (and adds what spans groups, such as the conversion that
 * serves events.k8s.io/v1 Events from the stored core/v1 Events). Groups whose resources answer
 * from server state (reviews) are built from the dependencies they need.
 */
import type { KubeObject } from "../api/types.ts";
import type { ResourceDefinition } from "../registry/definition.ts";
import { admissionregistrationDefinitions } from "./admissionregistration/index.ts";
import { apiextensionsDefinitions } from "./apiextensions/index.ts";
import { appsDefinitions } from "./apps/index.ts";
import { authenticationDefinitions, type AuthenticationDeps } from "./authentication/index.ts";
import { authorizationDefinitions, type AuthorizationDeps } from "./authorization/index.ts";
import { autoscalingDefinitions } from "./autoscaling/index.ts";
import { batchDefinitions } from "./batch/index.ts";
import { certificatesDefinitions } from "./certificates/index.ts";
import { coordinationDefinitions } from "./coordination/index.ts";
import { coreDefinitions } from "./core/index.ts";
import { discoveryDefinitions } from "./discovery/index.ts";
import { coreToEventsV1, eventsV1ToCore, type CoreEvent, type EventsV1EventWire } from "./events/convert.ts";
import { eventsDefinitions } from "./events/index.ts";
import { networkingDefinitions } from "./networking/index.ts";
import { nodeDefinitions } from "./node/index.ts";
import { policyDefinitions } from "./policy/index.ts";
import { rbacDefinitions } from "./rbac/index.ts";
import { schedulingDefinitions } from "./scheduling/index.ts";
import { storageDefinitions } from "./storage/index.ts";

export type BuiltinDeps = AuthenticationDeps & AuthorizationDeps;

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

/** Without dependencies, the review resources are left out (tests of the stored types). */
export function builtinDefinitions(deps?: BuiltinDeps): ResourceDefinition[] {
  return [
    ...coreDefinitions,
    ...appsDefinitions,
    ...batchDefinitions,
    ...coordinationDefinitions,
    ...eventsDefinitions.map(withEventConversion),
    ...rbacDefinitions,
    ...networkingDefinitions,
    ...storageDefinitions,
    ...schedulingDefinitions,
    ...nodeDefinitions,
    ...discoveryDefinitions,
    ...policyDefinitions,
    ...autoscalingDefinitions,
    ...certificatesDefinitions,
    ...admissionregistrationDefinitions,
    ...apiextensionsDefinitions,
    ...(deps ? [...authenticationDefinitions(deps), ...authorizationDefinitions(deps)] : []),
  ];
}
