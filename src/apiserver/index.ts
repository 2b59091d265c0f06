/**
 * The Kubernetes API server: a registry of every built-in resource over the store, served by an
 * HTTP handler (Bun.serve) on loopback behind the TLS front door that authenticates clients.
 */
import type { Backend } from "../store/index.ts";
import type { Logger } from "../log/index.ts";
import type { UserInfo } from "./registry/definition.ts";
import type { Authorizer } from "./http/authz.ts";
import { IpAllocator, IpRange } from "./allocators/ip.ts";
import { PortAllocator, PortRange } from "./allocators/ports.ts";
import { ServiceAllocation } from "./allocators/service-allocation.ts";
import { defaultAdmission } from "./admission/index.ts";
import { bootstrap } from "./bootstrap.ts";
import { errors } from "./api/errors.ts";
import { allowAuthenticated } from "./http/authz.ts";
import { createApp, KUBERNETES_VERSION } from "./http/app.ts";
import { CrdController } from "./crd/controller.ts";
import { LocalClient } from "./local-client.ts";
import { createOpenApi } from "./openapi/index.ts";
import { Registry } from "./registry/registry.ts";
import { builtinDefinitions } from "./resources/index.ts";
import { authenticate, StaticTokens, startTlsFront, type TlsFront, type TlsSettings } from "./secure/index.ts";
import { createStreaming } from "./streaming/index.ts";
import { upgradeHandler } from "./http/upgrade.ts";
import { encryptionRoutes, type EncryptionManager } from "./encryption/index.ts";
import { createSecurity, type SecuritySettings } from "./security.ts";
import { AuditLogFile, Auditor, readAuditPolicy } from "./audit/index.ts";
import type { PodSecurityConfiguration } from "./admission/index.ts";

export { KUBERNETES_VERSION } from "./http/app.ts";
export { DEFAULT_PLUGINS as DEFAULT_ADMISSION_PLUGINS } from "./admission/index.ts";
export type { SecuritySettings, ServiceAccountSettings } from "./security.ts";
export type { UserInfo } from "./registry/definition.ts";

export interface ApiServerOptions {
  backend: Backend;
  bindAddress: string;
  /** 0 picks a free port. */
  port: number;
  advertiseAddress: string;
  serviceCidr: string;
  nodePortRange: string;
  /** Serving key and chain, the client CA, and --tls-min-version / --tls-cipher-suites. */
  tls: { keyPem: string; certChainPem: string; clientCaPem: string; settings?: TlsSettings };
  /** Bearer tokens and the users they authenticate. */
  tokens: Array<{ secret: string; user: UserInfo }>;
  /** Authorizer when `security` names no --authorization-mode (default: every authenticated user may do everything). */
  authorizer?: Authorizer;
  /** Authentication beyond certificates and static tokens, and authorization (--authorization-mode, ...). */
  security?: SecuritySettings;
  /** The server CA bundle, served unauthenticated at /cacerts for joining agents. */
  caCerts?: string;
  /** Encryption at rest (values of the configured resources, Secrets by default); none: stored as is. */
  encryption?: EncryptionManager;
  /** kube-apiserver's --audit-policy-file and --audit-log-* flags; no events without both a policy and a path. */
  audit?: AuditOptions;
  /** Admission: --enable-admission-plugins / --disable-admission-plugins and PodSecurity's configuration. */
  admission?: { enable?: string[]; disable?: string[]; podSecurity?: PodSecurityConfiguration };
  log: Logger;
}

export interface AuditOptions {
  policyFile?: string;
  logPath?: string;
  maxSizeMB?: number;
  maxAgeDays?: number;
  maxBackups?: number;
}

export interface ApiServer {
  readonly port: number;
  readonly registry: Registry;
  /**
   * An in-process client acting as `user` with that user's rights (authorized like any request,
   * decisions remembered until the policy changes); without a user, the privileged loopback client.
   */
  client(user?: UserInfo): LocalClient;
  close(): Promise<void>;
}

