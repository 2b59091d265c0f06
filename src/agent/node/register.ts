/**
 * Node registration (the kubelet's registerWithAPIServer): create the Node; if it exists already
 * (an agent restart, or a re-install joining under the same name) adopt it and bring the
 * well-known labels up to date. User labels and taints apply only when the Node is created, as in
 * k3s; afterwards they are the cluster admin's to change with kubectl.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { Client } from "../../client/index.ts";
import type { Logger } from "../../log/index.ts";
import type { NodeStatus } from "./status.ts";
import type { Taint } from "./labels.ts";
import { ApiError } from "../../apiserver/api/errors.ts";

export const NODES = { group: "", version: "v1", resource: "nodes" };

export interface NodeRegistration {
  name: string;
  /** Kept up to date on every registration. */
  defaultLabels: Record<string, string>;
  /** Only when the Node is created. */
  userLabels: Record<string, string>;
  taints: Taint[];
}

export async function registerNode(client: Client, reg: NodeRegistration, status: NodeStatus, log: Logger): Promise<KubeObject> {
  const node: KubeObject = {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: reg.name,
      labels: { ...reg.userLabels, ...reg.defaultLabels },
      annotations: { "node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true" },
    },
    spec: reg.taints.length > 0 ? { taints: reg.taints } : {},
    status,
  };
  try {
    const created = await client.create(NODES, "", node);
    log.info("registered node", { node: reg.name });
    return created;
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 409)) throw err;
  }
  const existing = await client.get(NODES, "", reg.name);
  const labels = existing.metadata?.labels ?? {};
  const stale = Object.entries(reg.defaultLabels).filter(([k, v]) => labels[k] !== v);
  log.info("node already registered; adopting it", { node: reg.name, uid: existing.metadata?.uid });
  if (stale.length === 0) return existing;
  return client.patch(NODES, "", reg.name, "application/merge-patch+json", { metadata: { labels: Object.fromEntries(stale) } });
}
