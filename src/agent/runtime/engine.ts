/**
 * A lean Docker Engine API client (API 1.41, the unix socket) with the subset of dockerode's
 * surface the agent uses: containers, images, exec, logs, events, import/load/pull, and
 * dockerode's `modem.followProgress` / `modem.demuxStream`. It exists for memory: dockerode pulls
 * in ssh2, gRPC and protobuf (about 38 MB of resident memory under Bun), this is plain HTTP over
 * Bun's fetch, plus raw sockets for hijacked exec/attach streams.
 *
 * `DockerApi` is the structural type the agent's pod parts take; dockerode instances satisfy it
 * too, so either client can be passed.
 */
import type Docker from "dockerode";
import { connect, type Socket } from "node:net";
import { Readable } from "node:stream";

const API = "/v1.41";

type Callback = (err: Error | null, output?: unknown[]) => void;

export interface DockerModemApi {
  followProgress(stream: NodeJS.ReadableStream, onFinished: Callback, onProgress?: (event: any) => void): void;
  demuxStream(stream: NodeJS.ReadableStream, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): void;
}

export interface ExecApi {
  start(opts: { hijack?: boolean; stdin?: boolean; Tty?: boolean; Detach?: boolean }): Promise<NodeJS.ReadWriteStream>;
  inspect(): Promise<Docker.ExecInspectInfo>;
  resize(opts: { h: number; w: number }): Promise<unknown>;
}

export interface ContainerApi {
  id: string;
  inspect(): Promise<Docker.ContainerInspectInfo>;
  start(): Promise<unknown>;
  stop(opts?: { t?: number }): Promise<unknown>;
  kill(opts?: { signal?: string }): Promise<unknown>;
  remove(opts?: { force?: boolean; v?: boolean }): Promise<unknown>;
  wait(): Promise<unknown>;
  exec(opts: Docker.ExecCreateOptions): Promise<ExecApi>;
  logs(opts: Docker.ContainerLogsOptions & { follow?: false }): Promise<Buffer>;
  /** A hijacked connection to the container's stdio (`hijack: true`). */
  attach(opts: Docker.ContainerAttachOptions): Promise<NodeJS.ReadWriteStream>;
  resize(opts: { h: number; w: number }): Promise<unknown>;
}

export interface ImageApi {
  inspect(): Promise<Docker.ImageInspectInfo>;
  remove(opts?: { force?: boolean }): Promise<unknown>;
}

/** What the agent's pod parts need from a Docker client (dockerode fits, and so does DockerEngine). */
export interface DockerApi {
  modem: DockerModemApi;
  ping(): Promise<unknown>;
  info(): Promise<any>;
  version(): Promise<Docker.DockerVersion>;
  listContainers(opts?: Docker.ContainerListOptions): Promise<Docker.ContainerInfo[]>;
  listImages(opts?: Docker.ListImagesOptions): Promise<Docker.ImageInfo[]>;
  createContainer(opts: Docker.ContainerCreateOptions): Promise<{ id: string }>;
  getContainer(id: string): ContainerApi;
  getImage(name: string): ImageApi;
  importImage(file: NodeJS.ReadableStream, opts?: Record<string, unknown>): Promise<NodeJS.ReadableStream>;
  loadImage(file: NodeJS.ReadableStream | string, opts?: Record<string, unknown>): Promise<NodeJS.ReadableStream>;
  pull(repoTag: string, opts?: Record<string, unknown>): Promise<any>;
  getEvents(opts?: { filters?: Record<string, string[]>; since?: number }): Promise<NodeJS.ReadableStream>;
}

/** An error from the engine, shaped like dockerode's (statusCode, json.message). */
export class DockerError extends Error {
  constructor(
    readonly statusCode: number,
    readonly json: { message?: string } | null,
    reason: string,
  ) {
    super(`(HTTP code ${statusCode}) ${reason} - ${json?.message ?? ""} `);
  }
}

const REASONS: Record<number, string> = { 304: "container already started", 404: "no such container", 409: "conflict", 500: "server error", 400: "bad parameter" };

function query(opts: Record<string, unknown> | undefined): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(opts ?? {})) {
    if (v === undefined || v === null || k === "abortSignal" || k === "authconfig") continue;
    if (Array.isArray(v)) for (const item of v) q.append(k, String(item));
    else if (typeof v === "object") q.set(k, JSON.stringify(v));
    else q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

function followProgress(stream: NodeJS.ReadableStream, onFinished: Callback, onProgress?: (event: unknown) => void): void {
  let buf = "";
  const output: unknown[] = [];
  let done = false;
  const finish = (err: Error | null) => {
    if (done) return;
    done = true;
    onFinished(err, output);
  };
  stream.on("data", (chunk: Buffer | string) => {
    buf += chunk.toString();
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (!line) continue;
      try {
        const obj = JSON.parse(line);
        output.push(obj);
        onProgress?.(obj);
      } catch (err) {
        finish(err as Error);
      }
    }
  });
  stream.on("error", (err: Error) => finish(err));
  stream.on("end", () => finish(null));
  stream.on("close", () => finish(null));
}

