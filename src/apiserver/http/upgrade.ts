/**
 * Requests that switch protocols (exec, attach and port-forward over WebSocket or SPDY, the
 * agents' tunnel) are taken off the TLS front before they reach Bun.serve, which cannot hand
 * over a raw socket. They get the same pipeline as every other request here: authentication,
 * request info, authorization, auditing, then the handler registered for the subresource or
 * path. A failure before the handler took the socket is answered with the usual Status response.
 */
import { randomUUID } from "node:crypto";
import type { Duplex } from "node:stream";
import type { Logger } from "../../log/index.ts";
import type { UserInfo } from "../registry/definition.ts";
import type { GenericStore } from "../registry/store.ts";
import type { Registry } from "../registry/registry.ts";
import type { PeerCertificateIdentity, UpgradeRequest } from "../secure/index.ts";
import type { Authorizer } from "./authz.ts";
import type { ResourceRequest } from "./request-info.ts";
import { writeResponse } from "../../httpstream/index.ts";
import { errors } from "../api/errors.ts";
import { authorizeRequest, resourceAttributes } from "./authz.ts";
import { impersonate } from "../authz/impersonation.ts";
import { parseRequestInfo } from "./request-info.ts";
import { errorResponse, routeNotFound } from "./respond.ts";
import { newRequestScope } from "./resource-handler.ts";
import { NO_USER, type Auditor, type AuditRecord } from "../audit/index.ts";

/** An upgrade request for a resource's subresource (pods/exec, ...), authorized. */
export interface UpgradeCall {
  /** Method, URL and headers of the request (it has no body). */
  req: Request;
  url: URL;
  info: ResourceRequest;
  user: UserInfo;
  /** The store of the parent resource. */
  store: GenericStore;
  registry: Registry;
  socket: Duplex;
  /** Bytes the client sent after the head. */
  rest: Buffer;
  /** The WebSocket subprotocols to choose from (a bearer token carried in them is removed). */
  protocols: string[];
}

/** An upgrade request for a plain path (the agents' tunnel), authenticated only. */
export interface PathUpgradeCall {
  req: Request;
  url: URL;
  user: UserInfo;
  socket: Duplex;
  rest: Buffer;
}

/**
 * Serves an upgrade. It throws (ApiError) only before writing to the socket; once it answered
 * 101 the connection is its own.
 */
export type UpgradeHandler = (call: UpgradeCall) => Promise<void>;
export type PathUpgradeHandler = (call: PathUpgradeCall) => Promise<void>;

export interface UpgradeRoutes {
  /** By "<group>/<resource>/<subresource>" ("/pods/exec" for the core group). */
  subresources: Map<string, UpgradeHandler>;
  /** By exact path. */
  paths: Map<string, PathUpgradeHandler>;
}

export interface UpgradeDeps {
  registry: Registry;
  authorizer: Authorizer;
  routes: UpgradeRoutes;
  ready(): boolean;
  /** The request's user, or a failure (a credential presented but wrong). */
  authenticate(req: Request, peer: PeerCertificateIdentity | undefined): UpgradeAuthentication | Promise<UpgradeAuthentication>;
  /** Audit events for these requests too (--audit-policy-file). */
  audit?: Auditor;
  log: Logger;
}


/** The status code of an HTTP/1.1 answer's first bytes (0 when they are not a status line). */
function statusOf(chunk: unknown): number {
  const head = typeof chunk === "string" ? chunk.slice(0, 16) : chunk instanceof Uint8Array ? Buffer.from(chunk.subarray(0, 16)).toString("latin1") : "";
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
  return m ? Number(m[1]) : 0;
}

/**
 * Tells the audit record what the handler answered (its first write on the socket: a 101, or a
 * refusal of its own) and when the switched connection ends. The handlers write straight to the
 * socket, so its first write is where the answer is seen.
 */
function auditAnswer(record: AuditRecord, socket: Duplex): void {
  const write = socket.write;
  let code = 0;
  socket.write = function (this: Duplex, ...args: Parameters<Duplex["write"]>) {
    socket.write = write;
    code = statusOf(args[0]);
    record.answered(code);
    return write.apply(this, args);
  } as Duplex["write"];
  socket.once("close", () => record.closed(code || 101));
}

