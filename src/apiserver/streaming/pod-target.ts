/**
 * Which container of which pod on which node a streaming request is for, with upstream's checks
 * and messages: the API server's container choice (pkg/registry/core/pod/strategy.go) and the
 * kubelet's reading of the container status for logs (validateContainerLogStatus).
 */
import type { V1ContainerStatus, V1Pod } from "@kubernetes/client-node";
import type { KubeObject, Wire } from "../api/types.ts";
import type { GenericStore } from "../registry/store.ts";
import type { PodRef } from "../../tunnel/index.ts";
import { errors } from "../api/errors.ts";

export type Pod = Wire<V1Pod>;
type ContainerStatus = Wire<V1ContainerStatus>;

export async function getPod(store: GenericStore, namespace: string, name: string): Promise<Pod> {
  return (await store.get(namespace, name)) as KubeObject as Pod;
}

export function podRef(pod: Pod): PodRef {
  return { namespace: pod.metadata?.namespace ?? "", name: pod.metadata?.name ?? "", uid: pod.metadata?.uid ?? "" };
}

function names(list: Array<{ name: string }> | undefined): string {
  return (list ?? []).map((c) => c.name).join(" ");
}

/** The container a request names, or the pod's only one; 400 with upstream's wording otherwise. */
export function chooseContainer(pod: Pod, requested: string | null | undefined): string {
  const spec = pod.spec;
  const podName = pod.metadata?.name ?? "";
  if (!requested) {
    const containers = spec?.containers ?? [];
    if (containers.length === 1) return containers[0]!.name;
    if (containers.length === 0) throw errors.badRequest(`a container name must be specified for pod ${podName}`);
    let msg = `a container name must be specified for pod ${podName}, choose one of: [${names(containers)}]`;
    if (spec?.initContainers?.length) msg += ` or one of the init containers: [${names(spec.initContainers)}]`;
    throw errors.badRequest(msg);
  }
  const all = [...(spec?.containers ?? []), ...(spec?.initContainers ?? []), ...(spec?.ephemeralContainers ?? [])];
  if (!all.some((c) => c.name === requested)) throw errors.badRequest(`container ${requested} is not valid for pod ${podName}`);
  return requested;
}

/** The node a scheduled pod runs on. */
export function nodeOf(pod: Pod): string | undefined {
  return pod.spec?.nodeName || undefined;
}

function statusOf(pod: Pod, container: string): ContainerStatus | undefined {
  const s = pod.status;
  for (const list of [s?.containerStatuses, s?.initContainerStatuses, s?.ephemeralContainerStatuses]) {
    const found = list?.find((c) => c.name === container);
    if (found) return found;
  }
  return undefined;
}

/** "docker://abc" -> "abc". */
export function runtimeId(containerId: string | undefined): string | undefined {
  if (!containerId) return undefined;
  const i = containerId.indexOf("://");
  return i < 0 ? containerId : containerId.slice(i + 3);
}

/** What the kubelet reports before the pod's containers exist. */
function notYetWaitingReason(pod: Pod, container: string): string {
  const isInit = (pod.spec?.initContainers ?? []).some((c) => c.name === container);
  const initsPending = (pod.spec?.initContainers ?? []).length > 0 && !(pod.status?.conditions ?? []).some((c) => c.type === "Initialized" && c.status === "True");
  return !isInit && initsPending ? "PodInitializing" : "ContainerCreating";
}

/**
 * The container instance whose log is asked for (current, or previous), read from the pod status
 * as the kubelet reads its own; 400 with the kubelet's messages when there is none to read.
 */
export function logContainerId(pod: Pod, container: string, previous: boolean): string | undefined {
  const podName = pod.metadata?.name ?? "";
  const q = (s: string) => JSON.stringify(s);
  const status = statusOf(pod, container);
  if (!status) {
    if (previous) throw errors.badRequest(`previous terminated container ${q(container)} in pod ${q(podName)} not found`);
    throw errors.badRequest(`container ${q(container)} in pod ${q(podName)} is waiting to start: ${notYetWaitingReason(pod, container)}`);
  }
  const last = status.lastState?.terminated;
  const { waiting, running, terminated } = status.state ?? {};
  if (previous) {
    if (!last || !last.containerID) throw errors.badRequest(`previous terminated container ${q(container)} in pod ${q(podName)} not found`);
    return runtimeId(last.containerID);
  }
  if (running) return runtimeId(status.containerID);
  if (terminated) {
    if (terminated.containerID) return runtimeId(terminated.containerID);
    if (last?.containerID) return runtimeId(last.containerID);
    throw errors.badRequest(`container ${q(container)} in pod ${q(podName)} is terminated`);
  }
  if (last) {
    if (!last.containerID) throw errors.badRequest(`container ${q(container)} in pod ${q(podName)} is terminated`);
    return runtimeId(last.containerID);
  }
  if (waiting) {
    if (waiting.reason === "ErrImagePull") throw errors.badRequest(`container ${q(container)} in pod ${q(podName)} is waiting to start: image can't be pulled`);
    if (waiting.reason === "ImagePullBackOff") throw errors.badRequest(`container ${q(container)} in pod ${q(podName)} is waiting to start: trying and failing to pull image`);
    throw errors.badRequest(`container ${q(container)} in pod ${q(podName)} is waiting to start: ${waiting.reason ?? ""}`);
  }
  throw errors.badRequest(`container ${q(container)} in pod ${q(podName)} is waiting to start - no logs yet`);
}

/** The current container id from the status, if any (exec and attach go to the running instance). */
export function currentContainerId(pod: Pod, container: string): string | undefined {
  const status = statusOf(pod, container);
  return status?.state?.running ? runtimeId(status.containerID) : undefined;
}
