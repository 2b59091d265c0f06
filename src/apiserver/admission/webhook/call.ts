/**
 * Calling an admission webhook: an HTTPS POST of the AdmissionReview to clientConfig.url, or to
 * clientConfig.service (the Service's ClusterIP and port, the certificate checked for
 * <service>.<namespace>.svc), trusting clientConfig.caBundle (else the system roots), within
 * timeoutSeconds. Failures read as upstream's Go client words them.
 */
import { Agent, request as httpsRequest } from "node:https";
import type { GenericStore } from "../../registry/store.ts";

export interface ClientConfig {
  url?: string;
  service?: { namespace?: string; name?: string; path?: string; port?: number };
  caBundle?: string;
}

export interface Endpoint {
  /** What error messages show ("https://host:port/path"). */
  url: string;
  host: string;
  port: number;
  path: string;
  /** The name the certificate must carry. */
  serverName: string;
}

export class CallError extends Error {}

/** Connections are kept open per webhook endpoint and trust bundle, as Go's transport does: no handshake per request. */
const agents = new Map<string, Agent>();
function agentFor(ep: Endpoint, ca: string | undefined): Agent {
  const key = `${ep.host}:${ep.port}:${ep.serverName}:${ca ?? ""}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({ keepAlive: true, maxSockets: 64, ca });
    agents.set(key, agent);
  }
  return agent;
}

/** Where a webhook is reached; a service reference becomes its ClusterIP. */
export async function resolveEndpoint(cfg: ClientConfig, services: GenericStore | undefined): Promise<Endpoint> {
  if (cfg.url) {
    const u = new URL(cfg.url);
    const host = u.hostname.replace(/^\[|\]$/g, "");
    return { url: cfg.url, host, port: Number(u.port || 443), path: `${u.pathname}${u.search}`, serverName: host };
  }
  const svc = cfg.service ?? {};
  const name = svc.name ?? "";
  const namespace = svc.namespace ?? "";
  const port = svc.port ?? 443;
  const path = svc.path ?? "/";
  const serverName = `${name}.${namespace}.svc`;
  const url = `https://${serverName}:${port}${path}`;
  let clusterIP: string | undefined;
  try {
    clusterIP = ((await services?.get(namespace, name))?.spec as { clusterIP?: string } | undefined)?.clusterIP;
  } catch {
    clusterIP = undefined;
  }
  if (!clusterIP || clusterIP === "None") throw new CallError(`Post "${url}": service "${namespace}/${name}" not found or has no ClusterIP`);
  return { url, host: clusterIP, port, path, serverName };
}

/** Go's net/http wording for common failures. */
function goError(err: NodeJS.ErrnoException, ep: Endpoint): string {
  const addr = `${ep.host.includes(":") ? `[${ep.host}]` : ep.host}:${ep.port}`;
  switch (err.code) {
    case "ECONNREFUSED":
      return `dial tcp ${addr}: connect: connection refused`;
    case "EHOSTUNREACH":
      return `dial tcp ${addr}: connect: no route to host`;
    case "ENOTFOUND":
      return `dial tcp: lookup ${ep.host}: no such host`;
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "SELF_SIGNED_CERT_IN_CHAIN":
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
    case "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
      return "tls: failed to verify certificate: x509: certificate signed by unknown authority";
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return `tls: failed to verify certificate: x509: certificate is valid for other names, not ${ep.serverName}`;
    default:
      return err.message;
  }
}

/** POSTs `body` and returns the parsed JSON answer; throws CallError with the message upstream would give. */
export function postJson(ep: Endpoint, caBundle: string | undefined, body: unknown, timeoutSeconds: number): Promise<unknown> {
  const sep = ep.path.includes("?") ? "&" : "?";
  const path = `${ep.path}${sep}timeout=${timeoutSeconds}s`;
  const shown = `Post "${ep.url}${ep.url.includes("?") ? "&" : "?"}timeout=${timeoutSeconds}s"`;
  const payload = Buffer.from(JSON.stringify(body));
  const ca = caBundle ? Buffer.from(caBundle, "base64").toString("utf8") : undefined;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const req = httpsRequest(
      {
        host: ep.host,
        port: ep.port,
        path,
        method: "POST",
        servername: /^[\d.]+$|:/.test(ep.serverName) ? undefined : ep.serverName,
        ca,
        headers: { "Content-Type": "application/json", Accept: "application/json", "Content-Length": String(payload.length) },
        agent: agentFor(ep, ca),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          finish(() => {
            const text = Buffer.concat(chunks).toString("utf8");
            const code = res.statusCode ?? 0;
            if (code < 200 || code >= 300) return reject(new CallError(`${shown}: the server responded with the status code ${code} but did not return more information`));
            try {
              resolve(JSON.parse(text));
            } catch (err) {
              reject(new CallError(`received invalid webhook response: ${(err as Error).message}`));
            }
          }),
        );
        res.on("error", (err) => finish(() => reject(new CallError(`${shown}: ${goError(err as NodeJS.ErrnoException, ep)}`))));
      },
    );
    const timer = setTimeout(() => {
      finish(() => reject(new CallError(`${shown}: context deadline exceeded`)));
      req.destroy();
    }, timeoutSeconds * 1000);
    req.on("error", (err) => finish(() => reject(new CallError(`${shown}: ${goError(err as NodeJS.ErrnoException, ep)}`))));
    req.end(payload);
  });
}
