/**
 * core/v1 events. They share storage (/registry/events) and the Table with events.k8s.io/v1
 * (resources/events), kept in this core/v1 shape; validation is upstream's legacy event check,
 * which names the reporter field "reportingComponent" for core/v1 requests.
 */
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject } from "../../api/types.ts";
import type { ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { ALL_VERBS } from "../../registry/definition.ts";
import type { CoreEvent } from "../events/convert.ts";
import { eventColumns } from "../events/event-columns.ts";
import { validateLegacyEvent } from "../events/event-validation.ts";

const asEvent = (obj: KubeObject) => obj as CoreEvent;

function validateCoreEvent(e: CoreEvent): FieldError[] {
  return validateLegacyEvent(e).map((err) => (err.field === "reportingController" ? { ...err, field: "reportingComponent" } : err));
}

const strategy: Strategy = {
  validate: (obj) => validateCoreEvent(asEvent(obj)),
};

const involved = (key: "kind" | "namespace" | "name" | "uid" | "apiVersion" | "resourceVersion" | "fieldPath") => (obj: KubeObject) =>
  asEvent(obj).involvedObject?.[key] ?? "";

export const eventDefinition: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "Event",
  plural: "events",
  singular: "event",
  shortNames: ["ev"],
  namespaced: true,
  verbs: ALL_VERBS,
  storagePath: "events",
  nameRule: "subdomain",
  // kube-apiserver's default --event-ttl.
  ttlSeconds: 3600,
  // Events own nothing; the garbage collector ignores them.
  garbageCollectionPolicy: "Unsupported",
  allowCreateOnUpdate: true,
  printerColumns: eventColumns(asEvent),
  fieldSelectors: {
    "involvedObject.kind": involved("kind"),
    "involvedObject.namespace": involved("namespace"),
    "involvedObject.name": involved("name"),
    "involvedObject.uid": involved("uid"),
    "involvedObject.apiVersion": involved("apiVersion"),
    "involvedObject.resourceVersion": involved("resourceVersion"),
    "involvedObject.fieldPath": involved("fieldPath"),
    reason: (obj) => asEvent(obj).reason ?? "",
    reportingComponent: (obj) => asEvent(obj).reportingComponent ?? "",
    // The source component, or the reporting controller of events written through events.k8s.io.
    source: (obj) => asEvent(obj).source?.component || asEvent(obj).reportingComponent || "",
    type: (obj) => asEvent(obj).type ?? "",
  },
  strategy,
};
