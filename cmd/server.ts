import { Command, Option } from "commander";
import { logger } from "../src/log/index.ts";
import { defaultDataDir, parseDuration, parseHostPort, parseIntFlag } from "./flags.ts";
import { addNodeOptions, nodeSettings } from "./node-flags.ts";
import { controllerOptionsFromArgs } from "../src/controllers/flags.ts";

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
    .option("--disable-agent", "do not run the embedded agent (the server is then not a node)", false)
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
    .option("--kube-controller-manager-arg <key=value>", 'controller manager flag; "controllers=*,-garbagecollector" picks the controllers; node-monitor-grace-period=40s, terminated-pod-gc-threshold=12500, ... tune them (repeatable)', controllerManagerArg, {});
  return addNodeOptions(cmd).action(async (opts) => {
      // Loaded here so other commands (agent, token, etcd-snapshot) do not load the whole server.
      const { startServer } = await import("../src/server/index.ts");
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
          disableAgent: opts.disableAgent,
          disableScheduler: opts.disableScheduler,
          schedulerArgs: opts.kubeSchedulerArg,
          secretsEncryption: opts.secretsEncryption,
          secretsEncryptionProvider: opts.secretsEncryptionProvider,
          encryptionProviderConfig: opts.encryptionProviderConfig,
          agent: nodeSettings(opts),
          controllerManagerArgs: opts.kubeControllerManagerArg,
        },
        log,
      );
      log.info("kts server is running", { dataDir: opts.dataDir, kubeconfig: server.kubeconfig, apiPort: server.api.port });
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
