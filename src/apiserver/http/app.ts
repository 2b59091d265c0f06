/**
 * The API server's HTTP application (a Bun.serve fetch handler): health and version endpoints,
 * discovery, OpenAPI, and every resource path, behind the request pipeline
 * authentication -> authorization -> handler (admission and validation run in the store).
 */
import { randomUUID } from "node:crypto";
import type { Server } from "bun";
import type { UserInfo } from "../registry/definition.ts";
import type { Registry } from "../registry/registry.ts";
import type { Authorizer } from "./authz.ts";
import type { SubresourceHandler } from "./resource-handler.ts";
import type { OpenApi } from "../openapi/index.ts";
import { handleOpenApiRequest } from "../openapi/index.ts";
import { decodeObject as decodeProtobuf } from "../protobuf/index.ts";
import { errors } from "../api/errors.ts";
import { Discovery } from "./discovery.ts";
import { parseMediaRanges } from "./negotiate.ts";
import { parseRequestInfo } from "./request-info.ts";
import { handleResourceRequest, newRequestScope } from "./resource-handler.ts";
import type { RequestInfo } from "./request-info.ts";
import { NO_USER, type AuditRecord, type Auditor } from "../audit/index.ts";
import { errorResponse, jsonResponse, methodNotAllowed, routeNotFound } from "./respond.ts";
import { authorizeRequest, forbiddenReason } from "./authz.ts";
import { impersonate } from "../authz/impersonation.ts";

export const KUBERNETES_VERSION = { major: "1", minor: "32", gitVersion: "v1.32.5+kts1" };

export interface AppOptions {
  registry: Registry;
  authorizer: Authorizer;
  /** Who sent the request (client certificate, token), or undefined for anonymous; throws 401 for bad credentials. */
  authenticate(req: Request, server: Server<unknown>): Promise<UserInfo | undefined>;
  /** --anonymous-auth: anonymous requests reach every path (and are authorized); otherwise only the public ones. */
  anonymousAuth?: boolean;
  /** More non-resource paths (service account issuer discovery), authorized like the others. */
  routes?: Map<string, () => Response>;
  /** Ready once the store and the built-in objects are in place. */
  ready(): boolean;
  subresources?: Map<string, SubresourceHandler>;
  /** host:port clients reach this server at (--advertise-address and the secure port), for legacy discovery. */
  serverAddress?: string;
  /** OpenAPI documents (/openapi/v2, /openapi/v3/...) and field validation of bodies. */
  openapi?: OpenApi;
  /** The server CA bundle served unauthenticated at /cacerts (k3s's route; joining agents pin its hash). */
  caCerts?: string;
  /** Audit events for requests the audit policy selects (--audit-policy-file). */
  audit?: Auditor;
  /** The client's address, as the TLS front saw it (for audit sourceIPs). */
  clientAddress?(req: Request, server: Server<unknown>): string | undefined;
  /** kts's own routes for authenticated users (/v1-kts/...): a Response, or undefined for paths they do not serve. */
  extraRoutes?: Array<(req: Request, url: URL, user: UserInfo) => Promise<Response | undefined>>;
}

const ANONYMOUS: UserInfo = { username: "system:anonymous", groups: ["system:unauthenticated"] };
/** Paths anonymous users reach without --anonymous-auth (k3s's hardened setup): health, version and the supervisor's. */
const PUBLIC_PATHS = new Set(["/healthz", "/livez", "/readyz", "/version", "/cacerts", "/ping"]);
/** k3s's supervisor paths: served to anyone, without authorization (joining agents pin the CA from /cacerts). */
const SUPERVISOR_PATHS = new Set(["/cacerts", "/ping"]);

const AGGREGATED_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
const AGGREGATED_V2BETA1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

/** The API server's request handler, for Bun.serve (no router framework: it would cost ~9 MB of resident memory for one catch-all route). */
export interface App {
  fetch(request: Request, server: Server<unknown>): Promise<Response>;
}

