/**
 * The cluster-wide network settings every node needs (k3s hands its agents the server's config
 * when they join): the cluster and service CIDRs, the pod network backend, whether nodes run
 * the service proxy, and the cluster DNS address and domain pods are given (an agent's own
 * --cluster-dns/--cluster-domain still win). The server publishes them in the ConfigMap kube-system/kts-cluster-config;
 * agents read it before they start anything that touches the network.
 */
import type { Client } from "../client/index.ts";
import type { Logger } from "../log/index.ts";
import type { KubeObject } from "../apiserver/api/types.ts";
import { ApiError } from "../apiserver/api/errors.ts";
import { isIPv4, mustParseCidr } from "../netaddr/index.ts";
import { sleep } from "./sleep.ts";

export const CLUSTER_CONFIG_NAMESPACE = "kube-system";
export const CLUSTER_CONFIG_NAME = "kts-cluster-config";
const CONFIGMAPS = { group: "", version: "v1", resource: "configmaps" };

/** k3s's --flannel-backend, as far as kts goes: host-gw routes, or none (pods on Docker's default bridge). */
export type FlannelBackend = "host-gw" | "none";

export interface ClusterNetworkConfig {
  clusterCidr: string;
  serviceCidr: string;
  flannelBackend: FlannelBackend;
  disableKubeProxy: boolean;
  /** The cluster DNS Service's addresses (absent from a server that did not publish them). */
  clusterDns?: string[];
  clusterDomain?: string;
}

export function clusterConfigMap(cfg: ClusterNetworkConfig): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: CLUSTER_CONFIG_NAME, namespace: CLUSTER_CONFIG_NAMESPACE },
    data: {
      "cluster-cidr": cfg.clusterCidr,
      "service-cidr": cfg.serviceCidr,
      "flannel-backend": cfg.flannelBackend,
      "disable-kube-proxy": String(cfg.disableKubeProxy),
      ...(cfg.clusterDns?.length ? { "cluster-dns": cfg.clusterDns.join(",") } : {}),
      ...(cfg.clusterDomain ? { "cluster-domain": cfg.clusterDomain } : {}),
    },
  } as KubeObject;
}

export function parseClusterConfig(obj: KubeObject): ClusterNetworkConfig {
  const data = ((obj as { data?: Record<string, string> }).data ?? {}) as Record<string, string>;
  const clusterCidr = data["cluster-cidr"] ?? "";
  const serviceCidr = data["service-cidr"] ?? "";
  mustParseCidr(clusterCidr);
  mustParseCidr(serviceCidr);
  const backend = data["flannel-backend"] === "none" ? "none" : "host-gw";
  const dns = (data["cluster-dns"] ?? "").split(",").map((ip) => ip.trim()).filter(Boolean);
  for (const ip of dns) if (!isIPv4(ip)) throw new Error(`${CLUSTER_CONFIG_NAME}: cluster-dns ${JSON.stringify(ip)} is not an IPv4 address`);
  return {
    clusterCidr,
    serviceCidr,
    flannelBackend: backend,
    disableKubeProxy: data["disable-kube-proxy"] === "true",
    ...(dns.length ? { clusterDns: dns } : {}),
    ...(data["cluster-domain"] ? { clusterDomain: data["cluster-domain"] } : {}),
  };
}

/** Writes the ConfigMap (creating or replacing it). */
export async function publishClusterConfig(client: Client, cfg: ClusterNetworkConfig): Promise<void> {
  const want = clusterConfigMap(cfg);
  try {
    const have = await client.get(CONFIGMAPS, CLUSTER_CONFIG_NAMESPACE, CLUSTER_CONFIG_NAME);
    if (JSON.stringify((have as { data?: unknown }).data) === JSON.stringify((want as { data?: unknown }).data)) return;
    await client.update(CONFIGMAPS, CLUSTER_CONFIG_NAMESPACE, { ...want, metadata: { ...want.metadata, resourceVersion: have.metadata?.resourceVersion } } as KubeObject);
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 404)) throw err;
    await client.create(CONFIGMAPS, CLUSTER_CONFIG_NAMESPACE, want);
  }
}

/** Reads the ConfigMap, waiting (and saying so) while the server has not written it yet. */
export async function fetchClusterConfig(client: Client, log: Logger, signal?: AbortSignal): Promise<ClusterNetworkConfig> {
  for (let attempt = 0; ; attempt++) {
    try {
      return parseClusterConfig(await client.get(CONFIGMAPS, CLUSTER_CONFIG_NAMESPACE, CLUSTER_CONFIG_NAME));
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
      if (attempt % 10 === 0) log.info("waiting for the server's cluster network settings", { configMap: `${CLUSTER_CONFIG_NAMESPACE}/${CLUSTER_CONFIG_NAME}` });
      await sleep(500, signal);
      if (signal?.aborted) throw err;
    }
  }
}
