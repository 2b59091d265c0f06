/** The labels and taints a node registers with. */
import type { V1Taint } from "@kubernetes/client-node";
import type { Wire } from "../../apiserver/api/types.ts";

export type Taint = Wire<V1Taint>;

export const CONTROL_PLANE_ROLE = "node-role.kubernetes.io/control-plane";

/**
 * The kubelet's well-known labels (hostname, os, arch and their beta twins) and the instance type
 * as k3s sets it. The agent keeps these right on every start. A server's control-plane role label
 * is set by the server itself (NodeRestriction lets no node set kubernetes.io role labels), so
 * `isServer` adds nothing here.
 */
export function defaultLabels(nodeName: string, os: string, arch: string, _isServer: boolean): Record<string, string> {
  const labels: Record<string, string> = {
    "beta.kubernetes.io/arch": arch,
    "beta.kubernetes.io/instance-type": "kts",
    "beta.kubernetes.io/os": os,
    "kubernetes.io/arch": arch,
    "kubernetes.io/hostname": nodeName,
    "kubernetes.io/os": os,
    "node.kubernetes.io/instance-type": "kts",
  };
  return labels;
}
