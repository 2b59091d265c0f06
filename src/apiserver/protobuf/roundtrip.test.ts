import { describe, expect, test } from "bun:test";
import { decodeObject, encodeObject, protobufKinds } from "./index.ts";
import { schemaRegistry } from "./registry.ts";
import { OBJECTS } from "./testdata/objects.ts";
import { sampleOf } from "./testdata/samples.ts";

/** What Go's json.Marshal adds for fields a JSON object left out: zero values and zero structs. */
function isGoZero(v: unknown): boolean {
  if (v === null || v === "" || v === 0 || v === false) return true;
  if (typeof v === "object" && !Array.isArray(v)) return Object.values(v as object).every(isGoZero);
  return false;
}

/** Everything in `original` survives in `decoded`; anything extra is a Go zero value. */
function lossless(decoded: unknown, original: unknown, path: string, problems: string[]): void {
  if (original === null || typeof original !== "object") {
    if (decoded !== original) problems.push(`${path}: ${JSON.stringify(decoded)} != ${JSON.stringify(original)}`);
    return;
  }
  if (Array.isArray(original)) {
    if (!Array.isArray(decoded) || decoded.length !== original.length) {
      problems.push(`${path}: list ${JSON.stringify(decoded)} != ${JSON.stringify(original)}`);
      return;
    }
    original.forEach((v, i) => lossless(decoded[i], v, `${path}[${i}]`, problems));
    return;
  }
  if (typeof decoded !== "object" || decoded === null || Array.isArray(decoded)) {
    problems.push(`${path}: ${JSON.stringify(decoded)} is not an object`);
    return;
  }
  const d = decoded as Record<string, unknown>;
  const o = original as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    // A JSON null for a nil-able field and an absent one are the same Go value; omitempty drops
    // false/0/"" from value fields; list items carry no kind/apiVersion in protobuf (nor in Go).
    if (!(k in d) && (o[k] === null || o[k] === false || o[k] === 0 || o[k] === "")) continue;
    if (!(k in d) && /\.items\[\d+\]$/.test(path) && (k === "kind" || k === "apiVersion")) continue;
    if (!(k in d)) problems.push(`${path}.${k}: lost`);
    else lossless(d[k], o[k], `${path}.${k}`, problems);
  }
  for (const k of Object.keys(d)) if (!(k in o) && !isGoZero(d[k])) problems.push(`${path}.${k}: appeared as ${JSON.stringify(d[k])}`);
}

describe("every kind, fully populated from its schema", () => {
  for (const { apiVersion, kind } of protobufKinds()) {
    test(`${apiVersion} ${kind}`, () => {
      const desc = schemaRegistry().resolve(apiVersion, kind)!;
      const sample = { kind, apiVersion, ...(sampleOf(desc) as object) };
      const bytes = encodeObject(sample);
      const decoded = decodeObject(bytes);
      expect(JSON.stringify(decoded)).toBe(JSON.stringify(sample));
      expect(Buffer.from(encodeObject(decoded)).equals(Buffer.from(bytes))).toBe(true);
    });
  }
});

