/**
 * events.k8s.io/v1 protobuf schema (kinds below and every message they reach), as of Kubernetes 1.32.
 * Field numbers follow k8s.io/api events/v1; JSON names, pointer-ness (`*`) and omitempty follow the Go
 * struct tags, because decoding must yield the JSON that upstream's json.Marshal would print.
 * Fields are listed in Go declaration order, which is JSON key order. Format: ./table.ts.
 */
import type { GroupSchema } from "./table.ts";

export const EVENTS_V1: GroupSchema = {
  group: "events.k8s.io",
  version: "v1",
  kinds: [
    "Event", "EventList",
  ],
  messages: {
    Event: {
      metadata: [1, "meta.ObjectMeta", "always"], eventTime: [2, "MicroTime", "always"], series: [3, "*EventSeries"],
      reportingController: [4, "string"], reportingInstance: [5, "string"], action: [6, "string"], reason: [7, "string"],
      regarding: [8, "core.ObjectReference"], related: [9, "*core.ObjectReference"], note: [10, "string"], type: [11, "string"],
      deprecatedSource: [12, "core.EventSource"], deprecatedFirstTimestamp: [13, "Time"], deprecatedLastTimestamp: [14, "Time"],
      deprecatedCount: [15, "int32"],
    },
    EventList: { metadata: [1, "meta.ListMeta"], items: [2, "[]Event", "always"] },
    EventSeries: { count: [1, "int32", "always"], lastObservedTime: [2, "MicroTime", "always"] },
  },
};
