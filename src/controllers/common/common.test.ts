import { expect, test } from "bun:test";
import { deepEqual, canonicalJson } from "./equal.ts";
import { Expectations } from "./expectations.ts";
import { computeHash, fnv32a, safeEncode } from "./hash.ts";
import { scaledValue } from "./int-or-percent.ts";
import { fitsNodeAffinity, tolerates, untoleratedTaint } from "./node-match.ts";
import { isPodAvailable, podsToDelete } from "./pods.ts";
import { slowStartBatch } from "./slow-start.ts";
import type { Node, Pod } from "./types.ts";

const NOW = Date.parse("2026-01-01T12:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

function pod(name: string, opts: { node?: string; phase?: string; ready?: boolean; readySince?: number; created?: number; restarts?: number; cost?: string } = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      uid: `uid-${name}`,
      creationTimestamp: iso(opts.created ?? NOW - 3_600_000),
      ...(opts.cost ? { annotations: { "controller.kubernetes.io/pod-deletion-cost": opts.cost } } : {}),
    },
    spec: { containers: [{ name: "c" }], ...(opts.node ? { nodeName: opts.node } : {}) },
    status: {
      phase: opts.phase ?? "Running",
      conditions: [{ type: "Ready", status: opts.ready === false ? "False" : "True", lastTransitionTime: iso(opts.readySince ?? NOW - 3_600_000) }],
      containerStatuses: [{ name: "c", restartCount: opts.restarts ?? 0, ready: true, image: "", imageID: "" }],
    },
  } as Pod;
}

test("scale-down order: unscheduled, pending, not ready, cheaper, doubled up, recently ready, restarted, newer", () => {
  const order = (pods: Pod[], related = pods) => podsToDelete(pods, related, pods.length - 1, NOW).map((p) => p.metadata!.name);
  expect(order([pod("a", { node: "n1" }), pod("unscheduled")])).toEqual(["unscheduled"]);
  expect(order([pod("run", { node: "n1" }), pod("pending", { node: "n1", phase: "Pending" })])).toEqual(["pending"]);
  expect(order([pod("ready", { node: "n1" }), pod("notready", { node: "n1", ready: false })])).toEqual(["notready"]);
  expect(order([pod("dear", { node: "n1", cost: "100" }), pod("cheap", { node: "n1", cost: "-5" })])).toEqual(["cheap"]);
  // Two related pods share n1: one of those goes before the pod alone on n2.
  const crowded = [pod("alone", { node: "n2" }), pod("c1", { node: "n1" })];
  expect(order(crowded, [...crowded, pod("sibling", { node: "n1" })])).toEqual(["c1"]);
  // Ready for a minute vs for a day: the recent one goes (log-scale buckets apart).
  expect(order([pod("old", { node: "n1", readySince: NOW - 86_400_000 }), pod("recent", { node: "n1", readySince: NOW - 60_000 })])).toEqual(["recent"]);
  expect(order([pod("stable", { node: "n1" }), pod("crashy", { node: "n1", restarts: 5 })])).toEqual(["crashy"]);
  expect(order([pod("elder", { node: "n1", created: NOW - 86_400_000 }), pod("newer", { node: "n1", created: NOW - 60_000 })])).toEqual(["newer"]);
});

test("available means ready for minReadySeconds", () => {
  const p = pod("p", { readySince: NOW - 5000 });
  expect(isPodAvailable(p, 0, NOW)).toBe(true);
  expect(isPodAvailable(p, 5, NOW)).toBe(true);
  expect(isPodAvailable(p, 6, NOW)).toBe(false);
  expect(isPodAvailable(pod("q", { ready: false }), 0, NOW)).toBe(false);
});

test("hashes: FNV-32a, the vowel-free alphabet, stable over key order, changed by the collision count", () => {
  expect(fnv32a(new TextEncoder().encode("a"))).toBe(0xe40c292c);
  // Digit characters (48..57) modulo the 27-letter alphabet.
  expect(safeEncode("0123456789")).toBe("456789bcdf");
  const a = computeHash({ metadata: { labels: { x: "1", y: "2" } }, spec: { containers: [] } });
  const b = computeHash({ spec: { containers: [] }, metadata: { labels: { y: "2", x: "1" } } });
  expect(a).toBe(b);
  expect(a).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
  expect(computeHash({ spec: {} }, 1)).not.toBe(computeHash({ spec: {} }));
  expect(canonicalJson({ b: 1, a: { d: 1, c: 2 } })).toBe('{"a":{"c":2,"d":1},"b":1}');
});

