/**
 * The server's own node gets node-role.kubernetes.io/control-plane=true from the server, not from
 * its agent: NodeRestriction refuses kubernetes.io labels outside the kubelet's set from a node,
 * so (as k3s does) the server sets the role label with its own credentials once the node registered.
 */
import type { Client } from "../client/index.ts";
import type { Logger } from "../log/index.ts";
import { Informer } from "../client/index.ts";
import { CONTROL_PLANE_ROLE } from "../agent/index.ts";

const NODES = { group: "", version: "v1", resource: "nodes" };

export function labelControlPlaneNode(client: Client, nodeName: string, log: Logger): { stop(): void } {
  const informer = new Informer(client, NODES, { fieldSelector: `metadata.name=${nodeName}` });
  let done = false;
  const ensure = async (labels: Record<string, string> | undefined) => {
    if (done || labels?.[CONTROL_PLANE_ROLE] === "true") return;
    done = true;
    try {
      await client.patch(NODES, "", nodeName, "application/merge-patch+json", { metadata: { labels: { [CONTROL_PLANE_ROLE]: "true" } } });
      informer.stop();
    } catch (err) {
      done = false;
      log.warn("cannot label the server's node as control plane; retrying on its next change", { node: nodeName, err: String(err) });
    }
  };
  informer.on({ add: (n) => void ensure(n.metadata?.labels), update: (_, n) => void ensure(n.metadata?.labels) });
  void informer.start();
  return { stop: () => informer.stop() };
}
