/**
 * Minimal valid objects for every built-in type, for the generic-store conformance suite: a
 * body that passes the type's validation, a valid change the main endpoint accepts (a spec change
 * for types that track generation), and a valid status for types with a status subresource.
 * Keyed by "group/Kind" because Event exists in two groups.
 */
import type { KubeObject } from "../api/types.ts";
import type { ResourceDefinition } from "./definition.ts";
import { TEST_CERT_BASE64, TEST_CSR_BASE64 } from "../resources/certificates/testdata.ts";

export interface Fixture {
  /** The object without name; `namespace` is where it will live (events name it in their subject). */
  body(namespace: string): Partial<KubeObject>;
  /** A valid change outside metadata and status; for types that track generation it must be a spec change. */
  change(obj: KubeObject): void;
  /** Sets a valid status that differs from the one the server keeps on create (status subresource types). */
  status?(obj: KubeObject): void;
}

const NOW = "2025-01-01T00:00:00Z";
const labels = { app: "conformance" };
const podSpec = () => ({ containers: [{ name: "c", image: "busybox" }], restartPolicy: "Always" });
const template = (spec: Record<string, unknown> = podSpec()) => ({ metadata: { labels }, spec });

/** Sets a value at a dotted path ("spec.ports.0.port"), creating objects on the way. */
function set(obj: object, path: string, value: unknown): void {
  const keys = path.split(".");
  let cur = obj as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) cur = (cur[k] ??= {}) as Record<string, unknown>;
  cur[keys[keys.length - 1]!] = value;
}

/** A webhook that passes validation (v1 requires sideEffects and admissionReviewVersions). */
const webhook = () => ({ name: "check.example.com", clientConfig: { url: "https://example.com/check" }, sideEffects: "None", admissionReviewVersions: ["v1"] });

/** A change to the first container's image, valid for every pod template. */
const retag = (x: KubeObject, templatePath: string) => set(x, `${templatePath}spec.containers.0.image`, "busybox:1.37");

