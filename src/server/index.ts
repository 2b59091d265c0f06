import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { dirname, join } from "node:path";
import type { SyncMode } from "../store/index.ts";
import type { EtcdServer } from "../etcdapi/index.ts";
import type { Logger } from "../log/index.ts";
import type { ApiServer } from "../apiserver/index.ts";
import { SqliteBackend } from "../store/index.ts";
import { startApiServer, type AuditOptions } from "../apiserver/index.ts";
import type { PodSecurityConfiguration } from "../apiserver/admission/index.ts";
import { EncryptionManager, type ProviderType } from "../apiserver/encryption/index.ts";
import { LocalClient } from "../apiserver/local-client.ts";
import { enabledControllers, startControllers, type RunningControllers } from "../controllers/index.ts";
import { controllerOptionsFromArgs } from "../controllers/flags.ts";
import { schedulerArgs, startScheduler, type RunningScheduler } from "../scheduler/index.ts";
import { IpRange } from "../apiserver/allocators/ip.ts";
import { ensureClusterPki, writeKubeconfig } from "../pki/index.ts";
import { allowAuthenticated } from "../apiserver/http/authz.ts";
import { caBundleHash, defaultNodeName, formatJoinToken, parseJoinToken, type AgentOptions } from "../agent/index.ts";
import { runEmbeddedAgent, type EmbeddedAgent } from "./embedded-agent.ts";
import { serverTokenUsers, withNodeBootstrapLimits } from "./node-bootstrap.ts";
import { serverPaths } from "./paths.ts";
import { prepareSecurity, type PreparedSecurity, type ServerSecurityConfig } from "./security.ts";
import { CONTROLLER_MANAGER_USER, CONTROLLER_SERVICE_ACCOUNTS, ensureControllerServiceAccounts, SCHEDULER_USER, serviceAccountUser } from "./identities.ts";
import { labelControlPlaneNode } from "./control-plane-label.ts";
import { parseDisabled, startDeploy } from "../deploy/index.ts";
import { ktsImageRef } from "../agent/images/index.ts";
import { checkNetworkCidrs, publishNetworkConfig } from "./network-config.ts";
import type { FlannelBackend } from "../agent/cluster-config.ts";

export { serverPaths } from "./paths.ts";

/** What `kts server` was asked to run (user configuration; runtime state lives in RunningServer). */
export interface ServerConfig {
  dataDir: string;
  storeSync: SyncMode;
  compactionRetentionMs: number;
  compactionIntervalMs: number;
  /** host:port for the etcd v3 API; undefined = not served. */
  etcdListen?: { host: string; port: number };
  httpsListenPort: number;
  bindAddress: string;
  /** Address other nodes and pods use for this server; defaults to the first non-loopback IPv4. */
  advertiseAddress?: string;
  writeKubeconfig: string;
  writeKubeconfigMode: number;
  /**
   * The server token: its secret authenticates as the cluster admin with `Authorization: Bearer
   * <secret>`, and joins agents (`K10<ca-hash>::server:<secret>`, as <data-dir>/server/token holds it).
   */
  token?: string;
  clusterCidr: string;
  serviceCidr: string;
  serviceNodePortRange: string;
  /** k3s's --flannel-backend: host-gw (default) or none (pods stay on Docker's default bridge). */
  flannelBackend?: FlannelBackend;
  /** k3s's --disable-kube-proxy: nodes run no service proxy. */
  disableKubeProxy?: boolean;
  disableAgent: boolean;
  /** Authentication and authorization (--kube-apiserver-arg authorization-mode=..., anonymous-auth, oidc-*, ...). */
  security?: ServerSecurityConfig;
  /** The embedded agent's node settings (as `kts agent` takes them); defaults: host name, advertise address. */
  agent?: EmbeddedAgentConfig;
  /** kube-controller-manager's --controllers list ("*", "-garbagecollector", ...); default all. */
  controllers?: string[];
  /** k3s's --kube-controller-manager-arg key=value pairs (controllers=..., node-monitor-grace-period=..., ...). */
  controllerManagerArgs?: Record<string, string>;
  /** k3s's --disable: packaged components not deployed (and deleted if they were): coredns, servicelb, ... */
  disable?: string[];
  /** k3s's --disable-scheduler: do not run the scheduler in this process. */
  disableScheduler?: boolean;
  /** k3s's --kube-scheduler-arg key=value pairs (config=<file>, leader-elect=...). */
  schedulerArgs?: Record<string, string>;
  /** Encrypt Secrets at rest with a key generated at first start (default true; kts differs from k3s here). */
  secretsEncryption?: boolean;
  /** Provider of generated keys: aescbc (default), aesgcm or secretbox. */
  secretsEncryptionProvider?: ProviderType;
  /** kube-apiserver's --encryption-provider-config: the user's EncryptionConfiguration, used as it is. */
  encryptionProviderConfig?: string;
  /** --audit-policy-file, --audit-log-path and rotation. */
  audit?: AuditOptions;
  /** --enable-admission-plugins, --disable-admission-plugins, PodSecurity's configuration. */
  admission?: { enable?: string[]; disable?: string[]; podSecurity?: PodSecurityConfiguration };
}

