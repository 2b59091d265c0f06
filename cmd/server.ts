import { Command, Option } from "commander";
import { logger } from "../src/log/index.ts";
import { defaultDataDir, parseDuration, parseHostPort, parseIntFlag } from "./flags.ts";
import { addNodeOptions, nodeSettings } from "./node-flags.ts";
import { SECURITY_APISERVER_ARGS, securityFromApiserverArgs } from "./security-flags.ts";
import { controllerOptionsFromArgs } from "../src/controllers/flags.ts";
import { steadyState } from "./startup-memory.ts";

function durationOption(flags: string, description: string, fallback: string): Option {
  return new Option(flags, description).argParser(parseDuration).default(parseDuration(fallback), fallback);
}

/** k3s's --kube-controller-manager-arg key=value, repeatable; the controllers' flags are checked at once. */
function controllerManagerArg(text: string, previous: Record<string, string>): Record<string, string> {
  const eq = text.indexOf("=");
  if (eq < 0) throw new Error(`--kube-controller-manager-arg "${text}": want key=value`);
  const next = { ...previous, [text.slice(0, eq).replace(/^--/, "")]: text.slice(eq + 1) };
  controllerOptionsFromArgs(next);
  return next;
}

/** k3s's --kube-scheduler-arg key=value, repeatable (checked when the server starts). */
function schedulerArg(text: string, previous: Record<string, string>): Record<string, string> {
  const eq = text.indexOf("=");
  if (eq < 0) throw new Error(`--kube-scheduler-arg "${text}": want key=value`);
  return { ...previous, [text.slice(0, eq).replace(/^--/, "")]: text.slice(eq + 1) };
}

/** k3s's --kube-apiserver-arg key=value, repeatable; kts understands the audit, admission and encryption flags. */
const APISERVER_ARGS = [
  "audit-policy-file",
  "audit-log-path",
  "audit-log-maxsize",
  "audit-log-maxage",
  "audit-log-maxbackup",
  "enable-admission-plugins",
  "disable-admission-plugins",
  "admission-control-config-file",
  "encryption-provider-config",
  ...SECURITY_APISERVER_ARGS,
];
function apiserverArg(text: string, previous: Record<string, string>): Record<string, string> {
  const eq = text.indexOf("=");
  const key = eq < 0 ? "" : text.slice(0, eq).replace(/^--/, "");
  if (!APISERVER_ARGS.includes(key)) throw new Error(`unsupported --kube-apiserver-arg "${text}" (supported: ${APISERVER_ARGS.join(", ")})`);
  return { ...previous, [key]: text.slice(eq + 1) };
}

const list = (text: string | undefined) => (text ? text.split(",").map((s) => s.trim()).filter(Boolean) : undefined);

function parseMode(text: string): number {
  const mode = Number.parseInt(text, 8);
  if (!/^[0-7]{3,4}$/.test(text) || Number.isNaN(mode)) throw new Error(`"${text}" is not a file mode (e.g. 600, 644)`);
  return mode;
}

