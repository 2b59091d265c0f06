/**
 * The server's network settings for its nodes: the cluster and service CIDRs are checked (IPv4,
 * not overlapping) and published for the agents (kube-system/kts-cluster-config), together with
 * the pod network backend, --disable-kube-proxy and the cluster DNS address and domain (its
 * --cluster-dns/--cluster-domain, which agents use unless given their own). Nodes may read that ConfigMap (a Role bound
 * to system:nodes, as kubeadm lets nodes read kubeadm-config). The service proxy in each agent
 * runs as system:kube-proxy with a certificate of its own (as k3s's), which the default
 * system:node-proxier binding covers: nodes themselves get none of kube-proxy's permissions, and
 * the binding older kts versions made for them (kts:node-proxier) is deleted at start.
 */
import type { KubeObject } from "../apiserver/api/types.ts";
import { ApiError } from "../apiserver/api/errors.ts";
import type { Client, ResourceRef } from "../client/index.ts";
import { CLUSTER_CONFIG_NAME, CLUSTER_CONFIG_NAMESPACE, publishClusterConfig, type FlannelBackend } from "../agent/cluster-config.ts";
import { cidrsOverlap, mustParseCidr } from "../netaddr/index.ts";
import { IpRange } from "../apiserver/allocators/ip.ts";

export interface ServerNetworkConfig {
  clusterCidr: string;
  serviceCidr: string;
  flannelBackend?: FlannelBackend;
  disableKubeProxy?: boolean;
  /** The server's node flags: --cluster-dns and --cluster-domain. */
  agent?: { clusterDNS?: string[]; clusterDomain?: string };
}

/** --cluster-dns, else the 10th address of the service CIDR (k3s's 10.43.0.10). */
export function clusterDnsAddresses(cfg: Pick<ServerNetworkConfig, "agent" | "serviceCidr">): string[] {
  return cfg.agent?.clusterDNS?.length ? cfg.agent.clusterDNS : [new IpRange(cfg.serviceCidr).at(10)];
}

export function checkNetworkCidrs(cfg: ServerNetworkConfig): void {
  const cluster = mustParseCidr(cfg.clusterCidr);
  const service = mustParseCidr(cfg.serviceCidr);
  if (cidrsOverlap(cluster, service)) throw new Error(`--cluster-cidr ${cfg.clusterCidr} and --service-cidr ${cfg.serviceCidr} overlap`);
}

const RBAC = (resource: string): ResourceRef => ({ group: "rbac.authorization.k8s.io", version: "v1", resource });
const NODES_GROUP = { apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "system:nodes" };

async function ensure(client: Client, ref: ResourceRef, namespace: string, obj: KubeObject): Promise<void> {
  try {
    await client.create(ref, namespace, obj);
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 409)) throw err;
  }
}

/** The Role and binding that let nodes read the settings. */
async function grantNodes(client: Client): Promise<void> {
  const name = "kts:cluster-config-reader";
  const meta = (n: string, ns?: string) => ({ name: n, ...(ns ? { namespace: ns } : {}), labels: { "app.kubernetes.io/managed-by": "kts" } });
  await ensure(client, RBAC("roles"), CLUSTER_CONFIG_NAMESPACE, {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: meta(name, CLUSTER_CONFIG_NAMESPACE),
    rules: [{ apiGroups: [""], resources: ["configmaps"], resourceNames: [CLUSTER_CONFIG_NAME], verbs: ["get"] }],
  } as KubeObject);
  await ensure(client, RBAC("rolebindings"), CLUSTER_CONFIG_NAMESPACE, {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: meta(name, CLUSTER_CONFIG_NAMESPACE),
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
    subjects: [NODES_GROUP],
  } as KubeObject);
}

/** Before kube-proxy had its own identity, kts granted system:node-proxier to every node; an upgraded cluster loses that grant. */
const LEGACY_NODE_PROXIER_BINDING = "kts:node-proxier";

async function revokeLegacyNodeProxier(client: Client): Promise<void> {
  try {
    const binding = await client.get(RBAC("clusterrolebindings"), "", LEGACY_NODE_PROXIER_BINDING);
    // Only the one kts made (a user's own binding of that name is theirs to keep).
    if (binding.metadata?.labels?.["app.kubernetes.io/managed-by"] !== "kts") return;
    await client.delete(RBAC("clusterrolebindings"), "", LEGACY_NODE_PROXIER_BINDING);
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 404)) throw err;
  }
}

export async function publishNetworkConfig(client: Client, cfg: ServerNetworkConfig): Promise<void> {
  await grantNodes(client);
  await revokeLegacyNodeProxier(client);
  await publishClusterConfig(client, {
    clusterCidr: cfg.clusterCidr,
    serviceCidr: cfg.serviceCidr,
    flannelBackend: cfg.flannelBackend ?? "host-gw",
    disableKubeProxy: cfg.disableKubeProxy ?? false,
    clusterDns: clusterDnsAddresses(cfg),
    clusterDomain: cfg.agent?.clusterDomain ?? "cluster.local",
  });
}