/** Docker's multiplexed stream: 8-byte headers (stream type, length) before each payload. */
function demuxStream(stream: NodeJS.ReadableStream, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): void {
  let buffer = Buffer.alloc(0);
  let raw = false;
  stream.on("data", (chunk: Buffer) => {
    if (raw) return void stdout.write(chunk);
    buffer = Buffer.concat([buffer, chunk]);
    while (buffer.length >= 8) {
      const type = buffer[0]!;
      if (type > 2) {
        // Not multiplexed (a TTY): everything is stdout from here on.
        raw = true;
        stdout.write(buffer);
        buffer = Buffer.alloc(0);
        return;
      }
      const size = buffer.readUInt32BE(4);
      if (buffer.length < 8 + size) return;
      (type === 2 ? stderr : stdout).write(buffer.subarray(8, 8 + size));
      buffer = buffer.subarray(8 + size);
    }
  });
}

export class DockerEngine implements DockerApi {
  readonly socketPath: string;
  readonly modem: DockerModemApi = { followProgress, demuxStream };

  constructor(opts: { socketPath?: string } = {}) {
    const env = process.env.DOCKER_HOST;
    this.socketPath = opts.socketPath ?? (env?.startsWith("unix://") ? env.slice(7) : "/var/run/docker.sock");
  }

  /** One API call; JSON answers are parsed, `raw` returns the Response for streams. */
  async call(method: string, path: string, opts: { query?: Record<string, unknown>; body?: unknown; raw?: boolean; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<any> {
    let body: RequestInit["body"] | undefined;
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.body instanceof Readable) body = Readable.toWeb(opts.body) as unknown as RequestInit["body"];
    else if (opts.body !== undefined && (opts.body instanceof Uint8Array || opts.body instanceof Blob)) body = opts.body as RequestInit["body"];
    else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers["Content-Type"] = "application/json";
    }
    let res: Response;
    try {
      res = await fetch(`http://docker${API}${path}${query(opts.query)}`, { method, body, headers, unix: this.socketPath, signal: opts.signal } as RequestInit);
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      throw new Error(`Cannot connect to the Docker daemon at unix://${this.socketPath}. Is the docker daemon running? (${(err as Error).message})`);
    }
    if (res.status >= 400 || res.status === 304) {
      const text = await res.text();
      let json: { message?: string } | null = null;
      try {
        json = JSON.parse(text);
      } catch {
        json = text ? { message: text.trim() } : null;
      }
      throw new DockerError(res.status, json, REASONS[res.status] ?? "unexpected");
    }
    if (opts.raw) return res;
    const text = await res.text();
    if (!text) return undefined;
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }

  private async stream(method: string, path: string, opts: Parameters<DockerEngine["call"]>[2] = {}): Promise<NodeJS.ReadableStream> {
    const res = (await this.call(method, path, { ...opts, raw: true })) as Response;
    return Readable.fromWeb(res.body! as never) as unknown as NodeJS.ReadableStream;
  }

