/**
 * Which Docker container a streaming request means. The server names the pod (uid), the
 * container and, from the pod status, usually its id; an agent only ever touches containers that
 * carry its own node label and the pod's uid, whatever id it is given.
 */
import type { ContainerInfo, ContainerInspectInfo } from "dockerode";
import type { DockerApi } from "../runtime/index.ts";
import type { PodRef } from "../../tunnel/index.ts";
import { LABEL_CONTAINER_NAME, LABEL_NODE, LABEL_POD_UID, LABEL_RESTART_COUNT, LABEL_TYPE } from "../runtime/index.ts";

/** A request the agent cannot serve, with the HTTP status the client should see. */
export class StreamError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ContainerTarget {
  pod: PodRef;
  container: string;
  containerId?: string;
}

function belongs(info: ContainerInspectInfo, node: string, t: ContainerTarget): boolean {
  const labels = info.Config?.Labels ?? {};
  return labels[LABEL_NODE] === node && labels[LABEL_POD_UID] === t.pod.uid && labels[LABEL_CONTAINER_NAME] === t.container;
}

async function inspectOwn(docker: DockerApi, id: string, node: string, t: ContainerTarget): Promise<ContainerInspectInfo | undefined> {
  try {
    const info = await docker.getContainer(id).inspect();
    return belongs(info, node, t) ? info : undefined;
  } catch {
    return undefined;
  }
}

/** The container's instances on this node, newest attempt first. */
async function instances(docker: DockerApi, node: string, t: ContainerTarget): Promise<string[]> {
  const list = await docker.listContainers({
    all: true,
    filters: { label: [`${LABEL_NODE}=${node}`, `${LABEL_POD_UID}=${t.pod.uid}`, `${LABEL_CONTAINER_NAME}=${t.container}`, `${LABEL_TYPE}=container`] },
  });
  const attempt = (c: ContainerInfo) => Number(c.Labels?.[LABEL_RESTART_COUNT] ?? 0);
  return list.sort((a, b) => attempt(b) - attempt(a) || b.Created - a.Created).map((c) => c.Id);
}

/**
 * The container instance to read: the one the status named, else the newest attempt (or, for
 * `previous`, the one before it). 404 when there is none.
 */
export async function findContainer(docker: DockerApi, node: string, t: ContainerTarget, previous = false): Promise<ContainerInspectInfo> {
  if (t.containerId) {
    const named = await inspectOwn(docker, t.containerId, node, t);
    if (named) return named;
  }
  const ids = await instances(docker, node, t);
  const id = ids[previous ? 1 : 0];
  const info = id ? await inspectOwn(docker, id, node, t) : undefined;
  if (!info) {
    if (previous) throw new StreamError(400, `previous terminated container ${JSON.stringify(t.container)} in pod ${JSON.stringify(t.pod.name)} not found`);
    throw new StreamError(404, `container not found (${JSON.stringify(t.container)})`);
  }
  return info;
}

/** A container exec and attach can use: found, and running. */
export async function findRunningContainer(docker: DockerApi, node: string, t: ContainerTarget): Promise<ContainerInspectInfo> {
  const info = await findContainer(docker, node, t);
  if (!info.State?.Running) throw new StreamError(400, `container not running (${info.Id})`);
  return info;
}

/** The pod's IP: its sandbox container's address on Docker's network. */
export async function podIP(docker: DockerApi, node: string, pod: PodRef): Promise<string | undefined> {
  const list = await docker.listContainers({ filters: { label: [`${LABEL_NODE}=${node}`, `${LABEL_POD_UID}=${pod.uid}`, `${LABEL_TYPE}=podsandbox`] } });
  for (const c of list) {
    const nets = Object.values(c.NetworkSettings?.Networks ?? {});
    const ip = nets.find((n) => n.IPAddress)?.IPAddress;
    if (ip) return ip;
  }
  return undefined;
}
