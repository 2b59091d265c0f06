import { describe, expect, test } from "bun:test";
import type { Pod } from "../api.ts";
import { frameworkHarness, podObject } from "../testing.ts";

type Spec = Partial<NonNullable<Pod["spec"]>>;
const labelled = (name: string, labels: Record<string, string>, spec: Spec = {}, namespace = "default") => podObject(name, spec, { labels, namespace });
const term = (labels: Record<string, string>, topologyKey: string, extra: { namespaces?: string[]; namespaceSelector?: { matchLabels?: Record<string, string> } } = {}) => ({
  labelSelector: { matchLabels: labels },
  topologyKey,
  ...extra,
});

function zones() {
  const h = frameworkHarness({ namespaces: { default: {}, prod: { env: "prod" }, dev: { env: "dev" } } });
  h.addNode("a1", { labels: { zone: "a" } });
  h.addNode("a2", { labels: { zone: "a" } });
  h.addNode("b1", { labels: { zone: "b" } });
  h.addNode("nolabel");
  return h;
}

describe("InterPodAffinity (required)", () => {
  const AFF = "node(s) didn't match pod affinity rules";
  const ANTI = "node(s) didn't match pod anti-affinity rules";
  const EXISTING = "node(s) didn't satisfy existing pods anti-affinity rules";

  test("affinity: the node's domain must hold a matching pod; nodes without the topology label never fit", () => {
    const h = zones();
    h.addPod(labelled("db", { app: "db" }), "a2");
    const p = podObject("p", { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: "db" }, "zone")] } } });
    expect(h.filter(p)).toEqual({ a1: "", a2: "", b1: AFF, nolabel: AFF });
  });

  test("affinity: the first pod of a series matching its own terms may go anywhere with the label", () => {
    const h = zones();
    const p = labelled("p", { app: "web" }, { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: "web" }, "zone")] } } });
    expect(h.filter(p)).toEqual({ a1: "", a2: "", b1: "", nolabel: AFF });
  });

  test("anti-affinity: no matching pod in the node's domain", () => {
    const h = zones();
    h.addPod(labelled("w", { app: "web" }), "a1");
    const p = labelled("p", { app: "web" }, { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: "web" }, "zone")] } } });
    expect(h.filter(p)).toEqual({ a1: ANTI, a2: ANTI, b1: "", nolabel: "" });
    const perHost = labelled("p", { app: "web" }, { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: "web" }, "kubernetes.io/hostname")] } } });
    expect(h.filter(perHost)).toEqual({ a1: ANTI, a2: "", b1: "", nolabel: "" });
  });

  test("existing pods' anti-affinity keeps matching pods out of their domain", () => {
    const h = zones();
    h.addPod(labelled("loner", { app: "loner" }, { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: "web" }, "zone")] } } }), "b1");
    expect(h.filter(labelled("p", { app: "web" }))).toEqual({ a1: "", a2: "", b1: EXISTING, nolabel: "" });
    expect(h.filter(labelled("q", { app: "other" }))).toEqual({ a1: "", a2: "", b1: "", nolabel: "" });
  });

  test("terms select pods of their own namespace unless namespaces or namespaceSelector say otherwise", () => {
    const h = zones();
    h.addPod(labelled("prod-db", { app: "db" }, {}, "prod"), "a1");
    h.addPod(labelled("dev-db", { app: "db" }, {}, "dev"), "b1");
    const affinity = (t: ReturnType<typeof term>) => podObject("p", { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [t] } } });
    // Own namespace (default): no db there, and the pod does not match itself -> nowhere.
    expect(h.filter(affinity(term({ app: "db" }, "zone")))).toEqual({ a1: AFF, a2: AFF, b1: AFF, nolabel: AFF });
    expect(h.filter(affinity(term({ app: "db" }, "zone", { namespaces: ["prod"] })))).toEqual({ a1: "", a2: "", b1: AFF, nolabel: AFF });
    expect(h.filter(affinity(term({ app: "db" }, "zone", { namespaceSelector: { matchLabels: { env: "dev" } } })))).toEqual({ a1: AFF, a2: AFF, b1: "", nolabel: AFF });
    // An empty namespaceSelector selects every namespace.
    expect(h.filter(affinity(term({ app: "db" }, "zone", { namespaceSelector: {} })))).toEqual({ a1: "", a2: "", b1: "", nolabel: AFF });
  });
});

