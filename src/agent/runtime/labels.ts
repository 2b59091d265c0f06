/**
 * The Docker labels on every container the agent makes (the contract other agent parts read):
 * which pod and container it runs, its kind and attempt, and which node owns it. Several agents
 * may share one Docker Engine; each touches only containers carrying its own node label.
 */
export const LABEL_POD_UID = "io.kubernetes.pod.uid";
export const LABEL_POD_NAME = "io.kubernetes.pod.name";
export const LABEL_POD_NAMESPACE = "io.kubernetes.pod.namespace";
export const LABEL_CONTAINER_NAME = "io.kubernetes.container.name";
export const LABEL_TYPE = "io.kubernetes.docker.type";
export const LABEL_RESTART_COUNT = "io.kubernetes.container.restartCount";
export const LABEL_NODE = "kts.io/node";
/** A hash of the container's spec: a changed spec restarts the container (kubelet's container hash). */
export const LABEL_HASH = "io.kubernetes.container.hash";
/** Seconds the container is given to stop when its pod is gone from the API (no spec to read). */
export const LABEL_GRACE = "io.kubernetes.pod.terminationGracePeriod";
/** The sandbox (pause container) an app container was started in. */
export const LABEL_SANDBOX = "kts.io/sandbox";
/** The pod IP kts's own pod network gave a sandbox (src/agent/network/ipam.ts rebuilds from it). */
export const LABEL_POD_IP = "kts.io/pod-ip";
/** The hostPorts kts maps to a sandbox (JSON HostPortMapping[]), rebuilt into iptables rules from it. */
export const LABEL_HOST_PORTS = "kts.io/host-ports";
/** init | sidecar | regular | ephemeral: which list of the pod spec the container comes from. */
export const LABEL_KIND = "kts.io/container-kind";

/** The container name of a pod's sandbox (pause) container. */
export const SANDBOX_NAME = "POD";

export type ContainerKind = "init" | "sidecar" | "regular" | "ephemeral";

export interface PodRef {
  uid: string;
  name: string;
  namespace: string;
}

export function containerLabels(
  pod: PodRef,
  node: string,
  name: string,
  attempt: number,
  extra: Record<string, string>,
  more: Record<string, string> = {},
): Record<string, string> {
  return {
    ...extra,
    ...more,
    [LABEL_POD_UID]: pod.uid,
    [LABEL_POD_NAME]: pod.name,
    [LABEL_POD_NAMESPACE]: pod.namespace,
    [LABEL_CONTAINER_NAME]: name,
    [LABEL_TYPE]: name === SANDBOX_NAME ? "podsandbox" : "container",
    [LABEL_RESTART_COUNT]: String(attempt),
    [LABEL_NODE]: node,
  };
}

/** dockershim's container names: k8s_<container>_<pod>_<namespace>_<uid>_<attempt>. */
export function dockerName(pod: PodRef, name: string, attempt: number): string {
  return `k8s_${name}_${pod.name}_${pod.namespace}_${pod.uid}_${attempt}`;
}
