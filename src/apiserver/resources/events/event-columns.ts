/**
 * The Event table (upstream printEvent). Both API versions print from the core/v1 shape, as
 * upstream prints both from its internal type; `asCore` gives that view of a row's object.
 */
import type { KubeObject } from "../../api/types.ts";
import type { PrinterColumn } from "../../registry/definition.ts";
import { age, nameColumn } from "../printing.ts";
import type { CoreEvent } from "./convert.ts";

type Cell = (e: CoreEvent, now: number) => unknown;

const since = (t: string | null | undefined, now: number) => age(t ?? undefined, now);

function firstSeen(e: CoreEvent, now: number): string {
  return e.firstTimestamp ? since(e.firstTimestamp, now) : since(e.eventTime, now);
}

/** Series events report their latest observation; older ones their last timestamp. */
function lastSeen(e: CoreEvent, now: number): string {
  if (e.series) return since(e.series.lastObservedTime, now);
  return e.lastTimestamp ? since(e.lastTimestamp, now) : firstSeen(e, now);
}

/** Singleton events of the new API carry no count: they happened once. */
function count(e: CoreEvent): number {
  if (e.series) return e.series.count ?? 0;
  return e.count || 1;
}

function target(e: CoreEvent): string {
  const kind = (e.involvedObject?.kind ?? "").toLowerCase();
  return e.involvedObject?.name ? `${kind}/${e.involvedObject.name}` : kind;
}

/** upstream's formatEventSource: component (or reporting controller), then ", host" when known. */
function source(e: CoreEvent): string {
  const component = e.source?.component || e.reportingComponent || "";
  const instance = e.source?.host || e.reportingInstance || "";
  return instance ? `${component}, ${instance}` : component;
}

function column(name: string, description: string, priority: number, cell: Cell, asCore: (obj: KubeObject) => CoreEvent): PrinterColumn {
  return { name, type: "string", format: "", description, priority, cell: (obj, now) => cell(asCore(obj), now) };
}

export function eventColumns(asCore: (obj: KubeObject) => CoreEvent): PrinterColumn[] {
  const c = (name: string, description: string, priority: number, cell: Cell) => column(name, description, priority, cell, asCore);
  return [
    c("Last Seen", "The time at which the most recent occurrence of this event was recorded.", 0, lastSeen),
    c("Type", "Type of this event (Normal, Warning), new types could be added in the future", 0, (e) => e.type ?? ""),
    c("Reason", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.", 0, (e) => e.reason ?? ""),
    c("Object", "The object that this event is about.", 0, target),
    c(
      "Subobject",
      'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: "spec.containers{name}" (where "name" refers to the name of the container that triggered the event) or if no container name is specified "spec.containers[2]" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.',
      1,
      (e) => e.involvedObject?.fieldPath ?? "",
    ),
    c("Source", "The component reporting this event. Should be a short machine understandable string.", 1, source),
    c("Message", "A human-readable description of the status of this operation.", 0, (e) => (e.message ?? "").trim()),
    c("First Seen", "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)", 1, firstSeen),
    c("Count", "The number of times this event has occurred.", 1, count),
    { ...nameColumn, priority: 1 },
  ];
}
