/**
 * HTTP(S) GET checks, as kubelet probes and lifecycle hooks make them: a 2xx or 3xx answer
 * succeeds, anything else fails with upstream's messages; redirects are followed on the same host
 * (a redirect elsewhere ends the probe as a success with a warning, like upstream); HTTPS does not
 * verify certificates; no connection is reused.
 */
import type { ClientRequest, IncomingMessage, RequestOptions } from "node:http";
import { dialError } from "./tcp.ts";

export interface HttpCheck {
  scheme: "HTTP" | "HTTPS";
  host: string;
  port: number;
  path: string;
  headers: Array<{ name: string; value: string }>;
  timeoutMs: number;
}

export interface CheckResult {
  ok: boolean;
  output: string;
  /** Set when the check succeeded with a warning (a redirect to another host). */
  warning?: string;
}

const USER_AGENT = "kube-probe/1.32";
const MAX_BODY = 10 * 1024;
const MAX_REDIRECTS = 10;

function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

type Request = (url: URL, opts: RequestOptions & { rejectUnauthorized?: boolean }, onResponse: (res: IncomingMessage) => void) => ClientRequest;

/**
 * node:http and node:https load with the first HTTP check: an agent whose pods have none does
 * not hold them (a few MB of resident memory).
 */
async function requester(url: URL): Promise<Request> {
  const mod = url.protocol === "https:" ? await import("node:https") : await import("node:http");
  return mod.request as Request;
}

async function get(url: URL, headers: Record<string, string>, deadline: number): Promise<{ status: number; location?: string; body: string }> {
  const request = await requester(url);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: "GET", headers, agent: false, rejectUnauthorized: false, timeout: Math.max(1, deadline - Date.now()) },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          if (size < MAX_BODY) chunks.push(c);
          size += c.length;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: Buffer.concat(chunks).toString().slice(0, MAX_BODY) }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })));
    req.on("error", reject);
    req.end();
  });
}

export async function httpGet(check: HttpCheck): Promise<CheckResult> {
  const scheme = check.scheme === "HTTPS" ? "https" : "http";
  const path = check.path.startsWith("/") ? check.path : `/${check.path}`;
  let url = new URL(`${scheme}://${hostPort(check.host, check.port)}${path}`);
  const headers: Record<string, string> = { "User-Agent": USER_AGENT, Accept: "*/*", Connection: "close" };
  for (const h of check.headers) {
    if (h.name.toLowerCase() === "host") headers.Host = h.value;
    else headers[h.name] = h.value;
  }
  const deadline = Date.now() + check.timeoutMs;
  for (let hop = 0; ; hop++) {
    let res: Awaited<ReturnType<typeof get>>;
    try {
      res = await get(url, headers, deadline);
    } catch (err) {
      const code = (err as { code?: string }).code;
      const why =
        code === "ETIMEDOUT" ? "context deadline exceeded (Client.Timeout exceeded while awaiting headers)" : dialError(url.hostname.replace(/^\[|\]$/g, ""), Number(url.port), err);
      return { ok: false, output: `Get "${url.href}": ${why}` };
    }
    if (res.status >= 300 && res.status < 400 && res.location && hop < MAX_REDIRECTS) {
      const next = new URL(res.location, url);
      if (next.hostname !== url.hostname) return { ok: true, output: res.body, warning: `Probe terminated redirects, Response body: ${res.body}` };
      url = next;
      continue;
    }
    if (res.status >= 200 && res.status < 400) return { ok: true, output: res.body };
    return { ok: false, output: `HTTP probe failed with statuscode: ${res.status}` };
  }
}