export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const log = opts.log;
  // Admission reads other resources (namespaces) through the registry it is part of.
  const registry: Registry = new Registry(opts.backend, defaultAdmission({ lookup: (g, v, r) => registry.lookup(g, v, r), authorizer: () => security.authorizer, ...opts.admission, log: log.child("admission") }));
  const audit = auditorOf(opts.audit, log);
  opts.encryption?.attach(registry);
  const serviceRange = new IpRange(opts.serviceCidr);
  const allocation = new ServiceAllocation(new IpAllocator(serviceRange), new PortAllocator(PortRange.parse(opts.nodePortRange)));
  const tokens = new StaticTokens(opts.tokens);
  let serverAddress: string | undefined;
  const security = createSecurity(opts.security ?? {}, registry, opts.authorizer ?? allowAuthenticated, () => serverAddress, log.child("auth"));
  const authorizer = security.authorizer;
  const authenticateToken = async (token: string, audiences?: string[]) => {
    const user = tokens.byBearer(token);
    return user ? { user } : security.authenticateToken(token, audiences);
  };
  const deps = { authorizer, authenticateToken, apiAudiences: security.apiAudiences };
  for (const def of builtinDefinitions(deps)) registry.add(security.wrap(def.group === "" && def.plural === "services" ? allocation.wrap(def) : def));
  allocation.load((await registry.lookup("", "v1", "services")!.list("")).items);

  let ready = false;
  let front: TlsFront | undefined;
  const openapi = createOpenApi(() => registry.definitions(), { version: KUBERNETES_VERSION.gitVersion });
  registry.fieldTypes.useOpenApi(openapi);
  // logs, exec, attach, port-forward through the agents' tunnels (src/apiserver/streaming).
  const streaming = createStreaming({ log: log.child("streaming") });
  const app = createApp({
    registry,
    openapi,
    subresources: streaming.subresources,
    get serverAddress() {
      return serverAddress;
    },
    authorizer,
    anonymousAuth: security.anonymous,
    routes: security.routes,
    caCerts: opts.caCerts,
    extraRoutes: opts.encryption ? [encryptionRoutes(opts.encryption)] : [],
    audit,
    clientAddress: (req, server) => {
      const port = server.requestIP(req)?.port;
      return port === undefined ? undefined : front?.connectionOf(port)?.remoteAddress;
    },
    ready: () => ready,
    authenticate: async (req, server) => {
      const port = server.requestIP(req)?.port;
      const peer = port === undefined ? undefined : front?.identityOf(port);
      const result = await authenticate(req, peer, tokens, { tokens: { authenticate: (t) => security.authenticateToken(t) } });
      // A credential that is presented but wrong is refused, never downgraded to anonymous.
      if (!result.ok) throw errors.unauthorized();
      return result.via === "anonymous" ? undefined : result.user;
    },
  });
  const inner = Bun.serve({ hostname: "127.0.0.1", port: 0, idleTimeout: 255, maxRequestBodySize: 8 * 1024 * 1024, fetch: app.fetch });
  const innerPort = inner.port!;
  front = await startTlsFront({
    host: opts.bindAddress,
    port: opts.port,
    key: opts.tls.keyPem,
    cert: opts.tls.certChainPem,
    clientCaPem: opts.tls.clientCaPem,
    tls: opts.tls.settings,
    innerPort,
    onUpgrade: upgradeHandler({ registry, authorizer, routes: streaming.upgrades, ready: () => ready, authenticate: (req, peer) => authenticate(req, peer, tokens, { tokens: { authenticate: (t) => security.authenticateToken(t) } }), audit, log: log.child("upgrade") }),
    log: log.child("tls"),
  });

  const securePort = front.port;
  serverAddress = `${opts.advertiseAddress.includes(":") ? `[${opts.advertiseAddress}]` : opts.advertiseAddress}:${securePort}`;
  await bootstrap(registry, { kubernetesServiceIP: serviceRange.at(1), advertiseAddress: opts.advertiseAddress, securePort });
  // Stored CRDs are served before the server reports ready.
  const crds = new CrdController({ registry, client: new LocalClient(registry), backend: opts.backend, openapi, log: log.child("apiextensions") });
  await crds.start();
  // The authorizers' caches hold the bootstrap policy before the first request is answered.
  await security.start(new LocalClient(registry), log.child("authz"));
  ready = true;
  opts.encryption?.resume();
  log.info("API server listening", { address: `https://${opts.bindAddress}:${securePort}`, resources: registry.definitions().length });

  return {
    port: securePort,
    registry,
    client: (user) => (user ? new LocalClient(registry, user, security.localAuthorizer()) : new LocalClient(registry)),
    async close() {
      ready = false;
      await opts.encryption?.settled();
      crds.stop();
      security.stop();
      streaming.close();
      await front?.close();
      await inner.stop(true);
      await audit?.close();
    },
  };
}

/** The auditor the flags ask for: a policy and a log path (upstream logs nothing without a policy). */
function auditorOf(opts: AuditOptions | undefined, log: Logger): Auditor | undefined {
  if (!opts?.logPath || !opts.policyFile) return undefined;
  const policy = readAuditPolicy(opts.policyFile);
  const alog = log.child("audit");
  const sink = new AuditLogFile({ path: opts.logPath, maxSizeMB: opts.maxSizeMB, maxAgeDays: opts.maxAgeDays, maxBackups: opts.maxBackups, onError: (err) => alog.error("writing the audit log failed", { err }) });
  alog.info("audit logging", { policy: opts.policyFile, path: opts.logPath, rules: policy.rules.length });
  return new Auditor(policy, sink);
}
