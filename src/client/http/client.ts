/**
 * The Client contract over HTTPS, for processes that are not the API server (agents on other
 * machines, the embedded agent over loopback). JSON on the wire; watches are streamed and parsed
 * line by line; every error reply becomes an ApiError with the Status's code and reason, exactly
 * as the in-process client throws them.
 */
import { readFileSync } from "node:fs";
import type { KubeList, KubeObject } from "../../apiserver/api/types.ts";
import type { Client, DeleteOptions, ListOptions, PatchType, ResourceRef, ServedResource, WatchEvent, WatchOptions } from "../types.ts";
import { apiErrorFromReply } from "./errors.ts";
import { discoveredResources, type AggregatedDiscovery } from "./discovery.ts";
import { collectionPath, listQuery, objectPath, watchQuery, withQuery } from "./paths.ts";

export interface HttpClientOptions {
  /** https://host:port of the API server. */
  server: string;
  /** CA bundle the server's certificate must chain to; undefined uses the system trust store. */
  caPem?: string;
  /** Client certificate (may include its chain) and key. */
  certPem?: string;
  keyPem?: string;
  /** `Authorization: Bearer <token>`. */
  bearerToken?: string;
  /** A file holding the bearer token, re-read at most once a minute (projected service-account tokens rotate). */
  bearerTokenFile?: string;
  /** `Authorization: Basic` (k3s's supervisor credentials, e.g. a join token's user and secret). */
  basic?: { username: string; password: string };
  userAgent?: string;
  /** Deadline of each non-watch request (default 30 s). */
  requestTimeoutMs?: number;
}

interface SendOptions {
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  accept?: string;
  /** Streaming replies (watches) must not be cut by the idle timer. */
  stream?: boolean;
}

const JSON_TYPE = "application/json";
const AGGREGATED_DISCOVERY = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

export class HttpClient implements Client {
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly tls: { ca?: string; cert?: string; key?: string };
  private tokenRead = { at: 0, token: "" };

  constructor(readonly opts: HttpClientOptions) {
    this.base = opts.server.replace(/\/+$/, "");
    this.headers = { Accept: JSON_TYPE, "User-Agent": opts.userAgent ?? "kts" };
    if (opts.bearerToken) this.headers.Authorization = `Bearer ${opts.bearerToken}`;
    else if (opts.basic) this.headers.Authorization = `Basic ${Buffer.from(`${opts.basic.username}:${opts.basic.password}`).toString("base64")}`;
    this.tls = { ca: opts.caPem, cert: opts.certPem, key: opts.keyPem };
  }

  /** One request; resolves with the reply when it is a success, throws ApiError otherwise. */
  async send(method: string, path: string, opts: SendOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { ...this.headers, ...(opts.accept ? { Accept: opts.accept } : {}) };
    if (this.opts.bearerTokenFile) headers.Authorization = `Bearer ${this.fileToken(this.opts.bearerTokenFile)}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
      headers["Content-Type"] = opts.contentType ?? JSON_TYPE;
    }
    const deadline = opts.stream ? undefined : AbortSignal.timeout(this.opts.requestTimeoutMs ?? 30_000);
    const signal = opts.signal && deadline ? AbortSignal.any([opts.signal, deadline]) : (opts.signal ?? deadline);
    const init: BunFetchRequestInit = { method, headers, body, signal, tls: this.tls, ...(opts.stream ? { timeout: false } : {}) };
    const res = await fetch(`${this.base}${path}`, init);
    if (res.ok) return res;
    throw apiErrorFromReply(res.status, await res.text());
  }

  private fileToken(path: string): string {
    const now = Date.now();
    if (now - this.tokenRead.at > 60_000) this.tokenRead = { at: now, token: readFileSync(path, "utf8").trim() };
    return this.tokenRead.token;
  }

  async json<T>(method: string, path: string, opts: SendOptions = {}): Promise<T> {
    const res = await this.send(method, path, opts);
    return (await res.json()) as T;
  }

  /** GET /version: the server's build (kubelets report the server's gitVersion as their own). */
  version(): Promise<{ major: string; minor: string; gitVersion: string; platform?: string }> {
    return this.json("GET", "/version");
  }

  get(ref: ResourceRef, namespace: string, name: string): Promise<KubeObject> {
    return this.json("GET", objectPath(ref, namespace, name));
  }

  list(ref: ResourceRef, namespace: string, opts: ListOptions = {}): Promise<KubeList> {
    return this.json("GET", withQuery(collectionPath(ref, namespace), listQuery(opts)));
  }

  async *watch(ref: ResourceRef, namespace: string, opts: WatchOptions, signal: AbortSignal): AsyncIterable<WatchEvent> {
    const timeoutSeconds = 300 + Math.floor(Math.random() * 300);
    let res: Response;
    try {
      res = await this.send("GET", withQuery(collectionPath(ref, namespace), watchQuery(opts, timeoutSeconds)), { signal, stream: true });
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
    yield* watchEvents(res, signal);
  }

  create(ref: ResourceRef, namespace: string, obj: KubeObject): Promise<KubeObject> {
    return this.json("POST", collectionPath(ref, namespace), { body: obj });
  }

  update(ref: ResourceRef, namespace: string, obj: KubeObject, opts: { subresource?: string } = {}): Promise<KubeObject> {
    return this.json("PUT", objectPath(ref, namespace, obj.metadata?.name ?? "", opts.subresource), { body: obj });
  }

  patch(ref: ResourceRef, namespace: string, name: string, type: PatchType, patch: unknown, opts: { subresource?: "status" } = {}): Promise<KubeObject> {
    return this.json("PATCH", objectPath(ref, namespace, name, opts.subresource), { body: JSON.stringify(patch), contentType: type });
  }

  /** Server-side apply (`application/apply-patch+yaml`) of a whole object as `fieldManager`. */
  apply(ref: ResourceRef, namespace: string, obj: KubeObject, opts: { fieldManager: string; force?: boolean }): Promise<KubeObject> {
    const path = withQuery(objectPath(ref, namespace, obj.metadata?.name ?? ""), { fieldManager: opts.fieldManager, force: opts.force || undefined });
    return this.json("PATCH", path, { body: JSON.stringify(obj), contentType: "application/apply-patch+yaml" });
  }

  /** The object as deleted, or the Status (kind Status, status Success) that types deleted at once answer over HTTP. */
  delete(ref: ResourceRef, namespace: string, name: string, opts: DeleteOptions = {}): Promise<KubeObject> {
    return this.json("DELETE", objectPath(ref, namespace, name), { body: { kind: "DeleteOptions", apiVersion: "v1", ...opts } });
  }

  /** Aggregated discovery (/api and /apis in one answer each), as kubectl 1.30+ reads it. */
  async resources(): Promise<ServedResource[]> {
    const [core, groups] = await Promise.all(["/api", "/apis"].map((path) => this.json<AggregatedDiscovery>("GET", path, { accept: AGGREGATED_DISCOVERY })));
    return [...discoveredResources(core!), ...discoveredResources(groups!)];
  }
}

/** Newline-delimited JSON events until the server ends the stream or `signal` aborts. */
async function* watchEvents(res: Response, signal: AbortSignal): AsyncIterable<WatchEvent> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return;
      buffered += decoder.decode(value, { stream: true });
      for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (line) yield JSON.parse(line) as WatchEvent;
      }
    }
  } catch (err) {
    if (signal.aborted) return;
    throw err;
  } finally {
    // A consumer that stops early must not leave the stream (and its connection) open.
    reader.cancel().catch(() => undefined);
  }
}