const FIXTURES: Record<string, Fixture> = {
  "/ConfigMap": { body: () => ({ data: { k: "v" } }), change: (x) => set(x, "data", { k: "changed" }) },
  "/Endpoints": {
    body: () => ({ subsets: [{ addresses: [{ ip: "10.0.0.1" }], ports: [{ port: 80, protocol: "TCP" }] }] }),
    change: (x) => set(x, "subsets.0.ports.0.port", 81),
  },
  "/Event": {
    body: (ns) => ({ involvedObject: { kind: "Pod", name: "p", namespace: ns }, reason: "Tested", message: "m", type: "Normal", count: 1, firstTimestamp: NOW, lastTimestamp: NOW }),
    change: (x) => set(x, "count", 2),
  },
  "/LimitRange": {
    body: () => ({ spec: { limits: [{ type: "Container", max: { cpu: "2" } }] } }),
    change: (x) => set(x, "spec.limits.0.max.cpu", "3"),
  },
  "/Namespace": {
    body: () => ({}),
    change: (x) => (x.metadata!.annotations = { changed: "yes" }),
    status: (x) => set(x, "status", { phase: "Active", conditions: [{ type: "NamespaceDeletionDiscoveryFailure", status: "False", reason: "Tested", message: "m", lastTransitionTime: NOW }] }),
  },
  "/Node": {
    body: () => ({ spec: {} }),
    change: (x) => set(x, "spec.unschedulable", true),
    status: (x) => set(x, "status", { ...(x.status as object), capacity: { cpu: "4", memory: "1Gi", pods: "110" } }),
  },
  "/PersistentVolumeClaim": {
    body: () => ({ spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }),
    change: (x) => (x.metadata!.annotations = { changed: "yes" }),
    status: (x) => set(x, "status", { phase: "Bound", accessModes: ["ReadWriteOnce"], capacity: { storage: "1Gi" } }),
  },
  "/PersistentVolume": {
    body: () => ({ spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], hostPath: { path: "/tmp/pv" } } }),
    change: (x) => set(x, "spec.capacity.storage", "2Gi"),
    status: (x) => set(x, "status", { phase: "Available" }),
  },
  "/Pod": {
    body: () => ({ spec: podSpec() }),
    change: (x) => retag(x, ""),
    status: (x) => set(x, "status", { ...(x.status as object), phase: "Pending", message: "tested" }),
  },
  "/PodTemplate": { body: () => ({ template: template() }), change: (x) => retag(x, "template.") },
  "/ReplicationController": {
    body: () => ({ spec: { replicas: 1, selector: labels, template: template() } }),
    change: (x) => set(x, "spec.replicas", 2),
    status: (x) => set(x, "status", { replicas: 1, observedGeneration: 1 }),
  },
  "/ResourceQuota": {
    body: () => ({ spec: { hard: { pods: "10" } } }),
    change: (x) => set(x, "spec.hard.pods", "20"),
    status: (x) => set(x, "status", { hard: { pods: "10" }, used: { pods: "1" } }),
  },
  "/Secret": { body: () => ({ data: { k: "dg==" } }), change: (x) => set(x, "data", { k: "Y2hhbmdlZA==" }) },
  "/ServiceAccount": { body: () => ({}), change: (x) => set(x, "automountServiceAccountToken", false) },
  "/Service": {
    body: () => ({ spec: { ports: [{ port: 80, protocol: "TCP" }], selector: labels } }),
    change: (x) => set(x, "spec.ports.0.port", 81),
    status: (x) => set(x, "status", { conditions: [{ type: "Tested", status: "True", reason: "Tested", message: "m", lastTransitionTime: NOW }] }),
  },
  "apps/ControllerRevision": { body: () => ({ revision: 1, data: { k: "v" } }), change: (x) => set(x, "revision", 2) },
  "apps/DaemonSet": {
    body: () => ({ spec: { selector: { matchLabels: labels }, template: template() } }),
    change: (x) => retag(x, "spec.template."),
    status: (x) => set(x, "status", { currentNumberScheduled: 1, numberMisscheduled: 0, desiredNumberScheduled: 1, numberReady: 0, observedGeneration: 1 }),
  },
  "apps/Deployment": {
    body: () => ({ spec: { replicas: 1, selector: { matchLabels: labels }, template: template() } }),
    change: (x) => set(x, "spec.replicas", 2),
    status: (x) => set(x, "status", { replicas: 1, observedGeneration: 1 }),
  },
  "apps/ReplicaSet": {
    body: () => ({ spec: { replicas: 1, selector: { matchLabels: labels }, template: template() } }),
    change: (x) => set(x, "spec.replicas", 2),
    status: (x) => set(x, "status", { replicas: 1, observedGeneration: 1 }),
  },
  "apps/StatefulSet": {
    body: () => ({ spec: { replicas: 1, serviceName: "svc", selector: { matchLabels: labels }, template: template() } }),
    change: (x) => set(x, "spec.replicas", 2),
    status: (x) => set(x, "status", { replicas: 1, observedGeneration: 1, availableReplicas: 0 }),
  },
  "batch/CronJob": {
    body: () => ({ spec: { schedule: "*/5 * * * *", jobTemplate: { spec: { template: template({ ...podSpec(), restartPolicy: "Never" }) } } } }),
    change: (x) => set(x, "spec.schedule", "*/10 * * * *"),
    status: (x) => set(x, "status", { lastScheduleTime: NOW }),
  },
  "batch/Job": {
    body: () => ({ spec: { template: template({ ...podSpec(), restartPolicy: "Never" }) } }),
    change: (x) => set(x, "spec.parallelism", 2),
    status: (x) => set(x, "status", { ...(x.status as object), active: 1, startTime: NOW }),
  },
  "coordination.k8s.io/Lease": { body: () => ({ spec: { holderIdentity: "a", leaseDurationSeconds: 15 } }), change: (x) => set(x, "spec.holderIdentity", "b") },
  "rbac.authorization.k8s.io/Role": {
    body: () => ({ rules: [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }] }),
    change: (x) => set(x, "rules.0.verbs", ["get", "list"]),
  },
  "rbac.authorization.k8s.io/ClusterRole": {
    body: () => ({ rules: [{ verbs: ["get"], nonResourceURLs: ["/healthz"] }] }),
    change: (x) => set(x, "rules.0.verbs", ["get", "head"]),
  },
  "rbac.authorization.k8s.io/RoleBinding": {
    body: () => ({ roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" }, subjects: [{ kind: "User", name: "alice" }] }),
    change: (x) => set(x, "subjects.0.name", "bob"),
  },
  "rbac.authorization.k8s.io/ClusterRoleBinding": {
    body: () => ({ roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" }, subjects: [{ kind: "Group", name: "devs" }] }),
    change: (x) => set(x, "subjects.0.name", "ops"),
  },
  "networking.k8s.io/Ingress": {
    body: () => ({ spec: { defaultBackend: { service: { name: "svc", port: { number: 80 } } } } }),
    change: (x) => set(x, "spec.defaultBackend.service.port.number", 81),
    status: (x) => set(x, "status", { loadBalancer: { ingress: [{ ip: "10.0.0.1" }] } }),
  },
  "networking.k8s.io/IngressClass": {
    body: () => ({ spec: { controller: "example.com/ingress" } }),
    change: (x) => set(x, "spec.parameters", { kind: "Params", name: "p" }),
  },
  "networking.k8s.io/NetworkPolicy": { body: () => ({ spec: { podSelector: {} } }), change: (x) => set(x, "spec.podSelector", { matchLabels: labels }) },
  "storage.k8s.io/StorageClass": { body: () => ({ provisioner: "example.com/disk" }), change: (x) => set(x, "allowVolumeExpansion", true) },
  "storage.k8s.io/CSIDriver": { body: () => ({ spec: {} }), change: (x) => set(x, "spec.podInfoOnMount", true) },
  "storage.k8s.io/CSINode": {
    body: () => ({ spec: { drivers: [{ name: "a.csi.example.com", nodeID: "n1" }] } }),
    change: (x) => set(x, "spec.drivers", [...((x.spec as { drivers: object[] }).drivers ?? []), { name: "b.csi.example.com", nodeID: "n1" }]),
  },
  "storage.k8s.io/VolumeAttachment": {
    body: () => ({ spec: { attacher: "a.csi.example.com", nodeName: "node1", source: { persistentVolumeName: "pv1" } } }),
    // The spec is immutable: metadata is all a client may change.
    change: (x) => (x.metadata!.annotations = { changed: "yes" }),
    status: (x) => set(x, "status", { attached: true }),
  },
  "scheduling.k8s.io/PriorityClass": { body: () => ({ value: 100 }), change: (x) => set(x, "description", "changed") },
  "node.k8s.io/RuntimeClass": { body: () => ({ handler: "runc" }), change: (x) => set(x, "overhead", { podFixed: { cpu: "100m" } }) },
  "discovery.k8s.io/EndpointSlice": {
    body: () => ({ addressType: "IPv4", endpoints: [{ addresses: ["10.0.0.1"] }], ports: [{ name: "http", port: 80 }] }),
    change: (x) => set(x, "ports.0.port", 81),
  },
  "events.k8s.io/Event": {
    body: (ns) => ({ eventTime: "2025-01-01T00:00:00.000000Z", reportingController: "example.com/tester", reportingInstance: "i", action: "Test", reason: "Tested", type: "Normal", regarding: { kind: "Pod", name: "p", namespace: ns }, note: "n" }),
    change: (x) => set(x, "series", { count: 2, lastObservedTime: "2025-01-01T00:01:00.000000Z" }),
  },
  "policy/PodDisruptionBudget": {
    body: () => ({ spec: { minAvailable: 1, selector: { matchLabels: labels } } }),
    change: (x) => set(x, "spec.minAvailable", 2),
    status: (x) => set(x, "status", { observedGeneration: 1, disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 }),
  },
  // One fixture for autoscaling/v2 and autoscaling/v1: both versions share these fields.
  "autoscaling/HorizontalPodAutoscaler": {
    body: () => ({ spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, maxReplicas: 3 } }),
    change: (x) => set(x, "spec.maxReplicas", 4),
    status: (x) => set(x, "status", { currentReplicas: 1, desiredReplicas: 2 }),
  },
  // The spec of a CSR cannot change (updates keep the stored one): the change is to metadata.
  "certificates.k8s.io/CertificateSigningRequest": {
    body: () => ({ spec: { request: TEST_CSR_BASE64, signerName: "example.com/signer", usages: ["client auth"] } }),
    change: (x) => (x.metadata!.annotations = { changed: "yes" }),
    status: (x) =>
      set(x, "status", { certificate: TEST_CERT_BASE64, conditions: [{ type: "Failed", status: "True", reason: "Tested", message: "m", lastUpdateTime: NOW, lastTransitionTime: NOW }] }),
  },
  "admissionregistration.k8s.io/MutatingWebhookConfiguration": {
    body: () => ({ webhooks: [webhook()] }),
    change: (x) => set(x, "webhooks.0.timeoutSeconds", 5),
  },
  "admissionregistration.k8s.io/ValidatingWebhookConfiguration": {
    body: () => ({ webhooks: [webhook()] }),
    change: (x) => set(x, "webhooks.0.timeoutSeconds", 5),
  },
  "admissionregistration.k8s.io/ValidatingAdmissionPolicy": {
    body: () => ({ spec: { matchConstraints: { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"] }] }, validations: [{ expression: "true" }] } }),
    change: (x) => set(x, "spec.validations.0.expression", "1 == 1"),
    status: (x) => set(x, "status", { observedGeneration: 1, conditions: [{ type: "Ready", status: "True", reason: "Tested", message: "m", lastTransitionTime: NOW }] }),
  },
  "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding": {
    body: () => ({ spec: { policyName: "p", validationActions: ["Deny"] } }),
    change: (x) => set(x, "spec.validationActions", ["Warn"]),
  },
};

export function fixtureFor(def: ResourceDefinition): Fixture {
  const f = FIXTURES[`${def.group}/${def.kind}`];
  if (!f) throw new Error(`no conformance fixture for ${def.group}/${def.kind}: add one to conformance-fixtures.ts`);
  return f;
}

/** A fresh, valid object of the definition's type. */
export function minimalObject(def: ResourceDefinition, name: string, namespace = ""): KubeObject {
  const apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
  const body = structuredClone(fixtureFor(def).body(namespace));
  return { ...body, apiVersion, kind: def.kind, metadata: { name, ...(namespace ? { namespace } : {}) } };
}
