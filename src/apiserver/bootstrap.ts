/**
 * Objects every cluster has from its first second, made (or repaired) at start as kube-apiserver's
 * bootstrap controllers do: the default, kube-system, kube-public and kube-node-lease namespaces,
 * and the `kubernetes` Service (first address of the service CIDR) with Endpoints and an
 * EndpointSlice pointing at this API server.
 */
import type { KubeObject } from "./api/types.ts";
import type { RequestContext } from "./registry/definition.ts";
import type { Registry } from "./registry/registry.ts";
import { ApiError } from "./api/errors.ts";
import { parseApiVersion } from "./api/types.ts";
import { bootstrapNamespacedRbac, bootstrapRbac } from "./resources/rbac/index.ts";
import { bootstrapPriorityClasses } from "./resources/scheduling/index.ts";

export const SYSTEM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

export interface BootstrapConfig {
  /** The `kubernetes` service's ClusterIP (first host of --service-cidr). */
  kubernetesServiceIP: string;
  /** Where pods reach the API server: --advertise-address and the secure port. */
  advertiseAddress: string;
  securePort: number;
}

export function systemContext(): RequestContext {
  return { user: { username: "system:apiserver", groups: ["system:masters", "system:authenticated"] }, namespace: "", dryRun: false, now: Date.now() };
}

async function ensure(registry: Registry, plural: string, namespace: string, obj: KubeObject): Promise<void> {
  const { group, version } = parseApiVersion(obj.apiVersion ?? "v1");
  const store = registry.lookup(group, version, plural);
  if (!store) return;
  try {
    await store.get(namespace, obj.metadata!.name!);
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 404)) throw err;
    try {
      await store.create(namespace, structuredClone(obj), { ...systemContext(), namespace });
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 409)) throw e;
    }
  }
}

/** Objects of other groups every cluster starts with: the default RBAC policy and the system priority classes. */
async function ensurePolicies(registry: Registry): Promise<void> {
  // Concurrently: the store commits them together instead of one flush each.
  await Promise.all([
    ...bootstrapRbac().map((obj) => ensure(registry, obj.kind === "ClusterRole" ? "clusterroles" : "clusterrolebindings", "", obj)),
    ...bootstrapPriorityClasses().map((obj) => ensure(registry, "priorityclasses", "", obj)),
  ]);
}

export async function bootstrap(registry: Registry, cfg: BootstrapConfig): Promise<void> {
  await ensurePolicies(registry);
  for (const name of SYSTEM_NAMESPACES) {
    await ensure(registry, "namespaces", "", { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { "kubernetes.io/metadata.name": name } } });
  }
  await Promise.all(bootstrapNamespacedRbac().map((obj) => ensure(registry, obj.kind === "Role" ? "roles" : "rolebindings", obj.metadata!.namespace!, obj)));
  await ensure(registry, "services", "default", {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "kubernetes", namespace: "default", labels: { component: "apiserver", provider: "kubernetes" } },
    spec: { type: "ClusterIP", clusterIP: cfg.kubernetesServiceIP, ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: cfg.securePort }], sessionAffinity: "None" },
  });
  // Endpoints may not hold loopback addresses (upstream validation), so a server advertising only
  // 127.0.0.1 has a kubernetes Service without endpoints, as kube-apiserver would.
  if (cfg.advertiseAddress.startsWith("127.") || cfg.advertiseAddress === "::1") return;
  await ensureCurrent(registry, "endpoints", "default", {
    apiVersion: "v1",
    kind: "Endpoints",
    metadata: { name: "kubernetes", namespace: "default", labels: { "endpointslice.kubernetes.io/skip-mirror": "true" } },
    subsets: [{ addresses: [{ ip: cfg.advertiseAddress }], ports: [{ name: "https", port: cfg.securePort, protocol: "TCP" }] }],
  }, ["subsets"]);
  // The EndpointSlice too, as upstream's endpoint reconciler writes it (service proxies read slices).
  await ensureCurrent(registry, "endpointslices", "default", {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: "kubernetes", namespace: "default", labels: { "kubernetes.io/service-name": "kubernetes" } },
    addressType: cfg.advertiseAddress.includes(":") ? "IPv6" : "IPv4",
    endpoints: [{ addresses: [cfg.advertiseAddress], conditions: { ready: true } }],
    ports: [{ name: "https", port: cfg.securePort, protocol: "TCP" }],
  }, ["endpoints", "ports"]);
}

/** Creates the object, or rewrites `fields` when they differ (a server restarted on a new address). */
async function ensureCurrent(registry: Registry, plural: string, namespace: string, obj: KubeObject, fields: string[]): Promise<void> {
  const { group, version } = parseApiVersion(obj.apiVersion ?? "v1");
  const store = registry.lookup(group, version, plural);
  if (!store) return;
  let current: KubeObject;
  try {
    current = await store.get(namespace, obj.metadata!.name!);
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 404)) throw err;
    return ensure(registry, plural, namespace, obj);
  }
  if (fields.every((f) => JSON.stringify(current[f]) === JSON.stringify(obj[f]))) return;
  const next: KubeObject = { ...current };
  for (const f of fields) next[f] = obj[f];
  await store.update(namespace, obj.metadata!.name!, next, { ...systemContext(), namespace });
}
