/**
 * The Node's status as the kubelet computes it: capacity and allocatable (capacity minus the
 * default hard eviction thresholds), addresses, node info, the four kubelet conditions with
 * upstream's reasons and messages, the images present and the kubelet endpoint. Pure functions:
 * the reporter gathers the inputs.
 */
import type { V1ContainerImage, V1NodeCondition, V1NodeStatus } from "@kubernetes/client-node";
import type { Wire } from "../../apiserver/api/types.ts";
import type { FilesystemUsage, HostFacts, MemoryUsage } from "./host.ts";

export type NodeStatus = Wire<V1NodeStatus>;
export type NodeCondition = Wire<V1NodeCondition>;
export type NodeImage = Wire<V1ContainerImage>;

/** The kubelet's default --max-pods. */
export const MAX_PODS = 110;
/** Default hard eviction thresholds: memory.available<100Mi, nodefs.available<10%. */
const EVICTION_MEMORY_BYTES = 100 * 1024 * 1024;
const EVICTION_NODEFS_FRACTION = 0.1;
/** The kubelet reports at most this many images (--node-status-max-images). */
export const MAX_IMAGES = 50;
/** The port kubelets serve on; kts agents serve through the tunnel, but clients read it from here. */
export const KUBELET_PORT = 10250;

export interface RuntimeState {
  /** Whether the container runtime answered. */
  up: boolean;
  /** e.g. docker://20.10.24 */
  version?: string;
  error?: string;
  images: NodeImage[];
}

export interface StatusInputs {
  host: HostFacts;
  memory: MemoryUsage;
  nodefs: FilesystemUsage;
  runtime: RuntimeState;
  nodeIP: string;
  /** The Hostname address: the node name, as k3s runs its kubelet with --hostname-override. */
  nodeName: string;
  /** The server's gitVersion, reported as the kubelet's version. */
  kubeletVersion: string;
  now: Date;
}

const ki = (bytes: number) => `${Math.floor(bytes / 1024)}Ki`;

export function capacity(inputs: Pick<StatusInputs, "host" | "memory" | "nodefs">): Record<string, string> {
  return {
    cpu: String(inputs.host.cpus),
    "ephemeral-storage": ki(inputs.nodefs.capacityBytes),
    "hugepages-1Gi": "0",
    "hugepages-2Mi": "0",
    memory: ki(inputs.memory.capacityBytes),
    pods: String(MAX_PODS),
  };
}

export function allocatable(inputs: Pick<StatusInputs, "host" | "memory" | "nodefs">): Record<string, string> {
  return {
    ...capacity(inputs),
    "ephemeral-storage": String(Math.floor(inputs.nodefs.capacityBytes * (1 - EVICTION_NODEFS_FRACTION))),
    memory: ki(Math.max(0, inputs.memory.capacityBytes - EVICTION_MEMORY_BYTES)),
  };
}

interface ConditionState {
  type: string;
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
}

/** The kubelet's setters (MemoryPressureCondition, DiskPressureCondition, PIDPressureCondition, ReadyCondition). */
export function conditionStates(inputs: Pick<StatusInputs, "memory" | "nodefs" | "runtime">): ConditionState[] {
  const memoryLow = inputs.memory.availableBytes < EVICTION_MEMORY_BYTES;
  const diskLow = inputs.nodefs.capacityBytes > 0 && inputs.nodefs.availableBytes < inputs.nodefs.capacityBytes * EVICTION_NODEFS_FRACTION;
  const ready: ConditionState = inputs.runtime.up
    ? { type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status" }
    : { type: "Ready", status: "False", reason: "KubeletNotReady", message: `container runtime is down: ${inputs.runtime.error ?? "not reachable"}` };
  return [
    memoryLow
      ? { type: "MemoryPressure", status: "True", reason: "KubeletHasInsufficientMemory", message: "kubelet has insufficient memory available" }
      : { type: "MemoryPressure", status: "False", reason: "KubeletHasSufficientMemory", message: "kubelet has sufficient memory available" },
    diskLow
      ? { type: "DiskPressure", status: "True", reason: "KubeletHasDiskPressure", message: "kubelet has disk pressure" }
      : { type: "DiskPressure", status: "False", reason: "KubeletHasNoDiskPressure", message: "kubelet has no disk pressure" },
    { type: "PIDPressure", status: "False", reason: "KubeletHasSufficientPID", message: "kubelet has sufficient PID available" },
    ready,
  ];
}

/** RFC 3339 with second precision, as Go's metav1.Time marshals. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * The conditions to write: heartbeat now; the transition time moves only when the status changes.
 * Conditions other parties own (NetworkUnavailable, ...) are kept as they are.
 */
export function mergeConditions(previous: NodeCondition[], states: ConditionState[], now: Date): NodeCondition[] {
  const at = rfc3339(now);
  const ours = new Set(states.map((s) => s.type));
  const merged: NodeCondition[] = previous.filter((c) => !ours.has(c.type));
  for (const s of states) {
    const old = previous.find((c) => c.type === s.type);
    merged.push({ ...s, lastHeartbeatTime: at, lastTransitionTime: old && old.status === s.status && old.lastTransitionTime ? old.lastTransitionTime : at });
  }
  return merged;
}

/** The status fields the agent owns, over whatever the Node's status holds now. */
export function nodeStatus(previous: NodeStatus | undefined, inputs: StatusInputs): NodeStatus {
  const h = inputs.host;
  return {
    ...previous,
    capacity: capacity(inputs),
    allocatable: allocatable(inputs),
    conditions: mergeConditions(previous?.conditions ?? [], conditionStates(inputs), inputs.now),
    addresses: [
      { type: "InternalIP", address: inputs.nodeIP },
      { type: "Hostname", address: inputs.nodeName },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: KUBELET_PORT } },
    nodeInfo: {
      machineID: h.machineID,
      systemUUID: h.systemUUID,
      bootID: h.bootID,
      kernelVersion: h.kernelVersion,
      osImage: h.osImage,
      containerRuntimeVersion: inputs.runtime.version ?? previous?.nodeInfo?.containerRuntimeVersion ?? "",
      kubeletVersion: inputs.kubeletVersion,
      kubeProxyVersion: "",
      operatingSystem: h.operatingSystem,
      architecture: h.architecture,
    },
    // When the runtime is down the last known list stays (the kubelet keeps its image cache too).
    images: inputs.runtime.up ? inputs.runtime.images : (previous?.images ?? []),
  };
}

/** Docker's image list as node status images: digests then tags, biggest first, at most MAX_IMAGES. */
export function imagesFromDocker(list: Array<{ RepoTags?: string[] | null; RepoDigests?: string[] | null; Size: number }>): NodeImage[] {
  const real = (n: string) => !n.startsWith("<none>");
  return list
    .map((i) => ({ names: [...(i.RepoDigests ?? []), ...(i.RepoTags ?? [])].filter(real), sizeBytes: i.Size }))
    .filter((i) => i.names.length > 0)
    .sort((a, b) => b.sizeBytes - a.sizeBytes)
    .slice(0, MAX_IMAGES);
}
