/**
 * events.k8s.io/v1 Event: the structured view of the objects core/v1 serves as events. Both
 * versions share one storage key (/registry/events/<ns>/<name>); the object is kept in the core/v1
 * shape and converted with ./convert.ts at the edges. The hooks below accept either shape, so they
 * work whichever side of that conversion the store calls them on.
 */
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject } from "../../api/types.ts";
import type { ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { type CoreEvent, eventsV1ToCore, type EventsV1EventWire } from "./convert.ts";
import { eventColumns } from "./event-columns.ts";
import { EVENT_RESOURCE, eventFieldSelectors } from "./event-resource.ts";
import { rememberUpdate, storedObjectOf } from "../workloads/update-context.ts";
import { validateStrictEventCreate, validateStrictEventUpdate } from "./event-validation.ts";

/** The core/v1 view of an event, whichever version the object is in. */
export function asCoreEvent(obj: KubeObject): CoreEvent {
  return obj.apiVersion === "v1" ? (obj as CoreEvent) : eventsV1ToCore(obj as EventsV1EventWire);
}

const strategy: Strategy = {
  prepareForUpdate: rememberUpdate,
  /** Upstream checks events.k8s.io creates strictly (no deprecated fields), updates only for immutability. */
  validate(obj): FieldError[] {
    if (storedObjectOf(obj)) return [];
    return validateStrictEventCreate(asCoreEvent(obj));
  },
  validateUpdate: (obj, old) => validateStrictEventUpdate(asCoreEvent(obj), asCoreEvent(old)),
};

export const eventsV1Definition: ResourceDefinition = {
  group: "events.k8s.io",
  version: "v1",
  ...EVENT_RESOURCE,
  printerColumns: eventColumns(asCoreEvent),
  // upstream's field label conversions: regarding.* is involvedObject.*, reportingController is reportingComponent.
  fieldSelectors: eventFieldSelectors(asCoreEvent, "regarding", "reportingController"),
  strategy,
};
