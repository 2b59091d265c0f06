import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import { cells, create, NOW, update } from "../workloads/testing.ts";
import { coreToEventsV1, eventsV1ToCore, type EventsV1EventWire } from "./convert.ts";
import { eventsV1Definition } from "./events.ts";

/** What client-go's events/v1 recorder posts. */
const recorded: EventsV1EventWire = {
  apiVersion: "events.k8s.io/v1",
  kind: "Event",
  metadata: { name: "web.1811a2b3c4d5e6f7", namespace: "default" },
  eventTime: "2025-01-01T00:00:00.000000Z",
  reportingController: "example.com/controller",
  reportingInstance: "controller-0",
  action: "Scaling",
  reason: "ScalingReplicaSet",
  regarding: { apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: "default" },
  note: "Scaled up replica set web-abc to 3",
  type: "Normal",
};

const obj = (e: EventsV1EventWire) => e as unknown as KubeObject;
const def = eventsV1Definition;

describe("events.k8s.io/v1 events: create", () => {
  test("accepts what the events/v1 recorder writes", () => {
    expect(create(def, obj(recorded)).errors).toEqual([]);
  });

  test.each<[string, Partial<EventsV1EventWire>, string[]]>([
    ["no eventTime", { eventTime: null }, ["eventTime: Required value"]],
    ["a bad type", { type: "Info" }, ['type: Invalid value: "": has invalid value: Info']],
    ["no reporter", { reportingController: "", reportingInstance: "" }, ["reportingController: Required value", "reportingController: Invalid value: \"\": name part must be non-empty", "reportingInstance: Required value"]],
    ["no action or reason", { action: undefined, reason: undefined }, ["action: Required value", "reason: Required value"]],
    ["a long note", { note: "x".repeat(1025) }, ['message: Invalid value: "": can have at most 1024 characters']],
    ["deprecated fields", { deprecatedCount: 2, deprecatedSource: { component: "kubelet" }, deprecatedFirstTimestamp: "2025-01-01T00:00:00Z" }, ['firstTimestamp: Invalid value: "": needs to be unset', 'count: Invalid value: "": needs to be unset', 'source: Invalid value: "": needs to be unset']],
    ["a short series", { series: { count: 1, lastObservedTime: "2025-01-01T00:00:00.000000Z" } }, ['series.count: Invalid value: "": should be at least 2']],
    [
      "a cluster-scoped object outside default/kube-system",
      { metadata: { name: "n1.1", namespace: "apps" }, regarding: { kind: "Node", name: "n1" } },
      ['involvedObject.namespace: Invalid value: "": does not match event.namespace'],
    ],
  ])("rejects %s (with core/v1 field names, as upstream)", (_, change, messages) => {
    expect(create(def, obj({ ...recorded, ...change })).errors).toEqual(messages);
  });

  test.each(["default", "kube-system"])("cluster-scoped objects may be reported in %s", (namespace) => {
    const e = { ...recorded, metadata: { name: "n1.1", namespace }, regarding: { kind: "Node", name: "n1" } };
    expect(create(def, obj(e)).errors).toEqual([]);
  });
});

describe("events.k8s.io/v1 events: update", () => {
  const stored = create(def, obj(recorded)).obj;

  test("a series update is allowed; the deprecated-field rules of create do not apply", () => {
    const next = { ...stored, series: { count: 2, lastObservedTime: "2025-01-01T00:01:00.000000Z" } };
    expect(update(def, next, stored).errors).toEqual([]);
    const legacy = obj({ ...recorded, deprecatedCount: 5 });
    expect(update(def, legacy, legacy).errors).toEqual([]);
  });

  test("everything but the series is immutable", () => {
    const next = { ...stored, note: "changed", reason: "Other", reportingController: "other" };
    expect(update(def, next, stored).errors).toEqual([
      'reason: Invalid value: "Other": field is immutable',
      'message: Invalid value: "changed": field is immutable',
      'reportingController: Invalid value: "other": field is immutable',
    ]);
  });

  test("a changed series is checked again", () => {
    const next = { ...stored, series: { count: 1, lastObservedTime: null } };
    expect(update(def, next, stored).errors).toEqual(['series.count: Invalid value: "": should be at least 2', "series.lastObservedTime: Required value"]);
  });
});

describe("events.k8s.io/v1 events: table and selectors", () => {
  const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

  test("a new-style singleton event", () => {
    const e = obj({ ...recorded, eventTime: ago(30) });
    expect(cells(def, e)).toEqual({
      "Last Seen": "30s",
      Type: "Normal",
      Reason: "ScalingReplicaSet",
      Object: "deployment/web",
      Subobject: "",
      Source: "example.com/controller, controller-0",
      Message: "Scaled up replica set web-abc to 3",
      "First Seen": "30s",
      Count: 1,
      Name: "web.1811a2b3c4d5e6f7",
    });
  });

  test("a series reports its last observation and count", () => {
    const e = obj({ ...recorded, eventTime: ago(600), series: { count: 7, lastObservedTime: ago(5) } });
    expect(cells(def, e)).toMatchObject({ "Last Seen": "5s", "First Seen": "10m", Count: 7 });
  });

  test("a legacy event, in either shape", () => {
    const legacy = obj({
      ...recorded,
      eventTime: null,
      reportingController: undefined,
      reportingInstance: undefined,
      deprecatedSource: { component: "kubelet", host: "node1" },
      deprecatedFirstTimestamp: ago(3600),
      deprecatedLastTimestamp: ago(60),
      deprecatedCount: 12,
      note: "  Pulling image  \n",
      regarding: { kind: "Pod", name: "web-1", fieldPath: "spec.containers{nginx}" },
    });
    const expected = { "Last Seen": "60s", "First Seen": "60m", Count: 12, Source: "kubelet, node1", Message: "Pulling image", Object: "pod/web-1", Subobject: "spec.containers{nginx}" };
    expect(cells(def, legacy)).toMatchObject(expected);
    // The stored core/v1 shape prints the same row.
    const stored = eventsV1ToCore(legacy as unknown as EventsV1EventWire) as unknown as KubeObject;
    expect(cells(def, stored)).toEqual(cells(def, legacy));
  });

  test("columns as upstream: no AGE, wide columns and NAME last", () => {
    expect(def.printerColumns!.map((c) => [c.name, c.priority])).toEqual([
      ["Last Seen", 0],
      ["Type", 0],
      ["Reason", 0],
      ["Object", 0],
      ["Subobject", 1],
      ["Source", 1],
      ["Message", 0],
      ["First Seen", 1],
      ["Count", 1],
      ["Name", 1],
    ]);
  });

  test("field selectors use the events.k8s.io spellings", () => {
    const sel = def.fieldSelectors!;
    const e = obj(recorded);
    expect(sel["regarding.name"]!(e)).toBe("web");
    expect(sel["regarding.kind"]!(e)).toBe("Deployment");
    expect(sel.reportingController!(e)).toBe("example.com/controller");
    expect(sel.source!(e)).toBe("example.com/controller");
    expect(sel.type!(e)).toBe("Normal");
    expect(sel["involvedObject.name"]).toBeUndefined();
    const core = coreToEventsV1({ apiVersion: "v1", kind: "Event", metadata: {}, involvedObject: { name: "p" }, source: { component: "kubelet" } });
    expect(sel.source!(obj(core))).toBe("kubelet");
  });

  test("discovery metadata: shares core events' storage, short name ev, TTL an hour", () => {
    expect(def).toMatchObject({ group: "events.k8s.io", version: "v1", plural: "events", storagePath: "events", shortNames: ["ev"], ttlSeconds: 3600 });
  });
});