export type EmbeddedAgentConfig = Partial<Pick<AgentOptions, "nodeName" | "nodeIP" | "nodeLabels" | "nodeTaints" | "containerLabels" | "statusIntervalMs" | "leaseDurationSeconds" | "clusterDNS" | "clusterDomain">>;

export interface RunningServer {
  readonly store: SqliteBackend;
  readonly api: ApiServer;
  readonly etcd?: EtcdServer;
  readonly controllers: RunningControllers;
  readonly scheduler?: RunningScheduler;
  readonly kubeconfig: string;
  stop(): Promise<void>;
}

/** The first IPv4 address that is not loopback, else 127.0.0.1 (k3s picks the default route's). */
export function defaultAdvertiseAddress(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return "127.0.0.1";
}

/**
 * The server token's secret: from the flag (bare or full), else from <data-dir>/server/token, else
 * a new random one (k3s's behaviour). The file always ends up holding the full token for this CA
 * bundle, `K10<sha256 of the bundle>::server:<secret>`, which `kts token` prints.
 */
function serverToken(cfg: ServerConfig, caBundle: string): { secret: string; full: string } {
  const file = join(cfg.dataDir, "server", "token");
  let secret: string;
  if (cfg.token) {
    const given = parseJoinToken(cfg.token);
    if (given.caHash !== undefined && given.caHash !== caBundleHash(caBundle)) throw new Error("the --token's CA hash does not match this server's CA certificate");
    secret = given.secret;
  } else if (existsSync(file)) secret = parseJoinToken(readFileSync(file, "utf8")).secret;
  else secret = randomBytes(24).toString("hex");
  const full = formatJoinToken(caBundle, secret);
  if (!existsSync(file) || readFileSync(file, "utf8").trim() !== full) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${full}\n`, { mode: 0o600 });
  }
  return { secret, full };
}

/** The cluster DNS Service's address: --cluster-dns, else the 10th address of the service CIDR (k3s's 10.43.0.10). */
export function clusterDnsAddress(cfg: Pick<ServerConfig, "agent" | "serviceCidr">): string {
  return cfg.agent?.clusterDNS?.[0] ?? new IpRange(cfg.serviceCidr).at(10);
}

/** The server's own node: it joins over loopback with the full token, like any agent. */
function startEmbeddedAgent(cfg: ServerConfig, apiUrl: string, token: string, log: Logger): EmbeddedAgent {
  const a = cfg.agent ?? {};
  return runEmbeddedAgent(
    {
      serverUrl: apiUrl,
      token,
      nodeName: a.nodeName ?? defaultNodeName(),
      nodeIP: a.nodeIP ?? cfg.advertiseAddress ?? defaultAdvertiseAddress(),
      nodeLabels: a.nodeLabels ?? {},
      nodeTaints: a.nodeTaints ?? [],
      dataDir: join(cfg.dataDir, "agent"),
      isServer: true,
      containerLabels: a.containerLabels,
      statusIntervalMs: a.statusIntervalMs,
      leaseDurationSeconds: a.leaseDurationSeconds,
      clusterDNS: [clusterDnsAddress(cfg)],
      clusterDomain: a.clusterDomain,
    },
    log.child("agent"),
  );
}

/**
 * Each controller writes as its own kube-system service account (upstream's
 * --use-service-account-credentials); the token controller signs legacy tokens with the service
 * account key. A controller without a known account keeps the privileged client (and says so).
 */
function controllerIdentities(api: ApiServer, sec: PreparedSecurity, rootCa: string, log: Logger) {
  void ensureControllerServiceAccounts(api.client(), log);
  return {
    clientFor: (controller: string) => {
      const account = CONTROLLER_SERVICE_ACCOUNTS[controller];
      if (account) return api.client(serviceAccountUser("kube-system", account));
      if (controller === "serviceaccount-token-controller") return undefined;
      log.warn("no least-privilege identity for this controller; it runs with the server's own", { controller });
      return api.client();
    },
    serviceAccountTokens: { legacyToken: sec.legacyToken, rootCa },
  };
}

/**
 * Starts the server's components in order: the store, the certificates, the API server, then
 * the listeners and files that depend on them, then the controllers. Each later component only
 * starts once the ones it needs are up; a failure stops what already started.
 */
export async function startServer(cfg: ServerConfig, log: Logger): Promise<RunningServer> {
  // Bad controller flags or a bad --controllers list fail before anything starts.
  const controllerOpts = controllerOptionsFromArgs(cfg.controllerManagerArgs ?? {});
  const disabled = parseDisabled(cfg.disable ?? []);
  // k3s's --disable servicelb turns off the ServiceLB controller (it has no manifest).
  const chosen = cfg.controllers ?? controllerOpts.controllers;
  const controllerNames = disabled.includes("servicelb") ? [...(chosen ?? ["*"]), "-service-lb-controller"] : chosen;
  enabledControllers(controllerNames);
  checkNetworkCidrs(cfg);
  const schedulerOpts = schedulerArgs(cfg.schedulerArgs ?? {});
  const paths = serverPaths(cfg.dataDir);
  const storeLog = log.child("store");
  const started = performance.now();
  const store = SqliteBackend.open({
    path: paths.database,
    sync: cfg.storeSync,
    compaction: { retentionMs: cfg.compactionRetentionMs, intervalMs: cfg.compactionIntervalMs },
    onBackgroundError: (what, err) => storeLog.error(`${what} failed`, { err }),
  });
  storeLog.info("store open", { path: paths.database, revision: store.currentRevision(), sync: cfg.storeSync, ms: Math.round(performance.now() - started) });

  let api: ApiServer | undefined;
  let etcd: EtcdServer | undefined;
  let token: { secret: string; full: string } | undefined;
  let pki: ReturnType<typeof ensureClusterPki> | undefined;
  let sec: PreparedSecurity | undefined;
  let apiUrl = "";
  try {
    const advertise = cfg.advertiseAddress ?? defaultAdvertiseAddress();
    const kubernetesIp = new IpRange(cfg.serviceCidr).at(1);
    const extraSans = [advertise, kubernetesIp, ...(cfg.bindAddress !== "0.0.0.0" && cfg.bindAddress !== "::" ? [cfg.bindAddress] : [])];
    pki = ensureClusterPki({ dir: join(cfg.dataDir, "server", "tls"), sans: extraSans, log: log.child("pki") });
    token = serverToken(cfg, pki.serverCa.certPem);
    // State, keys and credentials are the server's alone (k3s keeps its data dir 0700 too).
    chmodSync(cfg.dataDir, 0o700);
    chmodSync(paths.dbDir, 0o700);
    sec = prepareSecurity(cfg.security ?? {}, cfg.dataDir, log.child("auth"));
    const encryption = new EncryptionManager({
      configFile: cfg.encryptionProviderConfig ?? paths.encryptionConfig,
      managed: cfg.encryptionProviderConfig === undefined,
      enableOnCreate: cfg.secretsEncryption ?? true,
      provider: cfg.secretsEncryptionProvider,
      log: log.child("encryption"),
    });
    api = await startApiServer({
      backend: store,
      bindAddress: cfg.bindAddress,
      port: cfg.httpsListenPort,
      advertiseAddress: advertise,
      serviceCidr: cfg.serviceCidr,
      nodePortRange: cfg.serviceNodePortRange,
      tls: { keyPem: pki.serving.keyPem, certChainPem: pki.serving.chainPem, clientCaPem: pki.clientCa.certPem, settings: sec.tls },
      security: sec.settings,
      tokens: serverTokenUsers(token.secret),
      authorizer: withNodeBootstrapLimits(allowAuthenticated),
      caCerts: pki.serverCa.certPem,
      encryption,
      audit: cfg.audit,
      admission: cfg.admission,
      log: log.child("apiserver"),
    });
    const host = cfg.bindAddress === "0.0.0.0" || cfg.bindAddress === "::" ? "127.0.0.1" : cfg.bindAddress;
    apiUrl = `https://${host.includes(":") ? `[${host}]` : host}:${api.port}`;
    writeKubeconfig(
      cfg.writeKubeconfig,
      { server: apiUrl, caPem: pki.serverCa.certPem, clientCertPem: pki.admin.chainPem, clientKeyPem: pki.admin.keyPem },
      cfg.writeKubeconfigMode,
    );
    log.info("wrote kubeconfig", { path: cfg.writeKubeconfig });
    if (cfg.etcdListen) {
      // Loaded only when asked for: its protobuf runtime costs several MB of resident memory.
      const { startEtcdServer } = await import("../etcdapi/index.ts");
      etcd = await startEtcdServer({ backend: store, ...cfg.etcdListen, log: log.child("etcd") });
      log.info("etcd v3 API listening", { address: `${etcd.host}:${etcd.port}` });
    }
  } catch (err) {
    await etcd?.close();
    await api?.close();
    await store.close();
    throw err;
  }
  // Controllers run in this process over the in-process client, once the API server is up;
  // they start in the background (their first lists must not delay the server).
  // The agents read the network settings before they start pods (the embedded one included).
  await publishNetworkConfig(new LocalClient(api.registry), cfg).catch((err) => log.error("cannot publish the cluster network settings; agents wait for them", { err }));
  const controllers = startControllers(api.client(CONTROLLER_MANAGER_USER), log.child("controllers"), {
    ...controllerOpts,
    nodeIpam: { clusterCidr: cfg.clusterCidr, ...controllerOpts.nodeIpam },
    controllers: controllerNames,
    csrSigning: { clientCa: pki!.clientCa },
    rootCa: pki!.serverCa.certPem,
    ...controllerIdentities(api, sec!, pki!.serverCa.certPem, log),
  });
  const scheduler = cfg.disableScheduler ? undefined : startScheduler(api.client(SCHEDULER_USER), log.child("scheduler"), schedulerOpts);
  // Packaged components and the user's manifests (<data-dir>/server/manifests), applied in the background.
  const deploy = startDeploy({
    dir: paths.manifests,
    // In-process, as a privileged client (the admin certificate over HTTPS before: a TLS client costs ~5 MB RSS).
    client: api.client(),
    vars: { CLUSTER_DNS: clusterDnsAddress(cfg), CLUSTER_DOMAIN: cfg.agent?.clusterDomain ?? "cluster.local", KTS_IMAGE: ktsImageRef() },
    disabled,
    log: log.child("deploy"),
  });
  log.info("server ready", { ms: Math.round(performance.now() - started), controllers: controllers.names });
  const agent = cfg.disableAgent ? undefined : startEmbeddedAgent(cfg, apiUrl, token!.full, log);
  const roleLabel = cfg.disableAgent ? undefined : labelControlPlaneNode(api.client(), cfg.agent?.nodeName ?? defaultNodeName(), log);

  const running = api;
  return {
    store,
    api: running,
    etcd,
    controllers,
    scheduler,
    kubeconfig: cfg.writeKubeconfig,
    async stop() {
      deploy.stop();
      roleLabel?.stop();
      await agent?.stop();
      await scheduler?.stop();
      await controllers.stop();
      await etcd?.close();
      await running.close();
      await store.close();
      storeLog.info("store closed", { revision: store.currentRevision() });
    },
  };
}
