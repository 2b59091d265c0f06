/**
 * Keeps the ClusterState current from the API: informers on Services, EndpointSlices and
 * Namespaces (what the system:coredns role may list and watch). Objects are reduced to what DNS
 * needs before they are cached.
 */
import type { KubeObject } from "../apiserver/api/types.ts";
import { Informer, type Client } from "../client/index.ts";
import type { Logger } from "../log/index.ts";
import type { ClusterState, EndpointInfo, ServiceInfo, ServicePort, SliceInfo } from "./cluster.ts";

const SERVICES = { group: "", version: "v1", resource: "services" };
const ENDPOINT_SLICES = { group: "discovery.k8s.io", version: "v1", resource: "endpointslices" };
const NAMESPACES = { group: "", version: "v1", resource: "namespaces" };
const SERVICE_NAME_LABEL = "kubernetes.io/service-name";

interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  externalName?: string;
  ports?: Array<{ name?: string; port: number; protocol?: string }>;
}

interface SliceObject extends KubeObject {
  ports?: Array<{ name?: string; port?: number; protocol?: string }> | null;
  endpoints?: Array<{ addresses: string[]; hostname?: string; conditions?: { ready?: boolean } }>;
}

export function serviceInfo(obj: KubeObject): ServiceInfo {
  const spec = (obj.spec ?? {}) as ServiceSpec;
  const ips = (spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : []).filter((ip) => ip && ip !== "None");
  const type = spec.type ?? "ClusterIP";
  return {
    namespace: obj.metadata?.namespace ?? "",
    name: obj.metadata?.name ?? "",
    type,
    clusterIPs: type === "ExternalName" ? [] : ips,
    headless: type !== "ExternalName" && spec.clusterIP === "None",
    externalName: spec.externalName,
    ports: (spec.ports ?? []).map((p): ServicePort => ({ name: p.name ?? "", port: p.port, protocol: p.protocol ?? "TCP" })),
  };
}

export function sliceInfo(obj: KubeObject): SliceInfo | undefined {
  const slice = obj as SliceObject;
  const service = obj.metadata?.labels?.[SERVICE_NAME_LABEL];
  if (!service) return undefined;
  const endpoints: EndpointInfo[] = [];
  for (const ep of slice.endpoints ?? []) {
    // An unknown readiness counts as ready (the API's rule, and CoreDNS's).
    if (ep.conditions?.ready === false) continue;
    for (const ip of ep.addresses ?? []) endpoints.push(ep.hostname ? { ip, hostname: ep.hostname } : { ip });
  }
  return {
    namespace: obj.metadata?.namespace ?? "",
    name: obj.metadata?.name ?? "",
    service,
    ports: (slice.ports ?? []).filter((p) => p.port !== undefined).map((p) => ({ name: p.name ?? "", port: p.port!, protocol: p.protocol ?? "TCP" })),
    endpoints,
  };
}

export interface ClusterWatch {
  /** Resolves once all three caches are filled. */
  readonly synced: Promise<void>;
  stop(): void;
}

/** A small object in the cache: only what serviceInfo/sliceInfo read. */
function slim(obj: KubeObject): KubeObject {
  const { metadata, spec } = obj;
  const s = obj as SliceObject;
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: { name: metadata?.name, namespace: metadata?.namespace, labels: metadata?.labels, resourceVersion: metadata?.resourceVersion, uid: metadata?.uid },
    ...(spec ? { spec } : {}),
    ...(s.endpoints ? { endpoints: s.endpoints, ports: s.ports } : {}),
  } as KubeObject;
}

export function watchCluster(client: Client, state: ClusterState, log: Logger): ClusterWatch {
  const onError = (what: string) => (err: unknown) => log.error(`watching ${what} failed; retrying`, { err: String(err) });
  const services = new Informer(client, SERVICES, { transform: slim, onError: onError("services") });
  const slices = new Informer(client, ENDPOINT_SLICES, { transform: slim, onError: onError("endpointslices") });
  const namespaces = new Informer(client, NAMESPACES, { transform: (o) => ({ apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata?.name, resourceVersion: o.metadata?.resourceVersion } }) as KubeObject, onError: onError("namespaces") });
  const setService = (o: KubeObject) => state.setService(serviceInfo(o));
  const setSlice = (o: KubeObject) => {
    const info = sliceInfo(o);
    if (info) state.setSlice(info);
    else state.deleteSlice(o.metadata?.namespace ?? "", o.metadata?.name ?? "");
  };
  services.on({ add: setService, update: (_old, o) => setService(o), delete: (o) => state.deleteService(o.metadata?.namespace ?? "", o.metadata?.name ?? "") });
  slices.on({ add: setSlice, update: (_old, o) => setSlice(o), delete: (o) => state.deleteSlice(o.metadata?.namespace ?? "", o.metadata?.name ?? "") });
  namespaces.on({ add: (o) => state.setNamespace(o.metadata?.name ?? ""), delete: (o) => state.deleteNamespace(o.metadata?.name ?? "") });
  const synced = Promise.all([services.start(), slices.start(), namespaces.start()]).then(() => {
    state.synced = true;
    log.info("cluster caches synced", { services: services.list().length, endpointslices: slices.list().length, namespaces: namespaces.list().length });
  });
  return {
    synced,
    stop() {
      services.stop();
      slices.stop();
      namespaces.stop();
    },
  };
}
