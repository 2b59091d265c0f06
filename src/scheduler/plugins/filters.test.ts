import { describe, expect, test } from "bun:test";
import type { Pod } from "../api.ts";
import { CycleState } from "../framework.ts";
import { Code } from "../status.ts";
import { frameworkHarness, podInfo, podObject } from "../testing.ts";

const withRequests = (name: string, requests: Record<string, string>, spec: Partial<NonNullable<Pod["spec"]>> = {}) => podObject(name, spec, {}, requests);

describe("NodeResourcesFit", () => {
  test("requests against allocatable minus what the node's pods request", () => {
    const h = frameworkHarness();
    h.addNode("small", { cpu: "1", memory: "1Gi" });
    h.addNode("big", { cpu: "4", memory: "8Gi" });
    h.addPod(withRequests("existing", { cpu: "600m", memory: "512Mi" }), "small");
    expect(h.filter(withRequests("p", { cpu: "500m" }))).toEqual({ small: "Insufficient cpu", big: "" });
    expect(h.filter(withRequests("p", { cpu: "400m", memory: "600Mi" }))).toEqual({ small: "Insufficient memory", big: "" });
    expect(h.filter(withRequests("p", { cpu: "2", memory: "1Gi" }))).toEqual({ small: "Insufficient cpu; Insufficient memory", big: "" });
  });

  test("more than the node has at all is unresolvable (preemption cannot help)", () => {
    const h = frameworkHarness();
    h.addNode("n", { cpu: "1" });
    h.addPod(withRequests("existing", { cpu: "500m" }), "n");
    const node = h.cache.getNode("n")!;
    const fit = h.profile.filter.find((p) => p.name === "NodeResourcesFit")!;
    expect(fit.filter(new CycleState(), podInfo(withRequests("a", { cpu: "600m" })), node)?.code).toBe(Code.Unschedulable);
    expect(fit.filter(new CycleState(), podInfo(withRequests("b", { cpu: "2" })), node)?.code).toBe(Code.UnschedulableAndUnresolvable);
  });

  test("init containers: the larger of the biggest init container and the sum of containers; sidecars add up; overhead adds", () => {
    const h = frameworkHarness();
    h.addNode("n", { cpu: "3" });
    const init = (cpu: string, sidecar = false) => ({ name: `i${cpu}${sidecar}`, image: "busybox", resources: { requests: { cpu } }, ...(sidecar ? { restartPolicy: "Always" } : {}) });
    const containers = [
      { name: "a", image: "busybox", resources: { requests: { cpu: "1" } } },
      { name: "b", image: "busybox", resources: { requests: { cpu: "1" } } },
    ];
    // max(3 init, 2 sum) = 3 fits exactly; 3.5 does not.
    expect(h.filter(podObject("p", { containers, initContainers: [init("3")] })).n).toBe("");
    expect(h.filter(podObject("p", { containers, initContainers: [init("3500m")] })).n).toBe("Insufficient cpu");
    // A sidecar runs beside the containers: 2 + 1 = 3 fits; a later init container needs its own 2.5 + the sidecar's 1.
    expect(h.filter(podObject("p", { containers, initContainers: [init("1", true)] })).n).toBe("");
    expect(h.filter(podObject("p", { containers, initContainers: [init("1", true), init("2500m")] })).n).toBe("Insufficient cpu");
    // Overhead is added to the pod's requests.
    expect(h.filter(podObject("p", { containers, overhead: { cpu: "1" } })).n).toBe("");
    expect(h.filter(podObject("p", { containers, overhead: { cpu: "1100m" } })).n).toBe("Insufficient cpu");
  });

  test("extended resources and the pod count", () => {
    const h = frameworkHarness();
    h.addNode("gpu", { extra: { "example.com/gpu": "2" }, pods: "2" });
    h.addNode("plain", { pods: "1" });
    h.addPod(podObject("x"), "plain");
    expect(h.filter(withRequests("p", { "example.com/gpu": "1" }))).toEqual({ gpu: "", plain: "Too many pods; Insufficient example.com/gpu" });
    expect(h.filter(withRequests("p", { "example.com/gpu": "3" })).gpu).toBe("Insufficient example.com/gpu");
    expect(h.filter(podObject("p")).plain).toBe("Too many pods");
  });
});

describe("NodePorts", () => {
  const port = (hostPort: number, hostIP?: string, protocol?: string) => ({ containers: [{ name: "c", image: "busybox", ports: [{ containerPort: 80, hostPort, hostIP, protocol }] }] });

  test("a host port is taken per protocol and address; 0.0.0.0 conflicts with every address", () => {
    const h = frameworkHarness();
    h.addNode("n1");
    h.addNode("n2");
    h.addPod(podObject("web", port(8080)), "n1");
    h.addPod(podObject("dns", port(53, "10.0.0.1", "UDP")), "n2");
    const reason = "node(s) didn't have free ports for the requested pod ports";
    expect(h.filter(podObject("p", port(8080)))).toEqual({ n1: reason, n2: "" });
    expect(h.filter(podObject("p", port(8080, undefined, "UDP")))).toEqual({ n1: "", n2: "" });
    expect(h.filter(podObject("p", port(53, "10.0.0.2", "UDP")))).toEqual({ n1: "", n2: "" });
    expect(h.filter(podObject("p", port(53, undefined, "UDP")))).toEqual({ n1: "", n2: reason });
    expect(h.filter(podObject("p", port(53, "10.0.0.1", "UDP"))).n2).toBe(reason);
  });
});