test("semantic equality: nil and empty maps and lists are equal", () => {
  expect(deepEqual({ a: {}, b: [] }, {})).toBe(true);
  expect(deepEqual({ labels: {} }, { labels: undefined })).toBe(true);
  expect(deepEqual({ a: [1] }, { a: [] })).toBe(false);
  expect(deepEqual({ a: "x" }, { a: "y" })).toBe(false);
});

test("intOrPercent: percentages of the total, rounded up or down", () => {
  expect(scaledValue("25%", 10, true)).toBe(3);
  expect(scaledValue("25%", 10, false)).toBe(2);
  expect(scaledValue(2, 10, false)).toBe(2);
  expect(scaledValue(undefined, 10, true)).toBe(0);
  expect(() => scaledValue("x%", 10, true)).toThrow();
});

test("expectations: satisfied once every creation and awaited deletion is seen; a pod counts once", () => {
  let now = NOW;
  const e = new Expectations(() => now);
  expect(e.satisfied("k")).toBe(true);
  e.expectCreations("k", 2);
  e.creationObserved("k");
  expect(e.satisfied("k")).toBe(false);
  e.creationObserved("k");
  expect(e.satisfied("k")).toBe(true);
  e.expectDeletions("k", ["ns/a", "ns/b"]);
  e.deletionObserved("k", "ns/a");
  e.deletionObserved("k", "ns/a");
  e.deletionObserved("k", "ns/other");
  expect(e.satisfied("k")).toBe(false);
  now += 6 * 60_000;
  expect(e.satisfied("k")).toBe(true);
});

test("slow start: batches of 1, 2, 4, ...; a failing batch stops the rest", async () => {
  const batches: number[] = [];
  let inFlight = 0;
  const r = await slowStartBatch(10, 1, async (i) => {
    inFlight++;
    batches.push(inFlight);
    await Bun.sleep(1);
    inFlight--;
    if (i === 4) throw new Error("quota");
  });
  expect(r.successes).toBe(6);
  expect(String(r.error)).toContain("quota");
  expect(batches.length).toBe(7);
});

test("node eligibility: selector, required affinity with matchFields, taints and tolerations", () => {
  const node = { metadata: { name: "n1", labels: { zone: "a", size: "4" } }, spec: {} } as Node;
  expect(fitsNodeAffinity({ containers: [], nodeSelector: { zone: "a" } }, node)).toBe(true);
  expect(fitsNodeAffinity({ containers: [], nodeSelector: { zone: "b" } }, node)).toBe(false);
  const affinity = (expr: object) => ({ containers: [], affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [expr] } } } });
  expect(fitsNodeAffinity(affinity({ matchFields: [{ key: "metadata.name", operator: "In", values: ["n1"] }] }), node)).toBe(true);
  expect(fitsNodeAffinity(affinity({ matchFields: [{ key: "metadata.name", operator: "In", values: ["n2"] }] }), node)).toBe(false);
  expect(fitsNodeAffinity(affinity({ matchExpressions: [{ key: "size", operator: "Gt", values: ["3"] }] }), node)).toBe(true);
  expect(fitsNodeAffinity(affinity({}), node)).toBe(false);
  const taint = { key: "dedicated", value: "infra", effect: "NoSchedule" };
  expect(tolerates({ key: "dedicated", operator: "Equal", value: "infra" }, taint)).toBe(true);
  expect(tolerates({ key: "dedicated", operator: "Equal", value: "other" }, taint)).toBe(false);
  expect(tolerates({ operator: "Exists" }, taint)).toBe(true);
  expect(tolerates({ key: "dedicated", operator: "Exists", effect: "NoExecute" }, taint)).toBe(false);
  expect(untoleratedTaint([taint, { key: "x", effect: "PreferNoSchedule" }], [], ["NoSchedule"])).toBe(taint);
  expect(untoleratedTaint([{ key: "x", effect: "PreferNoSchedule" }], [], ["NoSchedule", "NoExecute"])).toBeUndefined();
});
