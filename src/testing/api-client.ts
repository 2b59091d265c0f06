/**
 * A raw HTTPS client for e2e tests of the API's wire behaviour: requests with the admin client
 * certificate from the kubeconfig, replies as status + headers + bytes, and watch streams read
 * event by event (newline-delimited JSON, or protobuf frames).
 */
import type { KubeObject } from "../apiserver/api/types.ts";
import { readKubeconfig } from "../pki/index.ts";

export interface Reply {
  status: number;
  headers: Headers;
  bytes: Uint8Array;
  text: string;
  /** The body parsed as JSON (throws if it is not). */
  json<T = Record<string, unknown>>(): T;
}

export interface RequestOptions {
  method?: string;
  /** An object is sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface WatchEvent {
  type: string;
  object: KubeObject;
}

export interface WatchStream {
  status: number;
  headers: Headers;
  /** The next event, or undefined when the stream ended or `timeoutMs` passed first. */
  next(timeoutMs?: number): Promise<WatchEvent | undefined>;
  /** Events until the stream ends (or `timeoutMs` passes without one). */
  rest(timeoutMs?: number): Promise<WatchEvent[]>;
  /** Whether the server closed the stream. */
  ended(): boolean;
  close(): void;
}

export interface ApiClient {
  server: string;
  request(path: string, opts?: RequestOptions): Promise<Reply>;
  /** GET that must succeed with JSON; returns the parsed body. */
  get<T = KubeObject>(path: string, headers?: Record<string, string>): Promise<T>;
  /** POST/PUT that must succeed; returns the parsed body. */
  send<T = KubeObject>(method: "POST" | "PUT" | "PATCH" | "DELETE", path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
  /**
   * Opens a watch. `decode` splits the byte stream into events: JSON lines by default;
   * pass a protobuf decoder's push for `stream=watch` replies.
   */
  watch(path: string, opts?: { headers?: Record<string, string>; decode?: (chunk: Uint8Array) => WatchEvent[] }): Promise<WatchStream>;
}

export function apiClient(kubeconfig: string): ApiClient {
  const kc = readKubeconfig(kubeconfig);
  const tls = { ca: kc.caPem, cert: kc.clientCertPem, key: kc.clientKeyPem };
  const fetchApi = (path: string, init: RequestInit & { signal?: AbortSignal }) => fetch(`${kc.server}${path}`, { ...init, tls } as RequestInit);

  const request = async (path: string, opts: RequestOptions = {}): Promise<Reply> => {
    const headers: Record<string, string> = { ...opts.headers };
    let body: string | Uint8Array | undefined;
    if (opts.body instanceof Uint8Array || typeof opts.body === "string") body = opts.body;
    else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers["Content-Type"] ??= "application/json";
    }
    const res = await fetchApi(path, { method: opts.method ?? "GET", headers, body });
    const bytes = new Uint8Array(await res.arrayBuffer());
    const text = new TextDecoder().decode(bytes);
    return { status: res.status, headers: res.headers, bytes, text, json: <T>() => JSON.parse(text) as T };
  };

  const must = async <T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> => {
    const r = await request(path, { method, body, headers });
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
    return r.json<T>();
  };

  return {
    server: kc.server,
    request,
    get: (path, headers) => must("GET", path, undefined, headers),
    send: (method, path, body, headers) => must(method, path, body, headers),
    async watch(path, opts = {}) {
      const abort = new AbortController();
      const res = await fetchApi(path, { headers: opts.headers, signal: abort.signal });
      const reader = res.body!.getReader();
      const decode = opts.decode ?? jsonLines();
      const queue: WatchEvent[] = [];
      let done = false;
      let pending: Promise<void> | undefined;
      const pump = () =>
        (pending ??= reader.read().then(
          ({ done: end, value }) => {
            pending = undefined;
            if (end) done = true;
            else queue.push(...decode(value));
          },
          () => {
            pending = undefined;
            done = true;
          },
        ));
      const next = async (timeoutMs = 5000): Promise<WatchEvent | undefined> => {
        const deadline = Date.now() + timeoutMs;
        while (queue.length === 0 && !done) {
          const left = deadline - Date.now();
          if (left <= 0) return undefined;
          let timer: ReturnType<typeof setTimeout> | undefined;
          await Promise.race([pump(), new Promise<void>((r) => (timer = setTimeout(r, left)))]).finally(() => clearTimeout(timer));
        }
        return queue.shift();
      };
      return {
        status: res.status,
        headers: res.headers,
        next,
        async rest(timeoutMs = 5000) {
          const out: WatchEvent[] = [];
          for (let ev = await next(timeoutMs); ev; ev = await next(timeoutMs)) out.push(ev);
          return out;
        },
        ended: () => done && queue.length === 0,
        close: () => abort.abort(),
      };
    },
  };
}

/** Splits newline-delimited JSON watch events (blank lines are keep-alive filler). */
function jsonLines(): (chunk: Uint8Array) => WatchEvent[] {
  const decoder = new TextDecoder();
  let buffered = "";
  return (chunk) => {
    buffered += decoder.decode(chunk, { stream: true });
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    return lines.filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as WatchEvent);
  };
}