describe("representative objects", () => {
  test("cover every kind the server must speak protobuf for", () => {
    const have = new Set(OBJECTS.map((o) => `${o.apiVersion} ${o.kind}`));
    const need = [
      "v1 Pod", "v1 Service", "v1 ConfigMap", "v1 Secret", "v1 Namespace", "v1 Node", "v1 Endpoints", "v1 Event", "v1 ServiceAccount",
      "v1 PersistentVolume", "v1 PersistentVolumeClaim", "v1 LimitRange", "v1 ResourceQuota", "v1 PodTemplate", "v1 ReplicationController",
      "apps/v1 Deployment", "apps/v1 ReplicaSet", "apps/v1 StatefulSet", "apps/v1 DaemonSet", "apps/v1 ControllerRevision",
      "batch/v1 Job", "batch/v1 CronJob", "autoscaling/v1 Scale", "coordination.k8s.io/v1 Lease", "events.k8s.io/v1 Event",
      "authentication.k8s.io/v1 TokenReview", "authentication.k8s.io/v1 SelfSubjectReview",
      "authorization.k8s.io/v1 SubjectAccessReview", "authorization.k8s.io/v1 SelfSubjectAccessReview",
      "authorization.k8s.io/v1 LocalSubjectAccessReview", "authorization.k8s.io/v1 SelfSubjectRulesReview",
      "certificates.k8s.io/v1 CertificateSigningRequest", "policy/v1 Eviction", "policy/v1 PodDisruptionBudget", "v1 Status",
    ];
    expect(need.filter((k) => !have.has(k))).toEqual([]);
  });

  for (const obj of OBJECTS) {
    test(`${obj.apiVersion} ${obj.kind} survives encode -> decode, gaining only Go zero values`, () => {
      const bytes = encodeObject(obj);
      const decoded = decodeObject(bytes);
      const problems: string[] = [];
      lossless(decoded, obj, obj.kind!, problems);
      expect(problems).toEqual([]);
      // Decoding is a fixed point: the normalized object encodes to the same bytes and decodes to itself.
      const again = encodeObject(decoded);
      expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
      expect(decodeObject(again)).toEqual(decoded);
    });
  }

  test("normalization matches Go's json.Marshal of the decoded struct", () => {
    const svc = decodeObject(encodeObject({ apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: { ports: [{ port: 80 }] } }));
    expect(JSON.stringify(svc)).toBe(
      JSON.stringify({ kind: "Service", apiVersion: "v1", metadata: { name: "s", creationTimestamp: null }, spec: { ports: [{ port: 80, targetPort: 0 }] }, status: { loadBalancer: {} } }),
    );
    const pod = decodeObject(encodeObject({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: {} })) as Record<string, unknown>;
    expect(pod.spec).toEqual({ containers: null });
    // Pointers keep explicit zeros; value fields with omitempty drop them.
    const dep = decodeObject(encodeObject({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d", generation: 0 }, spec: { replicas: 0, paused: false } })) as Record<string, any>;
    expect(dep.spec.replicas).toBe(0);
    expect("paused" in dep.spec).toBe(false);
    expect("generation" in dep.metadata).toBe(false);
    // An empty list inside a map value comes back as Go's nil slice.
    const sar = decodeObject(encodeObject({ apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview", spec: { extra: { scopes: [] } } })) as Record<string, any>;
    expect(sar.spec.extra).toEqual({ scopes: null });
  });

  test("fields without omitempty print their zero values, struct fields print as objects", () => {
    // Expected output written from the Go struct tags in k8s.io/api core/v1 and apps/v1 types.go.
    const pod = decodeObject(
      encodeObject({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "p" },
        spec: { containers: [{ name: "", ports: [{ containerPort: 0 }] }] },
        status: { conditions: [{ type: "Ready", status: "True" }], containerStatuses: [{ name: "c" }] },
      }),
    );
    expect(JSON.stringify(pod)).toBe(
      JSON.stringify({
        kind: "Pod",
        apiVersion: "v1",
        metadata: { name: "p", creationTimestamp: null },
        spec: { containers: [{ name: "", ports: [{ containerPort: 0 }], resources: {} }] },
        status: {
          conditions: [{ type: "Ready", status: "True", lastProbeTime: null, lastTransitionTime: null }],
          containerStatuses: [{ name: "c", state: {}, lastState: {}, ready: false, restartCount: 0, image: "", imageID: "" }],
        },
      }),
    );
    const ds = decodeObject(encodeObject({ apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "d" } }));
    expect(JSON.stringify(ds)).toBe(
      JSON.stringify({
        kind: "DaemonSet",
        apiVersion: "apps/v1",
        metadata: { name: "d", creationTimestamp: null },
        spec: { selector: null, template: { metadata: { creationTimestamp: null }, spec: { containers: null } }, updateStrategy: {} },
        status: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 },
      }),
    );
  });

  test("empty Secret data values and ConfigMap keys survive", () => {
    const s = decodeObject(encodeObject({ apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { empty: "", k: "dg==" } })) as Record<string, any>;
    expect(s.data).toEqual({ empty: "", k: "dg==" });
    const cm = decodeObject(encodeObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { "": "x", __proto__x: "y" } })) as Record<string, any>;
    expect(cm.data).toEqual({ "": "x", __proto__x: "y" });
  });

  test("a label key named __proto__ stays an ordinary key", () => {
    const obj = JSON.parse('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"__proto__":"x"}}}');
    const labels = (decodeObject(encodeObject(obj)).metadata as Record<string, any>).labels;
    expect(Object.keys(labels)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
  });

  test("map entries are written sorted by key, as gogo-protobuf does", () => {
    const a = encodeObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", labels: { b: "1", a: "2", c: "3" } } });
    const b = encodeObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", labels: { c: "3", a: "2", b: "1" } } });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });
});
