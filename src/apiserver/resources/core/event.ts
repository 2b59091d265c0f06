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
import { EVENT_RESOURCE, eventFieldSelectors } from "../events/event-resource.ts";

const asEvent = (obj: KubeObject) => obj as CoreEvent;

function validateCoreEvent(e: CoreEvent): FieldError[] {
  return validateLegacyEvent(e).map((err) => (err.field === "reportingController" ? { ...err, field: "reportingComponent" } : err));
}

const strategy: Strategy = {
  validate: (obj) => validateCoreEvent(asEvent(obj)),
};

export const eventDefinition: ResourceDefinition = {
  group: "",
  version: "v1",
  ...EVENT_RESOURCE,
  verbs: ALL_VERBS,
  nameRule: "subdomain",
  printerColumns: eventColumns(asEvent),
  fieldSelectors: eventFieldSelectors(asEvent, "involvedObject", "reportingComponent"),
  strategy,
};
