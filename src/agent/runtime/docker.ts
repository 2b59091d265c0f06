/**
 * The agent's view of Docker Engine: the containers of this node (found by their labels), their
 * details, and the few operations the pod workers need. Inspections are cached per container and
 * state (nothing the agent reads changes while a container stays running or exited; the agent
 * never restarts a container in place), so a pod sync costs one list call plus the inspections of
 * containers whose state changed.
 */
import type Docker from "dockerode";
import type { DockerApi } from "./engine.ts";
import {
  LABEL_CONTAINER_NAME,
  LABEL_HASH,
  LABEL_KIND,
  LABEL_NODE,
  LABEL_POD_NAME,
  LABEL_POD_IP,
  LABEL_POD_NAMESPACE,
  LABEL_POD_UID,
  LABEL_RESTART_COUNT,
  type ContainerKind,
} from "./labels.ts";

export type ContainerState = "created" | "running" | "exited";

/** One container of this node, as listed. */
export interface RuntimeContainer {
  id: string;
  /** The pod spec's container name, or "POD" for the sandbox. */
  name: string;
  podUid: string;
  podName: string;
  podNamespace: string;
  attempt: number;
  kind?: ContainerKind;
  hash?: string;
  state: ContainerState;
  /** Seconds since the epoch (Docker's list resolution). */
  created: number;
  imageId: string;
  labels: Record<string, string>;
}

/** What an inspection adds: times, exit, network, mounts. */
export interface ContainerDetails extends RuntimeContainer {
  startedAt: string;
  finishedAt: string;
  exitCode: number;
  oomKilled: boolean;
  /** Docker's error when the container could not be started. */
  error: string;
  ip: string;
  logPath: string;
  mounts: Array<{ source: string; destination: string }>;
}

export interface ExecResult {
  exitCode: number;
  output: string;
  timedOut: boolean;
}

const ZERO_TIME = "0001-01-01T00:00:00Z";

function stateOf(docker: string): ContainerState {
  if (docker === "running" || docker === "paused" || docker === "restarting") return "running";
  if (docker === "created") return "created";
  return "exited";
}

function fromLabels(id: string, labels: Record<string, string>, state: ContainerState, created: number, imageId: string): RuntimeContainer {
  return {
    id,
    name: labels[LABEL_CONTAINER_NAME] ?? "",
    podUid: labels[LABEL_POD_UID] ?? "",
    podName: labels[LABEL_POD_NAME] ?? "",
    podNamespace: labels[LABEL_POD_NAMESPACE] ?? "",
    attempt: Number(labels[LABEL_RESTART_COUNT] ?? 0) || 0,
    kind: labels[LABEL_KIND] as ContainerKind | undefined,
    hash: labels[LABEL_HASH],
    state,
    created,
    imageId,
    labels,
  };
}

/** Docker's "not found" and "not modified" answers, which the agent treats as done. */
export function isNotFound(err: unknown): boolean {
  return (err as { statusCode?: number })?.statusCode === 404;
}

function isNotModified(err: unknown): boolean {
  return (err as { statusCode?: number })?.statusCode === 304;
}

export class Runtime {
  private readonly inspected = new Map<string, ContainerDetails>();

  constructor(
    readonly docker: DockerApi,
    readonly nodeName: string,
  ) {}

  /** Every container of this node (all states). */
  async listAll(): Promise<RuntimeContainer[]> {
    return this.list([`${LABEL_NODE}=${this.nodeName}`]);
  }

  /** The containers of one pod on this node. */
  async listPod(uid: string): Promise<RuntimeContainer[]> {
    return this.list([`${LABEL_NODE}=${this.nodeName}`, `${LABEL_POD_UID}=${uid}`]);
  }

  private async list(labels: string[]): Promise<RuntimeContainer[]> {
    const infos = await this.docker.listContainers({ all: true, filters: { label: labels } });
    const seen = new Set(infos.map((c) => c.Id));
    for (const id of this.inspected.keys()) if (!seen.has(id) && labels.length === 1) this.inspected.delete(id);
    return infos.map((c) => fromLabels(c.Id, c.Labels ?? {}, stateOf(c.State), c.Created, c.ImageID));
  }

