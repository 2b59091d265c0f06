import { describe, expect, test } from "bun:test";
import { eventDefinition as def } from "./event.ts";
import { ago, create, headers, row, selectable } from "./testing.ts";

const event = (extra: object) => ({
  apiVersion: "v1",
  kind: "Event",
  metadata: { name: "web.17f", namespace: "default" },
  involvedObject: { kind: "Pod", namespace: "default", name: "web", uid: "u1", apiVersion: "v1", resourceVersion: "42", fieldPath: "spec.containers{nginx}" },
  reason: "Pulled",
  message: "Successfully pulled image",
  type: "Normal",
  source: { component: "kubelet", host: "node-1" },
  count: 3,
  firstTimestamp: ago(600_000),
  lastTimestamp: ago(60_000),
  ...extra,
});

describe("core/v1 events", () => {
  test("validation uses core/v1 field names", () => {
    expect(create(def, event({})).errors).toEqual([]);
    expect(create(def, event({ involvedObject: { kind: "Pod", namespace: "other", name: "web" } })).errors).toEqual([
      'involvedObject.namespace: Invalid value: "other": does not match event.namespace',
    ]);
    const newStyle = create(def, event({ eventTime: ago(0), action: "Pulling" })).errors;
    expect(newStyle).toContain("reportingComponent: Required value");
    expect(newStyle).toContain("reportingInstance: Required value");
  });

  test("table", () => {
    expect(headers(def)).toEqual(["Last Seen", "Type", "Reason", "Object", "Subobject(wide)", "Source(wide)", "Message", "First Seen(wide)", "Count(wide)", "Name(wide)"]);
    const r = row(def, event({}));
    expect([r["Last Seen"], r.Type, r.Reason, r.Object, r.Subobject, r.Source, r.Message, r["First Seen"], r.Count, r.Name]).toEqual([
      "60s",
      "Normal",
      "Pulled",
      "pod/web",
      "spec.containers{nginx}",
      "kubelet, node-1",
      "Successfully pulled image",
      "10m",
      3,
      "web.17f",
    ]);
  });

  test("field selectors", () => {
    expect(selectable(def, event({}))).toEqual({
      "involvedObject.kind": "Pod",
      "involvedObject.namespace": "default",
      "involvedObject.name": "web",
      "involvedObject.uid": "u1",
      "involvedObject.apiVersion": "v1",
      "involvedObject.resourceVersion": "42",
      "involvedObject.fieldPath": "spec.containers{nginx}",
      reason: "Pulled",
      reportingComponent: "",
      source: "kubelet",
      type: "Normal",
    });
    expect(selectable(def, event({ source: {}, reportingComponent: "kts-controller" })).source).toBe("kts-controller");
  });
});