export function serverCommand(): Command {
  const cmd = new Command("server")
    .description("Run the kts server: the datastore, the Kubernetes API server, its controllers and an agent (the server is a node too)")
    .option("-d, --data-dir <dir>", "folder holding state", defaultDataDir())
    .option("--https-listen-port <port>", "HTTPS port of the API server", parseIntFlag, 6443)
    .option("--bind-address <ip>", "address the API server listens on", "0.0.0.0")
    .option("--advertise-address <ip>", "address the API server advertises to the cluster (default: the first non-loopback IPv4)")
    .option("-o, --write-kubeconfig <path>", "where to write the admin kubeconfig", "/etc/kts/kts.yaml")
    .addOption(new Option("--write-kubeconfig-mode <mode>", "file mode of the kubeconfig").argParser(parseMode).default(0o600, "600"))
    .option("-t, --token <token>", "server token (secret, or K10<CA hash>::server:<secret>); agents join with it, and its secret authenticates as the cluster admin (Authorization: Bearer)", process.env.KTS_TOKEN)
    .option("--cluster-cidr <cidr>", "pod network", "10.42.0.0/16")
    .option("--service-cidr <cidr>", "service (ClusterIP) network", "10.43.0.0/16")
    .option("--service-node-port-range <range>", "NodePort range", "30000-32767")
    .addOption(new Option("--flannel-backend <backend>", "pod network: host-gw (a bridge per node, routes between nodes) or none (pods on Docker's default bridge)").choices(["host-gw", "none"]).default("host-gw"))
    .option("--disable-kube-proxy", "do not run the service proxy on the nodes", false)
    .option("--disable-agent", "do not run the embedded agent (the server is then not a node)", false)
    .option("--disable <component>", "do not deploy a packaged component and delete it if deployed: coredns, servicelb, ... (repeatable, comma-separated)", (t: string, p: string[]) => [...p, t], [] as string[])
    .option("--disable-scheduler", "do not run the scheduler in this process", false)
    .option("--kube-scheduler-arg <key=value>", 'scheduler flag: "config=<KubeSchedulerConfiguration file>", "leader-elect=false" (repeatable)', schedulerArg, {})
    .addOption(
      new Option("--datastore-sync <mode>", "full: fsync every commit (survives power loss, as etcd); normal: no fsync (survives a killed process)")
        .choices(["full", "normal"])
        .default("full"),
    )
    .addOption(durationOption("--compaction-retention <duration>", "history (revisions) kept before compaction", "5m"))
    .addOption(durationOption("--compaction-interval <duration>", "how often to compact", "1m"))
    .option("--etcd-listen <host:port>", "also serve the etcd v3 API on this address (e.g. 127.0.0.1:2379)", parseHostPort)
    .option("--secrets-encryption", "encrypt Secrets at rest (on by default; a key is generated at first start)", true)
    .option("--no-secrets-encryption", "do not turn on Secrets encryption at first start")
    .addOption(new Option("--secrets-encryption-provider <provider>", "provider of generated encryption keys").choices(["aescbc", "aesgcm", "secretbox"]).default("aescbc"))
    .option("--encryption-provider-config <file>", "an EncryptionConfiguration file to use instead of kts's managed one (kube-apiserver's flag)")
    .option("--audit-policy-file <file>", "audit.k8s.io/v1 Policy deciding what is audited")
    .option("--audit-log-path <file>", 'write audit events as JSON lines here ("-": standard output)')
    .option("--audit-log-maxsize <MB>", "rotate the audit log at this size", parseIntFlag, 100)
    .option("--audit-log-maxage <days>", "remove rotated audit logs older than this (0: keep)", parseIntFlag, 0)
    .option("--audit-log-maxbackup <n>", "rotated audit logs kept (0: all)", parseIntFlag, 0)
    .option("--pod-security-admission-config-file <file>", "PodSecurityConfiguration (defaults and exemptions), or an AdmissionConfiguration holding one")
    .option("--kube-apiserver-arg <key=value>", "API server flag: audit-*, enable-admission-plugins, disable-admission-plugins, admission-control-config-file, encryption-provider-config, authorization-mode, anonymous-auth, token-auth-file, oidc-*, service-account-*, api-audiences, tls-min-version, tls-cipher-suites (repeatable)", apiserverArg, {})
    .option("--kube-controller-manager-arg <key=value>", 'controller manager flag; "controllers=*,-garbagecollector" picks the controllers; node-monitor-grace-period=40s, terminated-pod-gc-threshold=12500, ... tune them (repeatable)', controllerManagerArg, {});
  return addNodeOptions(cmd).action(async (opts) => {
      // Loaded here so other commands (agent, token, etcd-snapshot) do not load the whole server.
      const { startServer } = await import("../src/server/index.ts");
      const { readPodSecurityConfiguration } = await import("../src/apiserver/admission/index.ts");
      const api: Record<string, string> = opts.kubeApiserverArg;
      const pscFile = opts.podSecurityAdmissionConfigFile ?? api["admission-control-config-file"];
      const log = logger("server");
      const server = await startServer(
        {
          dataDir: opts.dataDir,
          storeSync: opts.datastoreSync,
          compactionRetentionMs: opts.compactionRetention,
          compactionIntervalMs: opts.compactionInterval,
          etcdListen: opts.etcdListen,
          httpsListenPort: opts.httpsListenPort,
          bindAddress: opts.bindAddress,
          advertiseAddress: opts.advertiseAddress,
          writeKubeconfig: opts.writeKubeconfig,
          writeKubeconfigMode: opts.writeKubeconfigMode,
          token: opts.token,
          clusterCidr: opts.clusterCidr,
          serviceCidr: opts.serviceCidr,
          serviceNodePortRange: opts.serviceNodePortRange,
          flannelBackend: opts.flannelBackend,
          disableKubeProxy: opts.disableKubeProxy,
          disableAgent: opts.disableAgent,
          disableScheduler: opts.disableScheduler,
          disable: opts.disable,
          schedulerArgs: opts.kubeSchedulerArg,
          secretsEncryption: opts.secretsEncryption,
          secretsEncryptionProvider: opts.secretsEncryptionProvider,
          encryptionProviderConfig: opts.encryptionProviderConfig ?? api["encryption-provider-config"],
          audit: {
            policyFile: opts.auditPolicyFile ?? api["audit-policy-file"],
            logPath: opts.auditLogPath ?? api["audit-log-path"],
            maxSizeMB: api["audit-log-maxsize"] ? Number(api["audit-log-maxsize"]) : opts.auditLogMaxsize,
            maxAgeDays: api["audit-log-maxage"] ? Number(api["audit-log-maxage"]) : opts.auditLogMaxage,
            maxBackups: api["audit-log-maxbackup"] ? Number(api["audit-log-maxbackup"]) : opts.auditLogMaxbackup,
          },
          admission: {
            enable: list(api["enable-admission-plugins"]),
            disable: list(api["disable-admission-plugins"]),
            podSecurity: pscFile ? readPodSecurityConfiguration(pscFile) : undefined,
          },
          security: securityFromApiserverArgs(api),
          agent: nodeSettings(opts),
          controllerManagerArgs: opts.kubeControllerManagerArg,
        },
        log,
      );
      log.info("kts server is running", { dataDir: opts.dataDir, kubeconfig: server.kubeconfig, apiPort: server.api.port });
      steadyState();
      // Hold the process open until a signal, whatever listeners are configured.
      const keepAlive = setInterval(() => {}, 1 << 30);
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info("shutting down", { signal });
        await server.stop();
        clearInterval(keepAlive);
        process.exit(0);
      };
      process.on("SIGTERM", () => void stop("SIGTERM"));
      process.on("SIGINT", () => void stop("SIGINT"));
    });
}
