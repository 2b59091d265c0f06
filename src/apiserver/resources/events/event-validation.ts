/**
 * Event validation (upstream pkg/apis/core/validation/events.go). It runs on the core/v1 shape and
 * reports core/v1 field names (involvedObject, message, ...) whichever API the request used, as
 * upstream does. Every event passes the legacy checks; writes through events.k8s.io/v1 also get
 * the strict ones.
 */
import type { FieldError } from "../../api/errors.ts";
import { field, invalidEach } from "../../validation/field.ts";
import { isDNS1123Subdomain, isQualifiedName } from "../../validation/names.ts";
import { semanticEqual } from "../workloads/semantic-equal.ts";
import type { CoreEvent } from "./convert.ts";

const REPORTING_INSTANCE_MAX = 128;
const ACTION_MAX = 128;
const REASON_MAX = 128;
const NOTE_MAX = 1024;

/** Go measures these limits in bytes. */
const byteLength = (s: string | undefined) => new TextEncoder().encode(s ?? "").length;

function tooLong(path: string, value: string | undefined, max: number): FieldError[] {
  return byteLength(value) > max ? [field.invalid(path, "", `can have at most ${max} characters`)] : [];
}

/** upstream's legacyValidateEvent: namespaces agree; new-style events name their reporter. */
export function validateLegacyEvent(e: CoreEvent): FieldError[] {
  const errs: FieldError[] = [];
  const namespace = e.metadata?.namespace ?? "";
  const involvedNamespace = e.involvedObject?.namespace ?? "";
  const mismatch = () => field.invalid("involvedObject.namespace", involvedNamespace, "does not match event.namespace");
  if (!e.eventTime) {
    if (!involvedNamespace ? namespace !== "" && namespace !== "default" : namespace !== involvedNamespace) errs.push(mismatch());
  } else {
    if (!involvedNamespace && namespace !== "default" && namespace !== "kube-system") errs.push(mismatch());
    const controller = e.reportingComponent ?? "";
    if (!controller) errs.push(field.required("reportingController"));
    errs.push(...invalidEach("reportingController", controller, isQualifiedName(controller)));
    if (!e.reportingInstance) errs.push(field.required("reportingInstance"));
    errs.push(...tooLong("reportingInstance", e.reportingInstance, REPORTING_INSTANCE_MAX));
    if (!e.action) errs.push(field.required("action"));
    errs.push(...tooLong("action", e.action, ACTION_MAX));
    if (!e.reason) errs.push(field.required("reason"));
    errs.push(...tooLong("reason", e.reason, REASON_MAX));
    errs.push(...tooLong("message", e.message, NOTE_MAX));
  }
  errs.push(...invalidEach("namespace", namespace, isDNS1123Subdomain(namespace)));
  return errs;
}

function validateSeries(e: CoreEvent): FieldError[] {
  if (!e.series) return [];
  const errs: FieldError[] = [];
  if ((e.series.count ?? 0) < 2) errs.push(field.invalid("series.count", "", "should be at least 2"));
  if (!e.series.lastObservedTime) errs.push(field.required("series.lastObservedTime"));
  return errs;
}

/** upstream's ValidateEventCreate for events.k8s.io/v1: the deprecated fields must stay unset. */
export function validateStrictEventCreate(e: CoreEvent): FieldError[] {
  const errs = [...validateLegacyEvent(e), ...validateSeries(e)];
  if (!e.eventTime) errs.push(field.required("eventTime"));
  if (e.type !== "Normal" && e.type !== "Warning") errs.push(field.invalid("type", "", `has invalid value: ${e.type ?? ""}`));
  if (e.firstTimestamp) errs.push(field.invalid("firstTimestamp", "", "needs to be unset"));
  if (e.lastTimestamp) errs.push(field.invalid("lastTimestamp", "", "needs to be unset"));
  if (e.count) errs.push(field.invalid("count", "", "needs to be unset"));
  if (e.source?.component || e.source?.host) errs.push(field.invalid("source", "", "needs to be unset"));
  return errs;
}

/** Fields an events.k8s.io/v1 update may not change, by core/v1 name (reportingComponent is reported as reportingController). */
const IMMUTABLE: Array<[keyof CoreEvent, string]> = [
  ["involvedObject", "involvedObject"],
  ["reason", "reason"],
  ["message", "message"],
  ["source", "source"],
  ["firstTimestamp", "firstTimestamp"],
  ["lastTimestamp", "lastTimestamp"],
  ["count", "count"],
  ["type", "type"],
  ["eventTime", "eventTime"],
  ["action", "action"],
  ["related", "related"],
  ["reportingComponent", "reportingController"],
  ["reportingInstance", "reportingInstance"],
];

/** upstream's ValidateEventUpdate for events.k8s.io/v1: only the series (and metadata) may change. */
export function validateStrictEventUpdate(e: CoreEvent, old: CoreEvent): FieldError[] {
  const errs = validateLegacyEvent(e);
  if (!semanticEqual(e.series, old.series)) errs.push(...validateSeries(e));
  for (const [key, path] of IMMUTABLE) {
    if (!semanticEqual(e[key], old[key])) errs.push(field.immutable(path, e[key] ?? ""));
  }
  return errs;
}
