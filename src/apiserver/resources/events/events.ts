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

/** A field of the involved object, for the regarding.* selectors. */
const regarding = (key: "kind" | "namespace" | "name" | "uid" | "apiVersion" | "resourceVersion" | "fieldPath") => (obj: KubeObject) =>
  asCoreEvent(obj).involvedObject?.[key] ?? "";

/**
 * upstream's field label conversions for events.k8s.io/v1: its spellings map onto the core/v1
 * fields (regarding.* is involvedObject.*, reportingController is reportingComponent).
 */
const fieldSelectors: ResourceDefinition["fieldSelectors"] = {
  "regarding.kind": regarding("kind"),
  "regarding.namespace": regarding("namespace"),
  "regarding.name": regarding("name"),
  "regarding.uid": regarding("uid"),
  "regarding.apiVersion": regarding("apiVersion"),
  "regarding.resourceVersion": regarding("resourceVersion"),
  "regarding.fieldPath": regarding("fieldPath"),
  reason: (obj) => asCoreEvent(obj).reason ?? "",
  reportingController: (obj) => asCoreEvent(obj).reportingComponent ?? "",
  // The deprecated source component, or the reporting controller of new-style events.
  source: (obj) => asCoreEvent(obj).source?.component || asCoreEvent(obj).reportingComponent || "",
  type: (obj) => asCoreEvent(obj).type ?? "",
};

export const eventsV1Definition: ResourceDefinition = {
  group: "events.k8s.io",
  version: "v1",
  kind: "Event",
  plural: "events",
  singular: "event",
  shortNames: ["ev"],
  namespaced: true,
  storagePath: "events",
  // kube-apiserver's default --event-ttl.
  ttlSeconds: 3600,
  // Events own nothing; the garbage collector ignores them.
  garbageCollectionPolicy: "Unsupported",
  allowCreateOnUpdate: true,
  printerColumns: eventColumns(asCoreEvent),
  fieldSelectors,
  strategy,
};