describe("PodTopologySpread (DoNotSchedule)", () => {
  const SKEW = "node(s) didn't match pod topology spread constraints";
  const LABEL = "node(s) didn't match pod topology spread constraints (missing required label)";
  const spread = (extra: object = {}) => ({ topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { app: "web" } }, ...extra }] });

  test("maxSkew against the emptiest domain; nodes without the key are unresolvable", () => {
    const h = zones();
    h.addPod(labelled("w0", { app: "web" }), "a1");
    expect(h.filter(labelled("p", { app: "web" }, spread()))).toEqual({ a1: SKEW, a2: SKEW, b1: "", nolabel: LABEL });
    h.addPod(labelled("w1", { app: "web" }), "b1");
    expect(h.filter(labelled("p", { app: "web" }, spread()))).toEqual({ a1: "", a2: "", b1: "", nolabel: LABEL });
    // A pod not matching its own selector adds nothing to the domain it joins: b at 2 against a at 1 is fine, at 3 it is not.
    h.addPod(labelled("w2", { app: "web" }), "b1");
    expect(h.filter(labelled("p", { app: "other" }, spread()))).toEqual({ a1: "", a2: "", b1: "", nolabel: LABEL });
    h.addPod(labelled("w3", { app: "web" }), "b1");
    expect(h.filter(labelled("p", { app: "other" }, spread()))).toEqual({ a1: "", a2: "", b1: SKEW, nolabel: LABEL });
  });

  test("minDomains: while fewer domains exist, the global minimum counts as 0", () => {
    const h = zones();
    h.addPod(labelled("w0", { app: "web" }), "a1");
    h.addPod(labelled("w1", { app: "web" }), "b1");
    expect(h.filter(labelled("p", { app: "web" }, spread({ minDomains: 3 })))).toEqual({ a1: SKEW, a2: SKEW, b1: SKEW, nolabel: LABEL });
    expect(h.filter(labelled("p", { app: "web" }, spread({ minDomains: 2 })))).toEqual({ a1: "", a2: "", b1: "", nolabel: LABEL });
  });

  test("nodeAffinityPolicy: Honor (default) leaves nodes the pod cannot use out of the domains; Ignore counts them", () => {
    const h = zones();
    h.addPod(labelled("w0", { app: "web" }), "a1");
    const selector = { nodeSelector: { zone: "a" } };
    // Only zone a is eligible: its count is the minimum, so skew 1 is fine.
    expect(h.filter(labelled("p", { app: "web" }, { ...spread(), ...selector })).a2).toBe("");
    // Counting zone b (0 pods) makes zone a too full.
    expect(h.filter(labelled("p", { app: "web" }, { ...spread({ nodeAffinityPolicy: "Ignore" }), ...selector })).a2).toBe(SKEW);
  });

  test("nodeTaintsPolicy: Honor leaves tainted nodes out of the domains", () => {
    const h = frameworkHarness();
    h.addNode("a1", { labels: { zone: "a" } });
    h.addNode("b1", { labels: { zone: "b" }, taints: [{ key: "k", effect: "NoSchedule" }] });
    h.addPod(labelled("w0", { app: "web" }), "a1");
    const tolerant = { tolerations: [{ key: "k", operator: "Exists" }] };
    expect(h.filter(labelled("p", { app: "web" }, { ...spread(), ...tolerant })).a1).toBe(SKEW);
    expect(h.filter(labelled("p", { app: "web" }, spread({ nodeTaintsPolicy: "Honor" }))).a1).toBe("");
  });

  test("matchLabelKeys narrow the selector to pods sharing the pod's values", () => {
    const h = zones();
    h.addPod(labelled("old", { app: "web", rev: "1" }), "a1");
    h.addPod(labelled("old2", { app: "web", rev: "1" }), "a2");
    expect(h.filter(labelled("p", { app: "web", rev: "2" }, spread())).a1).toBe(SKEW);
    expect(h.filter(labelled("p", { app: "web", rev: "2" }, spread({ matchLabelKeys: ["rev"] }))).a1).toBe("");
  });
});

describe("VolumeBinding", () => {
  const pvc = (name: string, spec: object, status: object = {}) => ({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { namespace: "default", name, uid: `u-${name}` }, spec, status });
  const pv = (name: string, spec: object) => ({ apiVersion: "v1", kind: "PersistentVolume", metadata: { name }, spec: { capacity: { storage: "10Gi" }, accessModes: ["ReadWriteOnce"], ...spec } });
  const onNode = (host: string) => ({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [host] }] }] } });
  const cls = (name: string, mode: string, provisioner = "kubernetes.io/no-provisioner") => ({ apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name }, provisioner, volumeBindingMode: mode });
  const usingClaim = (claim: string) => podObject("p", { volumes: [{ name: "data", persistentVolumeClaim: { claimName: claim } }] });

  test("claims must exist; bound claims follow their volume's node affinity; unbound Immediate claims wait", () => {
    const h = frameworkHarness({
      listers: {
        persistentvolumeclaims: [pvc("bound", { volumeName: "pv-a", storageClassName: "local" }), pvc("waiting", { storageClassName: "instant", accessModes: ["ReadWriteOnce"] })],
        persistentvolumes: [pv("pv-a", { nodeAffinity: onNode("a"), storageClassName: "local" })],
        storageclasses: [cls("instant", "Immediate", "example.com/csi")],
      },
    });
    h.addNode("a");
    h.addNode("b");
    expect(h.filter(usingClaim("missing")).a).toBe('prefilter: persistentvolumeclaim "missing" not found');
    expect(h.filter(usingClaim("bound"))).toEqual({ a: "", b: "node(s) had volume node affinity conflict" });
    expect(h.filter(usingClaim("waiting")).a).toBe("prefilter: pod has unbound immediate PersistentVolumeClaims");
  });

  test("WaitForFirstConsumer claims need an available volume on the node, or a class that provisions", () => {
    const h = frameworkHarness({
      listers: {
        persistentvolumeclaims: [
          pvc("local", { storageClassName: "local", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "5Gi" } } }),
          pvc("big", { storageClassName: "local", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "50Gi" } } }),
          pvc("dyn", { storageClassName: "csi", accessModes: ["ReadWriteOnce"] }),
        ],
        persistentvolumes: [pv("pv-b", { nodeAffinity: onNode("b"), storageClassName: "local" })],
        storageclasses: [cls("local", "WaitForFirstConsumer"), cls("csi", "WaitForFirstConsumer", "example.com/csi")],
      },
    });
    h.addNode("a");
    h.addNode("b");
    const none = "node(s) didn't find available persistent volumes to bind";
    expect(h.filter(usingClaim("local"))).toEqual({ a: none, b: "" });
    expect(h.filter(usingClaim("big"))).toEqual({ a: none, b: none });
    expect(h.filter(usingClaim("dyn"))).toEqual({ a: "", b: "" });
  });
});
