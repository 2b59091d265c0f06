/** The labels and taints a node registers with. */
import type { V1Taint } from "@kubernetes/client-node";
import type { Wire } from "../../apiserver/api/types.ts";

export type Taint = Wire<V1Taint>;

export const CONTROL_PLANE_ROLE = "node-role.kubernetes.io/control-plane";

/**
 * The kubelet's well-known labels (hostname, os, arch and their beta twins), the instance type as
 * k3s sets it, and the control-plane role on servers. The agent keeps these right on every start.
 */
export function defaultLabels(nodeName: string, os: string, arch: string, isServer: boolean): Record<string, string> {
  const labels: Record<string, string> = {
    "beta.kubernetes.io/arch": arch,
    "beta.kubernetes.io/instance-type": "kts",
    "beta.kubernetes.io/os": os,
    "kubernetes.io/arch": arch,
    "kubernetes.io/hostname": nodeName,
    "kubernetes.io/os": os,
    "node.kubernetes.io/instance-type": "kts",
  };
  if (isServer) labels[CONTROL_PLANE_ROLE] = "true";
  return labels;
}
