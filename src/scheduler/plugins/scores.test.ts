import { describe, expect, test } from "bun:test";
import { frameworkHarness, podObject } from "../testing.ts";

describe("NodeResourcesFit (LeastAllocated) and BalancedAllocation", () => {
  test("free share of cpu and memory after placing the pod, averaged", () => {
    const h = frameworkHarness();
    h.addNode("empty", { cpu: "4", memory: "4Gi" });
    h.addNode("half", { cpu: "4", memory: "4Gi" });
    h.addPod(podObject("x", {}, {}, { cpu: "2", memory: "1Gi" }), "half");
    const p = podObject("p", {}, {}, { cpu: "1", memory: "1Gi" });
    // empty: cpu (4-1)/4 = 75, memory (4-1)/4 = 75 -> 75; half: cpu 25, memory 50 -> 37.
    expect(h.score(p, "NodeResourcesFit")).toEqual({ empty: 75, half: 37 });
    // Balanced: empty 1/4 and 1/4 -> 100; half 3/4 and 2/4 -> 100 * (1 - 0.125) = 87.
    expect(h.score(p, "NodeResourcesBalancedAllocation")).toEqual({ empty: 100, half: 87 });
  });

  test("containers without requests count as 100m cpu and 200Mi memory for LeastAllocated", () => {
    const h = frameworkHarness();
    h.addNode("n", { cpu: "1", memory: "1000Mi" });
    // cpu (1000-100)/1000 = 90, memory (1000-200)/1000 = 80 -> 85.
    expect(h.score(podObject("p"), "NodeResourcesFit")).toEqual({ n: 85 });
  });
});

describe("ImageLocality", () => {
  test("nodes holding the pod's images score by size, scaled by how many nodes have them", () => {
    const h = frameworkHarness();
    const mb = 1024 * 1024;
    h.addNode("has", { images: [{ names: ["registry.local/app:1"], sizeBytes: 500 * mb }] });
    h.addNode("also", { images: [{ names: ["registry.local/app:1"], sizeBytes: 500 * mb }] });
    h.addNode("none");
    h.addNode("none2");
    const p = podObject("p", { containers: [{ name: "c", image: "registry.local/app:1" }] });
    // 500 MB × 2/4 nodes = 250 MB: 100 × (250 − 23) / (1000 − 23) = 23.
    expect(h.score(p, "ImageLocality")).toEqual({ has: 23, also: 23, none: 0, none2: 0 });
    // An image without a tag means :latest.
    const latest = frameworkHarness();
    latest.addNode("n", { images: [{ names: ["app:latest"], sizeBytes: 1000 * mb }] });
    expect(latest.score(podObject("p", { containers: [{ name: "c", image: "app" }] }), "ImageLocality")).toEqual({ n: 100 });
  });
});

describe("NodeAffinity (preferred) and TaintToleration (PreferNoSchedule)", () => {
  test("preferred terms add their weights, normalized to 0..100", () => {
    const h = frameworkHarness();
    h.addNode("a", { labels: { zone: "z1", disk: "ssd" } });
    h.addNode("b", { labels: { zone: "z1" } });
    h.addNode("c", { labels: { zone: "z2" } });
    const p = podObject("p", {
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 30, preference: { matchExpressions: [{ key: "zone", operator: "In", values: ["z1"] }] } },
            { weight: 10, preference: { matchExpressions: [{ key: "disk", operator: "Exists" }] } },
          ],
        },
      },
    });
    expect(h.score(p, "NodeAffinity")).toEqual({ a: 100, b: 75, c: 0 });
  });

  test("fewer untolerated PreferNoSchedule taints score higher", () => {
    const h = frameworkHarness();
    const pref = (key: string) => ({ key, effect: "PreferNoSchedule" });
    h.addNode("clean");
    h.addNode("one", { taints: [pref("a")] });
    h.addNode("two", { taints: [pref("a"), pref("b")] });
    expect(h.score(podObject("p"), "TaintToleration")).toEqual({ clean: 100, one: 50, two: 0 });
    expect(h.score(podObject("p", { tolerations: [{ key: "a", operator: "Exists", effect: "PreferNoSchedule" }] }), "TaintToleration")).toEqual({ clean: 100, one: 100, two: 0 });
  });
});

describe("InterPodAffinity (preferred)", () => {
  test("domains with pods matching preferred affinity score up, anti-affinity down", () => {
    const h = frameworkHarness();
    for (const [n, z] of [
      ["a", "z1"],
      ["b", "z1"],
      ["c", "z2"],
      ["d", "z3"],
    ]) h.addNode(n!, { labels: { zone: z! } });
    h.addPod(podObject("cache", {}, { labels: { app: "cache" } }), "a");
    h.addPod(podObject("noisy", {}, { labels: { app: "noisy" } }), "c");
    const term = (app: string, weight: number) => ({ weight, podAffinityTerm: { labelSelector: { matchLabels: { app } }, topologyKey: "zone" } });
    const p = podObject("p", { affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [term("cache", 10)] }, podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [term("noisy", 10)] } } });
    // z1: +10, z2: −10, z3: 0 -> min-max scaled.
    expect(h.score(p, "InterPodAffinity")).toEqual({ a: 100, b: 100, c: 0, d: 50 });
  });

  test("existing pods' required affinity to the incoming pod counts with weight 1", () => {
    const h = frameworkHarness();
    h.addNode("a", { labels: { zone: "z1" } });
    h.addNode("b", { labels: { zone: "z2" } });
    h.addPod(podObject("client", { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "db" } }, topologyKey: "zone" }] } } }), "b");
    expect(h.score(podObject("db", {}, { labels: { app: "db" } }), "InterPodAffinity")).toEqual({ a: 0, b: 100 });
  });
});

describe("PodTopologySpread (ScheduleAnyway)", () => {
  test("nodes in domains with fewer matching pods score higher", () => {
    const h = frameworkHarness();
    h.addNode("a", { labels: { zone: "z1" } });
    h.addNode("b", { labels: { zone: "z1" } });
    h.addNode("c", { labels: { zone: "z2" } });
    for (let i = 0; i < 3; i++) h.addPod(podObject(`w${i}`, {}, { labels: { app: "web" } }), "a");
    const p = podObject("p", { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { app: "web" } } }] }, { labels: { app: "web" } });
    const scores = h.score(p, "PodTopologySpread");
    expect(scores.c).toBe(100);
    expect(scores.a).toBe(scores.b);
    expect(scores.a!).toBeLessThan(100);
  });

  test("pods of a Service without constraints get upstream's system defaults (hostname spreading)", () => {
    const svc = { apiVersion: "v1", kind: "Service", metadata: { namespace: "default", name: "web" }, spec: { selector: { app: "web" } } };
    const h = frameworkHarness({ listers: { services: [svc] } });
    h.addNode("a");
    h.addNode("b");
    h.addPod(podObject("w0", {}, { labels: { app: "web" } }), "a");
    // a: 1 pod × ln(2 nodes + 2) + (maxSkew 3 − 1) = 3.39 -> 3; b: 2; normalized 100 × (max + min − s) / max.
    expect(h.score(podObject("p", {}, { labels: { app: "web" } }), "PodTopologySpread")).toEqual({ a: 66, b: 100 });
    // Not selected by any Service or controller: no spreading.
    expect(h.score(podObject("q", {}, { labels: { app: "other" } }), "PodTopologySpread")).toEqual({ a: 0, b: 0 });
  });
});