describe("NodeName and NodeUnschedulable", () => {
  test("spec.nodeName fits only that node", () => {
    const h = frameworkHarness();
    h.addNode("a");
    h.addNode("b");
    expect(h.filter(podObject("p", { nodeName: "b" }))).toEqual({ a: "node(s) didn't match the requested node name", b: "" });
  });

  test("a cordoned node takes only pods tolerating node.kubernetes.io/unschedulable", () => {
    const h = frameworkHarness();
    h.addNode("cordoned", { unschedulable: true });
    h.addNode("open");
    expect(h.filter(podObject("p"))).toEqual({ cordoned: "node(s) were unschedulable", open: "" });
    const tolerating = podObject("p", { tolerations: [{ key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" }] });
    expect(h.filter(tolerating).cordoned).toBe("");
  });
});

describe("NodeAffinity", () => {
  function cluster() {
    const h = frameworkHarness();
    h.addNode("a", { labels: { zone: "z1", disk: "ssd", gen: "3" } });
    h.addNode("b", { labels: { zone: "z2", gen: "5" } });
    h.addNode("c", { labels: { zone: "z3" } });
    return h;
  }
  const reason = "node(s) didn't match Pod's node affinity/selector";
  const required = (...terms: object[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } });

  test("nodeSelector", () => {
    expect(cluster().filter(podObject("p", { nodeSelector: { disk: "ssd" } }))).toEqual({ a: "", b: reason, c: reason });
  });

  test("required terms are ORed, their expressions ANDed (In, NotIn, Exists, DoesNotExist, Gt, Lt)", () => {
    const h = cluster();
    expect(h.filter(podObject("p", required({ matchExpressions: [{ key: "zone", operator: "In", values: ["z1", "z2"] }, { key: "disk", operator: "DoesNotExist" }] })))).toEqual({ a: reason, b: "", c: reason });
    expect(h.filter(podObject("p", required({ matchExpressions: [{ key: "gen", operator: "Gt", values: ["4"] }] }, { matchExpressions: [{ key: "disk", operator: "Exists" }] })))).toEqual({
      a: "",
      b: "",
      c: reason,
    });
    expect(h.filter(podObject("p", required({ matchExpressions: [{ key: "gen", operator: "Lt", values: ["4"] }] })))).toEqual({ a: "", b: reason, c: reason });
    expect(h.filter(podObject("p", required({ matchExpressions: [{ key: "zone", operator: "NotIn", values: ["z1"] }] })))).toEqual({ a: reason, b: "", c: "" });
  });

  test("nodeSelector and affinity must both match", () => {
    const p = podObject("p", { nodeSelector: { zone: "z2" }, ...required({ matchExpressions: [{ key: "zone", operator: "In", values: ["z1", "z2"] }] }) });
    expect(cluster().filter(p)).toEqual({ a: reason, b: "", c: reason });
  });

  test("matchFields on metadata.name narrow the search at PreFilter", () => {
    const h = cluster();
    expect(h.filter(podObject("p", required({ matchFields: [{ key: "metadata.name", operator: "In", values: ["c"] }] })))).toEqual({ a: "excluded by prefilter", b: "excluded by prefilter", c: "" });
    expect(h.filter(podObject("p", required({ matchFields: [{ key: "metadata.name", operator: "NotIn", values: ["c"] }] })))).toEqual({ a: "", b: "", c: reason });
    const conflicting = required({ matchFields: [{ key: "metadata.name", operator: "In", values: ["a"] }, { key: "metadata.name", operator: "In", values: ["b"] }] });
    expect(h.filter(podObject("p", conflicting)).a).toBe("prefilter: pod affinity terms conflict");
  });
});

describe("TaintToleration", () => {
  test("NoSchedule and NoExecute taints rule out nodes unless tolerated; PreferNoSchedule does not", () => {
    const h = frameworkHarness();
    h.addNode("ns", { taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] });
    h.addNode("ne", { taints: [{ key: "broken", effect: "NoExecute" }] });
    h.addNode("pref", { taints: [{ key: "meh", value: "x", effect: "PreferNoSchedule" }] });
    expect(h.filter(podObject("p"))).toEqual({ ns: "node(s) had untolerated taint {dedicated: gpu}", ne: "node(s) had untolerated taint {broken: }", pref: "" });
    const tolerates = podObject("p", {
      tolerations: [
        { key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" },
        { key: "broken", operator: "Exists" },
      ],
    });
    expect(h.filter(tolerates)).toEqual({ ns: "", ne: "", pref: "" });
    // A toleration for another value, or another effect, does not help.
    expect(h.filter(podObject("p", { tolerations: [{ key: "dedicated", value: "cpu", effect: "NoSchedule" }] })).ns).toBe("node(s) had untolerated taint {dedicated: gpu}");
    expect(h.filter(podObject("p", { tolerations: [{ key: "broken", operator: "Exists", effect: "NoSchedule" }] })).ne).toBe("node(s) had untolerated taint {broken: }");
    // An empty key with Exists tolerates everything.
    expect(h.filter(podObject("p", { tolerations: [{ operator: "Exists" }] }))).toEqual({ ns: "", ne: "", pref: "" });
  });
});
