/**
 * core/v1 Event <-> events.k8s.io/v1 Event. Both versions are one stored object
 * (/registry/events/<ns>/<name>, kept in the core/v1 shape as kube-apiserver stores it), so the
 * store serves either shape by converting, as upstream's pkg/apis/events/v1 conversion does:
 *
 *   core/v1              events.k8s.io/v1
 *   message              note
 *   involvedObject       regarding
 *   source               deprecatedSource
 *   firstTimestamp       deprecatedFirstTimestamp
 *   lastTimestamp        deprecatedLastTimestamp
 *   count                deprecatedCount
 *   reportingComponent   reportingController
 *   (same name)          metadata, eventTime, series, action, reason, related, type, reportingInstance
 *
 * Both functions are pure and emit the fields exactly as Go's JSON encoder writes them: zero
 * timestamps as null, always-present struct fields ({}), omitempty strings and counts left out.
 */
import type { CoreV1Event, EventsV1Event, V1EventSource, V1ObjectReference } from "@kubernetes/client-node";
import type { ObjectMeta, Wire } from "../../api/types.ts";

/** Go writes a zero metav1.Time / MicroTime as null, so these fields may be null on the wire. */
type Nullable<T, K extends keyof T> = Omit<T, K> & { [P in K]?: T[P] | null };

export type CoreEvent = Nullable<Wire<CoreV1Event>, "eventTime" | "firstTimestamp" | "lastTimestamp">;
export type EventsV1EventWire = Nullable<Wire<EventsV1Event>, "eventTime" | "deprecatedFirstTimestamp" | "deprecatedLastTimestamp">;

type ObjectReference = Wire<V1ObjectReference>;
type EventSource = Wire<V1EventSource>;
interface Series {
  count?: number;
  lastObservedTime?: string | null;
}

/** The stored (core/v1) shape as an events.k8s.io/v1 Event. */
export function coreToEventsV1(input: CoreEvent): EventsV1EventWire {
  const e = structuredClone(input);
  const out: EventsV1EventWire = { apiVersion: "events.k8s.io/v1", kind: "Event", metadata: meta(e.metadata), eventTime: time(e.eventTime) };
  if (e.series) out.series = series(e.series) as EventsV1EventWire["series"];
  if (e.reportingComponent) out.reportingController = e.reportingComponent;
  if (e.reportingInstance) out.reportingInstance = e.reportingInstance;
  if (e.action) out.action = e.action;
  if (e.reason) out.reason = e.reason;
  out.regarding = reference(e.involvedObject);
  if (e.related) out.related = reference(e.related);
  if (e.message) out.note = e.message;
  if (e.type) out.type = e.type;
  out.deprecatedSource = source(e.source);
  out.deprecatedFirstTimestamp = time(e.firstTimestamp);
  out.deprecatedLastTimestamp = time(e.lastTimestamp);
  if (e.count) out.deprecatedCount = e.count;
  return out;
}

/** An events.k8s.io/v1 Event in the stored (core/v1) shape. */
export function eventsV1ToCore(input: EventsV1EventWire): CoreEvent {
  const e = structuredClone(input);
  const out: CoreEvent = { apiVersion: "v1", kind: "Event", metadata: meta(e.metadata), involvedObject: reference(e.regarding) };
  if (e.reason) out.reason = e.reason;
  if (e.note) out.message = e.note;
  out.source = source(e.deprecatedSource);
  out.firstTimestamp = time(e.deprecatedFirstTimestamp);
  out.lastTimestamp = time(e.deprecatedLastTimestamp);
  if (e.deprecatedCount) out.count = e.deprecatedCount;
  if (e.type) out.type = e.type;
  out.eventTime = time(e.eventTime);
  if (e.series) out.series = series(e.series, true) as CoreEvent["series"];
  if (e.action) out.action = e.action;
  if (e.related) out.related = reference(e.related);
  // core/v1 writes both reporting fields even when empty (no omitempty upstream).
  out.reportingComponent = e.reportingController ?? "";
  out.reportingInstance = e.reportingInstance ?? "";
  return out;
}

/** metav1.Time's zero value ("0001-01-01T00:00:00Z") and absence both encode as null. */
function time(t: string | null | undefined): string | null {
  return t && !t.startsWith("0001-01-01T00:00:00") ? t : null;
}

function meta(m: ObjectMeta | undefined): ObjectMeta {
  return m ?? {};
}

/** ObjectReference's fields are all omitempty strings. */
function reference(ref: ObjectReference | undefined | null): ObjectReference {
  const out: ObjectReference = {};
  for (const k of ["apiVersion", "fieldPath", "kind", "name", "namespace", "resourceVersion", "uid"] as const) if (ref?.[k]) out[k] = ref[k];
  return out;
}

function source(s: EventSource | undefined | null): EventSource {
  const out: EventSource = {};
  if (s?.component) out.component = s.component;
  if (s?.host) out.host = s.host;
  return out;
}

/** EventSeries is the same {count, lastObservedTime} in both versions; core/v1 omits a zero count. */
function series(s: Series, omitZeroCount = false): Series {
  const out: Series = { count: s.count ?? 0, lastObservedTime: time(s.lastObservedTime) };
  if (omitZeroCount && !out.count) delete out.count;
  return out;
}