  /**
   * A hijacked connection (exec start, attach): the request is written on a raw socket and, once
   * Docker answers 101/200, the socket carries the container's streams both ways.
   */
  hijack(path: string, body: unknown): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const sock = connect({ path: this.socketPath });
      const payload = body === undefined ? "" : JSON.stringify(body);
      sock.once("error", reject);
      sock.once("connect", () => {
        sock.write(
          `POST ${API}${path} HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`,
        );
      });
      // The response head is read with read() (no 'data' listener), so the socket is handed over
      // the way Node hands an upgraded socket: not flowing until its user attaches a listener.
      let head = Buffer.alloc(0);
      const onReadable = () => {
        let chunk: Buffer | null;
        while ((chunk = sock.read() as Buffer | null) !== null) {
          head = Buffer.concat([head, chunk]);
          const end = head.indexOf("\r\n\r\n");
          if (end < 0) continue;
          sock.removeListener("readable", onReadable);
          sock.removeListener("error", reject);
          const status = Number(/^HTTP\/1\.\d (\d+)/.exec(head.subarray(0, end).toString())?.[1] ?? 0);
          const rest = head.subarray(end + 4);
          if (status !== 101 && status !== 200) {
            sock.destroy();
            return reject(new DockerError(status, { message: rest.toString().trim() }, REASONS[status] ?? "unexpected"));
          }
          if (rest.length) sock.unshift(rest);
          return resolve(sock);
        }
      };
      sock.on("readable", onReadable);
    });
  }

  ping(): Promise<unknown> {
    return this.call("GET", "/_ping");
  }

  info(): Promise<any> {
    return this.call("GET", "/info");
  }

  version(): Promise<Docker.DockerVersion> {
    return this.call("GET", "/version");
  }

  listContainers(opts: Docker.ContainerListOptions = {}): Promise<Docker.ContainerInfo[]> {
    return this.call("GET", "/containers/json", { query: opts as Record<string, unknown> });
  }

  listImages(opts: Docker.ListImagesOptions = {}): Promise<Docker.ImageInfo[]> {
    return this.call("GET", "/images/json", { query: opts as Record<string, unknown> });
  }

  async createContainer(opts: Docker.ContainerCreateOptions): Promise<ContainerApi> {
    const { name, platform, abortSignal: _a, ...body } = opts;
    const r = (await this.call("POST", "/containers/create", { query: { name, platform }, body })) as { Id: string };
    return this.getContainer(r.Id);
  }

  getContainer(id: string): ContainerApi {
    const path = `/containers/${encodeURIComponent(id)}`;
    return {
      id,
      inspect: () => this.call("GET", `${path}/json`),
      start: () => this.call("POST", `${path}/start`),
      stop: (o = {}) => this.call("POST", `${path}/stop`, { query: o }),
      kill: (o = {}) => this.call("POST", `${path}/kill`, { query: o }),
      remove: (o = {}) => this.call("DELETE", path, { query: o }),
      wait: () => this.call("POST", `${path}/wait`),
      exec: async (o) => {
        const { Id } = (await this.call("POST", `${path}/exec`, { body: o })) as { Id: string };
        return this.exec(Id);
      },
      logs: async (o: Record<string, unknown> = {}) => {
        if (o.follow) return this.logStream(id, o);
        const res = (await this.call("GET", `${path}/logs`, { query: o, raw: true })) as Response;
        return Buffer.from(await res.arrayBuffer());
      },
      attach: (o: Record<string, unknown> = {}) => this.hijack(`${path}/attach${query(o)}`, undefined),
      resize: (o: { h: number; w: number }) => this.call("POST", `${path}/resize`, { query: o }),
    } as ContainerApi;
  }

  /** The container's log as a stream, also when not following (logs() would buffer it whole). */
  logStream(id: string, opts: Record<string, unknown>): Promise<NodeJS.ReadableStream> {
    return this.stream("GET", `/containers/${encodeURIComponent(id)}/logs`, { query: opts });
  }

  private exec(id: string): ExecApi {
    const path = `/exec/${id}`;
    return {
      start: async (o = {}) => {
        const body = { Detach: o.Detach ?? false, Tty: o.Tty ?? false };
        if (o.hijack || o.stdin) return this.hijack(`${path}/start`, body);
        return this.stream("POST", `${path}/start`, { body }) as unknown as NodeJS.ReadWriteStream;
      },
      inspect: () => this.call("GET", `${path}/json`),
      resize: (o) => this.call("POST", `${path}/resize`, { query: o }),
    };
  }

  getImage(name: string): ImageApi & { tag(o: { repo: string; tag?: string }): Promise<unknown> } {
    const path = `/images/${encodeURIComponent(name)}`;
    return {
      inspect: () => this.call("GET", `${path}/json`),
      remove: (o = {}) => this.call("DELETE", path, { query: o }),
      tag: (o) => this.call("POST", `${path}/tag`, { query: o }),
    };
  }

  importImage(file: NodeJS.ReadableStream, opts: Record<string, unknown> = {}): Promise<NodeJS.ReadableStream> {
    return this.stream("POST", "/images/create", { query: { ...opts, fromSrc: "-" }, body: file, headers: { "Content-Type": "application/x-tar" } });
  }

  loadImage(file: NodeJS.ReadableStream | string, opts: Record<string, unknown> = {}): Promise<NodeJS.ReadableStream> {
    const body = typeof file === "string" ? Bun.file(file) : file;
    return this.stream("POST", "/images/load", { query: opts, body, headers: { "Content-Type": "application/x-tar" } });
  }

  pull(repoTag: string, opts: Record<string, unknown> = {}): Promise<NodeJS.ReadableStream> {
    const at = repoTag.lastIndexOf(":");
    const slash = repoTag.lastIndexOf("/");
    const [fromImage, tag] = repoTag.includes("@") ? [repoTag, undefined] : at > slash ? [repoTag.slice(0, at), repoTag.slice(at + 1)] : [repoTag, "latest"];
    const auth = opts.authconfig ? { "X-Registry-Auth": Buffer.from(JSON.stringify(opts.authconfig)).toString("base64url") } : undefined;
    return this.stream("POST", "/images/create", { query: { fromImage, tag }, headers: auth, signal: opts.abortSignal as AbortSignal | undefined });
  }

  getEvents(opts: { filters?: Record<string, string[]>; since?: number } = {}): Promise<NodeJS.ReadableStream> {
    return this.stream("GET", "/events", { query: opts as Record<string, unknown> });
  }
}
