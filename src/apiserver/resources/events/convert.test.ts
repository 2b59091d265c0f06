import { describe, expect, test } from "bun:test";
import { type CoreEvent, coreToEventsV1, eventsV1ToCore, type EventsV1EventWire } from "./convert.ts";

const metadata = { name: "web-1.17a2b3c4d5e6f7a8", namespace: "default", uid: "u1", resourceVersion: "42", creationTimestamp: "2025-01-01T00:00:00Z" };

/** A kubelet event as core/v1 serves it (legacy fields set, the new ones empty). */
const legacyCore: CoreEvent = {
  apiVersion: "v1",
  kind: "Event",
  metadata,
  involvedObject: { apiVersion: "v1", kind: "Pod", name: "web-1", namespace: "default", uid: "p1", resourceVersion: "7", fieldPath: "spec.containers{nginx}" },
  reason: "Started",
  message: "Started container nginx",
  source: { component: "kubelet", host: "node1" },
  firstTimestamp: "2025-01-01T00:00:00Z",
  lastTimestamp: "2025-01-01T00:05:00Z",
  count: 3,
  type: "Normal",
  eventTime: null,
  reportingComponent: "kubelet",
  reportingInstance: "node1",
};

/** The same event as events.k8s.io/v1 serves it. */
const legacyV1: EventsV1EventWire = {
  apiVersion: "events.k8s.io/v1",
  kind: "Event",
  metadata,
  eventTime: null,
  reportingController: "kubelet",
  reportingInstance: "node1",
  reason: "Started",
  regarding: { apiVersion: "v1", kind: "Pod", name: "web-1", namespace: "default", uid: "p1", resourceVersion: "7", fieldPath: "spec.containers{nginx}" },
  note: "Started container nginx",
  type: "Normal",
  deprecatedSource: { component: "kubelet", host: "node1" },
  deprecatedFirstTimestamp: "2025-01-01T00:00:00Z",
  deprecatedLastTimestamp: "2025-01-01T00:05:00Z",
  deprecatedCount: 3,
};

/** A new-style event written through events.k8s.io/v1 by a controller. */
const seriesV1: EventsV1EventWire = {
  apiVersion: "events.k8s.io/v1",
  kind: "Event",
  metadata,
  eventTime: "2025-01-01T00:00:00.123456Z",
  series: { count: 4, lastObservedTime: "2025-01-01T00:10:00.000000Z" },
  reportingController: "example.com/controller",
  reportingInstance: "controller-0",
  action: "Reconcile",
  reason: "Synced",
  regarding: { apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: "default" },
  related: { apiVersion: "v1", kind: "Pod", name: "web-1", namespace: "default" },
  note: "synced",
  type: "Warning",
  deprecatedSource: {},
  deprecatedFirstTimestamp: null,
  deprecatedLastTimestamp: null,
};

const seriesCore: CoreEvent = {
  apiVersion: "v1",
  kind: "Event",
  metadata,
  involvedObject: { apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: "default" },
  reason: "Synced",
  message: "synced",
  source: {},
  firstTimestamp: null,
  lastTimestamp: null,
  type: "Warning",
  eventTime: "2025-01-01T00:00:00.123456Z",
  series: { count: 4, lastObservedTime: "2025-01-01T00:10:00.000000Z" },
  action: "Reconcile",
  related: { apiVersion: "v1", kind: "Pod", name: "web-1", namespace: "default" },
  reportingComponent: "example.com/controller",
  reportingInstance: "controller-0",
};

describe("event conversion", () => {
  test.each([
    ["legacy", legacyCore, legacyV1],
    ["series", seriesCore, seriesV1],
  ])("%s: core/v1 -> events.k8s.io/v1 maps every field", (_, core, v1) => {
    expect(coreToEventsV1(core)).toEqual(v1);
    expect(eventsV1ToCore(v1)).toEqual(core);
  });

  test.each([
    ["legacy", legacyCore, legacyV1],
    ["series", seriesCore, seriesV1],
  ])("%s: round-trips in both directions", (_, core, v1) => {
    expect(eventsV1ToCore(coreToEventsV1(core))).toEqual(core);
    expect(coreToEventsV1(eventsV1ToCore(v1))).toEqual(v1);
  });

  test("missing fields come out as Go writes them: nulls, empty structs, empty reporting fields", () => {
    const core = eventsV1ToCore({ apiVersion: "events.k8s.io/v1", kind: "Event", metadata: { name: "e" } } as EventsV1EventWire);
    expect(core).toEqual({
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: "e" },
      involvedObject: {},
      source: {},
      firstTimestamp: null,
      lastTimestamp: null,
      eventTime: null,
      reportingComponent: "",
      reportingInstance: "",
    });
    expect(coreToEventsV1({ apiVersion: "v1", kind: "Event", metadata: { name: "e" }, involvedObject: {} })).toEqual({
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      metadata: { name: "e" },
      eventTime: null,
      regarding: {},
      deprecatedSource: {},
      deprecatedFirstTimestamp: null,
      deprecatedLastTimestamp: null,
    });
  });

  test("the conversions copy: the input is left alone", () => {
    const input = structuredClone(legacyCore);
    const out = coreToEventsV1(input);
    out.regarding!.name = "changed";
    out.metadata!.name = "changed";
    expect(input).toEqual(legacyCore);
  });

  test("Go's zero time reads as unset", () => {
    const core = eventsV1ToCore({ ...seriesV1, deprecatedFirstTimestamp: "0001-01-01T00:00:00Z" });
    expect(core.firstTimestamp).toBeNull();
  });
});