type UpgradeAuthentication = { ok: true; user: UserInfo; via: string; protocols?: string[] } | { ok: false; reason: string };

function routeKey(info: ResourceRequest): string {
  return `${info.group}/${info.resource}/${info.subresource}`;
}

/** The TLS front's onUpgrade: takes the connections a registered handler serves, leaves the rest to the inner server. */
export function upgradeHandler(deps: UpgradeDeps): (up: UpgradeRequest) => boolean {
  return (up) => {
    let url: URL;
    try {
      url = new URL(up.head.target, "https://localhost");
    } catch {
      return false;
    }
    const pathHandler = deps.routes.paths.get(url.pathname);
    const info = pathHandler ? undefined : parseRequestInfo(up.head.method, url);
    const handler = info?.kind === "resource" && info.subresource ? deps.routes.subresources.get(routeKey(info)) : undefined;
    if (!pathHandler && !handler) return false;
    const audit: Audit = {};
    serve(up, url, deps, pathHandler, handler && info?.kind === "resource" ? { info, handler } : undefined, audit).catch(async (err) => {
      deps.log.v(2).info("upgrade request failed", { path: url.pathname, err });
      const res = errorResponse(err);
      if (audit.unauthenticated) await audit.record?.unauthenticated(res.clone() as Response);
      else await audit.record?.refused(res.clone() as Response);
      if (!up.socket.destroyed) void writeResponse(up.socket, res).catch(() => up.socket.destroy());
    });
    return true;
  };
}

/** The request's audit record, once it has one (the failure path reports to it too). */
interface Audit {
  record?: AuditRecord;
  /** The request failed authentication: one ResponseStarted event, as upstream's failed-authentication audit. */
  unauthenticated?: boolean;
}

/** Starts the audit record of an upgrade request (RequestReceived), as the HTTP pipeline does for the others. */
function beginAudit(deps: UpgradeDeps, up: UpgradeRequest, req: Request, url: URL, user: UserInfo | undefined, audit: Audit): ReturnType<typeof newRequestScope> {
  const scope = newRequestScope(req);
  const address = up.connection.remoteAddress;
  audit.unauthenticated = !user;
  audit.record = deps.audit?.begin({ request: req, url, user: user ?? NO_USER, info: parseRequestInfo(req.method, url), sourceIPs: address ? [address] : [], scope, auditID: req.headers.get("audit-id") || randomUUID(), receivedAt: Date.now() });
  if (user) audit.record?.received();
  if (audit.record) auditAnswer(audit.record, up.socket);
  return scope;
}

async function serve(up: UpgradeRequest, url: URL, deps: UpgradeDeps, pathHandler: PathUpgradeHandler | undefined, resource: { info: ResourceRequest; handler: UpgradeHandler } | undefined, audit: Audit): Promise<void> {
  const req = new Request(url.toString(), { method: up.head.method, headers: up.head.headers });
  const auth = await deps.authenticate(req, up.connection.peer);
  const authenticated = auth.ok && auth.via !== "anonymous";
  const scope = beginAudit(deps, up, req, url, authenticated ? auth.user : undefined, audit);
  if (!authenticated) throw errors.unauthorized();
  if (!deps.ready()) throw errors.serviceUnavailable("the server is not ready yet");
  const user = await impersonate(req.headers, auth.user, deps.authorizer);
  if (user !== auth.user) scope.impersonatedUser = user;
  if (pathHandler) return pathHandler({ req, url, user, socket: up.socket, rest: up.rest });
  const { info, handler } = resource!;
  const store = deps.registry.lookup(info.group, info.version, info.resource);
  if (!store || (store.def.namespaced && !info.namespace) || !info.name) throw routeNotFound();
  await authorizeRequest(deps.authorizer, resourceAttributes(user, info), scope, info);
  const protocols = auth.protocols ?? (req.headers.get("sec-websocket-protocol") ?? "").split(",").map((p) => p.trim()).filter(Boolean);
  await handler({ req, url, info, user, store, registry: deps.registry, socket: up.socket, rest: up.rest, protocols });
}