  /** Details of a container, or undefined when it is gone. */
  async inspect(c: RuntimeContainer): Promise<ContainerDetails | undefined> {
    const cached = this.inspected.get(c.id);
    if (cached && cached.state === c.state) return cached;
    try {
      const info = await this.docker.getContainer(c.id).inspect();
      // kts's own pod network labels the sandbox with its address; on a Docker network Docker knows it.
      const nets = info.NetworkSettings?.Networks ?? {};
      const ip = info.Config?.Labels?.[LABEL_POD_IP] || (Object.values(nets).find((n) => n?.IPAddress)?.IPAddress ?? "");
      const details: ContainerDetails = {
        ...fromLabels(info.Id, info.Config?.Labels ?? {}, stateOf(info.State.Status), c.created, info.Image),
        startedAt: info.State.StartedAt === ZERO_TIME ? "" : info.State.StartedAt,
        finishedAt: info.State.FinishedAt === ZERO_TIME ? "" : info.State.FinishedAt,
        exitCode: info.State.ExitCode,
        oomKilled: info.State.OOMKilled,
        error: info.State.Error ?? "",
        ip,
        logPath: info.LogPath,
        mounts: (info.Mounts ?? []).map((m) => ({ source: m.Source, destination: m.Destination })),
      };
      if (details.state === c.state) this.inspected.set(c.id, details);
      else this.inspected.delete(c.id);
      return details;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async create(opts: Docker.ContainerCreateOptions): Promise<string> {
    const c = await this.docker.createContainer(opts);
    return c.id;
  }

  async start(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).start();
    } catch (err) {
      if (!isNotModified(err)) throw err;
    }
  }

  /** The process id of a running container (its namespaces are /proc/<pid>/ns/…); 0 when it is not running. */
  async pid(id: string): Promise<number> {
    const info = await this.docker.getContainer(id).inspect();
    return info.State.Running ? info.State.Pid : 0;
  }

  /** Sends the stop signal, then SIGKILL after `seconds`; a stopped or missing container is fine. */
  async stop(id: string, seconds: number): Promise<void> {
    try {
      await this.docker.getContainer(id).stop({ t: Math.max(0, Math.ceil(seconds)) });
    } catch (err) {
      if (!isNotModified(err) && !isNotFound(err)) throw err;
    }
  }

  async remove(id: string): Promise<void> {
    this.inspected.delete(id);
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      if (!isNotFound(err) && (err as { statusCode?: number }).statusCode !== 409) throw err;
    }
  }

  /** Runs a command in a running container and collects its output (probes and hooks). */
  async exec(id: string, cmd: string[], timeoutMs: number): Promise<ExecResult> {
    const exec = await this.docker.getContainer(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const chunks: Buffer[] = [];
    const sink = { write: (b: Buffer) => chunks.push(Buffer.from(b)) };
    this.docker.modem.demuxStream(stream, sink as unknown as NodeJS.WritableStream, sink as unknown as NodeJS.WritableStream);
    const ended = new Promise<boolean>((resolve) => {
      stream.on("end", () => resolve(true));
      stream.on("close", () => resolve(true));
      stream.on("error", () => resolve(true));
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const finished = await Promise.race([ended, timeout]);
    clearTimeout(timer);
    if (!finished) {
      (stream as unknown as { destroy(): void }).destroy();
      return { exitCode: -1, output: Buffer.concat(chunks).toString(), timedOut: true };
    }
    const info = await exec.inspect();
    return { exitCode: info.ExitCode ?? -1, output: Buffer.concat(chunks).toString(), timedOut: false };
  }

  /** The last lines of a container's log (stdout and stderr), for FallbackToLogsOnError. */
  async tailLogs(id: string, lines: number, maxBytes: number): Promise<string> {
    const raw = (await this.docker.getContainer(id).logs({ stdout: true, stderr: true, tail: lines, follow: false })) as unknown as Buffer;
    const text = demuxBuffer(raw);
    return text.length > maxBytes ? text.slice(text.length - maxBytes) : text;
  }
}

/** Joins the payloads of Docker's multiplexed stream format (8-byte frame headers). */
export function demuxBuffer(buf: Buffer): string {
  const parts: Buffer[] = [];
  let off = 0;
  while (off + 8 <= buf.length) {
    const kind = buf[off];
    const size = buf.readUInt32BE(off + 4);
    if (kind !== 0 && kind !== 1 && kind !== 2) return buf.toString();
    parts.push(buf.subarray(off + 8, off + 8 + size));
    off += 8 + size;
  }
  return Buffer.concat(parts).toString();
}