export function createApp(opts: AppOptions): App {
  const discovery = new Discovery(opts.registry);
  const version = () => jsonResponse({ ...KUBERNETES_VERSION, gitCommit: "0000000000000000000000000000000000000000", gitTreeState: "clean", buildDate: "2026-11-27T00:00:00Z", goVersion: `bun${Bun.version}`, compiler: "bun", platform: `${process.platform}/${process.arch === "x64" ? "amd64" : process.arch}` });

  /** /healthz, /livez, /readyz as upstream's healthz handler writes them: "ok", or the checks with ?verbose, or every check on failure. */
  const health = (req: Request, name: string) => {
    const ok = opts.ready();
    const checks = `[+]ping ok\n${ok ? "[+]etcd ok" : "[-]etcd failed: reason withheld"}\n`;
    if (!ok) return new Response(`${checks}${name} check failed\n`, { status: 500, headers: { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" } });
    const verbose = new URL(req.url).searchParams.has("verbose");
    return new Response(verbose ? `${checks}${name} check passed\n` : "ok", { headers: { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" } });
  };

  /** Aggregated discovery when the client asks for it, legacy otherwise. */
  const discover = (req: Request, core: boolean) => {
    const accept = parseMediaRanges(req.headers.get("accept"));
    const wanted = accept.find((r) => r.params.g === "apidiscovery.k8s.io" && r.params.as === "APIGroupDiscoveryList");
    if (wanted) {
      const doc = discovery.aggregated(core);
      const v = wanted.params.v === "v2beta1" ? "v2beta1" : "v2";
      return jsonResponse({ ...doc, apiVersion: `apidiscovery.k8s.io/${v}` }, v === "v2" ? AGGREGATED_V2 : AGGREGATED_V2BETA1);
    }
    if (core) return jsonResponse(withServerAddress(discovery.legacyApi()));
    const list = discovery.legacyGroups() as { groups: Array<Record<string, unknown>> };
    return jsonResponse({ ...list, groups: list.groups.map(withServerAddress) });
  };
  /** Legacy discovery tells clients where to reach the server, as upstream does from its advertise address. */
  const withServerAddress = (doc: Record<string, unknown>) =>
    opts.serverAddress ? { ...doc, serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: opts.serverAddress }] } : doc;

  const nonResource = (req: Request, url: URL): Response => {
    const path = url.pathname.replace(/\/+$/, "") || "/";
    if (path === "/version") return version();
    const route = opts.routes?.get(path);
    if (route) return route();
    if (path === "/cacerts" && opts.caCerts !== undefined) return new Response(opts.caCerts, { headers: { "Content-Type": "text/plain; charset=utf-8" } });
    if (path === "/ping") return new Response("pong", { headers: { "Content-Type": "text/plain; charset=utf-8" } });
    const check = /^\/(healthz|livez|readyz)(\/|$)/.exec(path);
    if (check) return health(req, check[1]!);
    if (path === "/api") return discover(req, true);
    if (path === "/apis") return discover(req, false);
    if (path.startsWith("/openapi/")) return (opts.openapi && handleOpenApiRequest(opts.openapi, url, req.headers.get("accept"), req.headers.get("if-none-match"))) || notFound();
    const parts = path.split("/").filter(Boolean);
    if (parts[0] === "api" && parts.length === 2) return found(discovery.resourceList(parts[1]!));
    if (parts[0] === "apis" && parts.length === 2) return found(discovery.group(parts[1]!));
    if (parts[0] === "apis" && parts.length === 3) return found(discovery.resourceList(`${parts[1]}/${parts[2]}`));
    return notFound();
  };

  /** Who sent it, as authentication says (undefined: anonymous); a bad credential throws 401. */
  const identify = async (request: Request, server: Server<unknown> | null): Promise<UserInfo> => (server && (await opts.authenticate(request, server))) || ANONYMOUS;

  const serve = async (request: Request, url: URL, server: Server<unknown> | null, authenticated: UserInfo, info: RequestInfo, scope: ReturnType<typeof newRequestScope>): Promise<Response> => {
    const anonymous = authenticated === ANONYMOUS;
    if (anonymous && !opts.anonymousAuth && !PUBLIC_PATHS.has(url.pathname)) throw errors.unauthorized();
    if (anonymous && SUPERVISOR_PATHS.has(url.pathname)) return nonResource(request, url);
    // Impersonation headers (kubectl --as) make the rest of the request act as another user.
    const user = await impersonate(request.headers, authenticated, opts.authorizer);
    if (user !== authenticated) scope.impersonatedUser = user;
    if (!anonymous && url.pathname.startsWith("/v1-kts/")) {
      const verb = request.method.toLowerCase();
      const decision = await opts.authorizer.authorize({ user, verb, path: url.pathname });
      if (!decision.allowed) throw errors.forbidden({}, forbiddenReason({ user, verb, path: url.pathname }));
      for (const route of opts.extraRoutes ?? []) {
        const res = await route(request, url, user);
        if (res) return res;
      }
    }
    if (info.kind === "resource") {
      return await handleResourceRequest(request, url, info, user, { registry: opts.registry, authorizer: opts.authorizer, subresources: opts.subresources, openapi: opts.openapi }, scope);
    }
    if (request.method !== "GET" && request.method !== "HEAD") throw methodNotAllowed();
    await authorizeRequest(opts.authorizer, { user, verb: "get", path: url.pathname }, scope);
    return nonResource(request, url);
  };

  /** Every answer carries an Audit-Id (the client's, or a new one), audited or not, as upstream's WithAuditInit. */
  const handle = async (request: Request, server: Server<unknown> | null): Promise<Response> => {
    const url = new URL(request.url);
    const auditID = request.headers.get("audit-id") || randomUUID();
    const scope = newRequestScope(request);
    const receivedAt = Date.now();
    const info = parseRequestInfo(request.method, url);
    // Watches and logs (followed ones stay open as long as the client wants) are long-running as
    // upstream's check says: no request timeout, and audited with a ResponseStarted stage.
    const longRunning = isLongRunning(info);
    if (longRunning) server?.timeout(request, 0);
    let record: AuditRecord | undefined;
    let res: Response;
    // Wrong credentials, or none where anonymous requests are off: audited as upstream's
    // failed-authentication filter does, by one event without a user (see AuditRecord.unauthenticated).
    let unauthenticated = true;
    try {
      let user = ANONYMOUS;
      try {
        user = await identify(request, server);
        unauthenticated = user === ANONYMOUS && !opts.anonymousAuth && !PUBLIC_PATHS.has(url.pathname);
      } finally {
        if (opts.audit) {
          const address = (server && (opts.clientAddress?.(request, server) ?? server.requestIP(request)?.address)) || "";
          record = opts.audit.begin({ request, url, user: unauthenticated ? NO_USER : user, info, sourceIPs: address ? [address] : [], scope, auditID, receivedAt });
        }
      }
      if (record && info.kind === "resource" && !info.subresource) {
        const store = opts.registry.lookup(info.group, info.version, info.resource);
        if (store) record.protobuf = (bytes) => decodeProtobuf(bytes, { apiVersion: store.apiVersion, kind: store.kind });
      }
      if (record?.wantsRequestBody) record.setRequestBody(new Uint8Array(await request.clone().arrayBuffer()), request.headers.get("content-type"));
      if (!unauthenticated) record?.received();
      res = await serve(request, url, server, user, info, scope);
    } catch (err) {
      res = errorResponse(err);
    }
    res.headers.set("Audit-Id", auditID);
    if (record && unauthenticated) {
      await record.unauthenticated(res);
      return res;
    }
    return record ? record.respond(res, longRunning) : res;
  };

  return { fetch: (request, server) => handle(request, server).catch((err: unknown) => errorResponse(err)) };
}

/** kube-apiserver's long-running check: the watch and proxy verbs, the streaming subresources. */
const LONG_RUNNING_VERBS = new Set(["watch", "proxy"]);
const LONG_RUNNING_SUBRESOURCES = new Set(["attach", "exec", "proxy", "log", "portforward"]);

function isLongRunning(info: RequestInfo): boolean {
  return info.kind === "resource" && (LONG_RUNNING_VERBS.has(info.verb) || LONG_RUNNING_SUBRESOURCES.has(info.subresource));
}

function notFound(): Response {
  return errorResponse(routeNotFound());
}

function found(doc: Record<string, unknown> | undefined): Response {
  return doc ? jsonResponse(doc) : notFound();
}
