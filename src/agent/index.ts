/**
 * The kts agent (the kubelet's role): join the cluster (CA pinned by the token), hold a node
 * client certificate, talk to the API server as system:node:<name> over HTTPS, register the Node
 * and keep its status and Lease current, then run pods on Docker (src/agent/pods) and serve
 * logs/exec/attach/port-forward through a connection it opens to the server (src/agent/stream).
 * Stopping leaves containers running: the next start adopts them.
 */
import { hostname } from "node:os";
import type { Logger } from "../log/index.ts";
import { HttpClient } from "../client/http/index.ts";
import { renderKubeconfig } from "../pki/index.ts";
import { credentialFiles, ensureKubeProxyCredentials, join, JoinError, nodeUser, TokenFormatError, writeAtomic, type NodeCredentials } from "./join/index.ts";
import { sleep } from "./sleep.ts";
import type { DockerEngine } from "./runtime/index.ts";
import type { NodeAgent, Taint } from "./node/index.ts";

export { JoinError, NODE_BOOTSTRAP_LOGIN, SERVER_TOKEN_USER, TokenFormatError, caBundleHash, formatBootstrapToken, formatJoinToken, isBootstrapToken, parseJoinToken, type JoinToken } from "./join/index.ts";
export { CONTROL_PLANE_ROLE, defaultNodeIP, type Taint } from "./node/index.ts";

export interface AgentOptions {
  /** https://<server>:<port> */
  serverUrl: string;
  /** The join token: `K10<ca-hash>::server:<secret>`, or the bare secret (then the CA is not verified). */
  token: string;
  nodeName: string;
  nodeIP: string;
  nodeLabels: Record<string, string>;
  nodeTaints: Taint[];
  /** The agent's own dir (`<kts data-dir>/agent`): credentials, pod volumes, airgap images. */
  dataDir: string;
  /** Servers get node-role.kubernetes.io/control-plane=true. */
  isServer: boolean;
  /** Labels added to every container the agent makes (tests clean up by them). */
  containerLabels?: Record<string, string>;
  /** The kubelet's --node-status-update-frequency (default 10 s). */
  statusIntervalMs?: number;
  /** The kubelet's nodeLeaseDurationSeconds (default 40; renewed every quarter of it). */
  leaseDurationSeconds?: number;
  /** Cluster DNS Service IPs for dnsPolicy ClusterFirst (k3s's --cluster-dns; default 10.43.0.10). */
  clusterDNS?: string[];
  /** k3s's --cluster-domain (default cluster.local). */
  clusterDomain?: string;
  /** The Docker client; default the lean DockerEngine on DOCKER_HOST or /var/run/docker.sock (dockerode costs ~30 MB of RSS). */
  docker?: DockerEngine;
  /** Own names for the node's bridge and iptables chains (several nodes in one network namespace: tests); default KTS_NET_PREFIX. */
  netPrefix?: string;
  /** Aborts joining (a stop while the server is still unreachable). */
  signal?: AbortSignal;
}

export interface RunningAgent {
  readonly nodeName: string;
  readonly credentials: NodeCredentials;
  /** Stops reporting and managing; containers keep running. */
  stop(): Promise<void>;
}

/** The node name k3s defaults to: the host name, lower-cased. */
export function defaultNodeName(): string {
  return hostname().toLowerCase();
}

/** k3s's defaults: the 10th address of the default service CIDR, and cluster.local. */
export const DEFAULT_CLUSTER_DNS = "10.43.0.10";
export const DEFAULT_CLUSTER_DOMAIN = "cluster.local";

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

/** Whether retrying can help: not for a wrong token or server (JoinError), a malformed token, or a stop. */
function isFinal(err: unknown, signal: AbortSignal | undefined): boolean {
  return err instanceof JoinError || err instanceof TokenFormatError || signal?.aborted === true;
}

/**
 * Starts the agent. A wrong token or server fails at once (JoinError); anything else (the server
 * restarting between join and registration, a 5xx) is logged and retried with backoff until
 * `signal` aborts.
 */
export async function startAgent(opts: AgentOptions, log: Logger): Promise<RunningAgent> {
  let backoff = FIRST_RETRY_MS;
  for (;;) {
    try {
      return await startOnce(opts, log);
    } catch (err) {
      if (isFinal(err, opts.signal)) throw err;
      log.error("the agent could not start; retrying", { err, retryInMs: backoff });
      await sleep(backoff, opts.signal);
      backoff = Math.min(MAX_RETRY_MS, backoff * 2);
    }
  }
}

/**
 * The agent's working parts (pods, streaming, network, node status, the Docker client) load when an
 * agent starts, so that `kts server --disable-agent` and the commands that only need the join-token
 * helpers above do not hold them in memory.
 */
async function agentParts() {
  const [{ agentDependents }, { prepareNetworking }, { DockerEngine }, node] = await Promise.all([
    import("./dependents.ts"),
    import("./networking.ts"),
    import("./runtime/index.ts"),
    import("./node/index.ts"),
  ]);
  return { agentDependents, prepareNetworking, DockerEngine, ...node };
}

async function startOnce(opts: AgentOptions, log: Logger): Promise<RunningAgent> {
  const { agentDependents, prepareNetworking, DockerEngine, DEFAULT_LEASE_DURATION_SECONDS, defaultLabels, goArch, startNodeAgent } = await agentParts();
  const creds = await join({ serverUrl: opts.serverUrl, token: opts.token, nodeName: opts.nodeName, dataDir: opts.dataDir, log: log.child("join"), signal: opts.signal });
  const files = credentialFiles(opts.dataDir);
  // A kubeconfig with the node's identity, as k3s leaves for its kubelet (handy with kubectl --kubeconfig).
  writeAtomic(files.kubeconfig, renderKubeconfig({ server: opts.serverUrl, caPem: creds.caPem, clientCertPem: creds.certPem, clientKeyPem: creds.keyPem }), 0o600);
  const client = new HttpClient({ server: opts.serverUrl, caPem: creds.caPem, certPem: creds.certPem, keyPem: creds.keyPem, userAgent: `kts-agent/${opts.nodeName}` });
  const version = await client.version();
  const docker = opts.docker ?? new DockerEngine();
  // Safety first: the unreachable routes for the cluster and service CIDRs go in before any pod runs.
  // The service proxy's own identity (k3s's client-kube-proxy.crt), asked for with the node's.
  const proxyClient = async (signal: AbortSignal) => {
    const kp = await ensureKubeProxyCredentials({ serverUrl: opts.serverUrl, caPem: creds.caPem, node: creds, dataDir: opts.dataDir, log: log.child("join"), signal });
    return new HttpClient({ server: opts.serverUrl, caPem: kp.caPem, certPem: kp.certPem, keyPem: kp.keyPem, userAgent: `kts-proxy/${opts.nodeName}` });
  };
  const networking = await prepareNetworking({ client, proxyClient, nodeName: opts.nodeName, nodeIP: opts.nodeIP, netPrefix: opts.netPrefix, log: log.child("network"), signal: opts.signal });
  const dependents = agentDependents({
    serverUrl: opts.serverUrl,
    nodeName: opts.nodeName,
    nodeIP: opts.nodeIP,
    dataDir: opts.dataDir,
    containerLabels: opts.containerLabels,
    // The agent's own flags, else what the server published (k3s's agent config), else k3s's defaults.
    clusterDNS: opts.clusterDNS ?? networking.config.clusterDns ?? [DEFAULT_CLUSTER_DNS],
    clusterDomain: opts.clusterDomain ?? networking.config.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN,
    client,
    credentials: creds,
    docker,
    network: networking.sandbox,
    log,
  });
  let node: NodeAgent;
  try {
    node = await startNodeAgent({
      client,
      registration: {
        name: opts.nodeName,
        defaultLabels: defaultLabels(opts.nodeName, process.platform, goArch(), opts.isServer),
        userLabels: opts.nodeLabels,
        taints: opts.nodeTaints,
      },
      nodeIP: opts.nodeIP,
      dataDir: opts.dataDir,
      kubeletVersion: version.gitVersion,
      docker,
      statusIntervalMs: opts.statusIntervalMs ?? 10_000,
      leaseDurationSeconds: opts.leaseDurationSeconds ?? DEFAULT_LEASE_DURATION_SECONDS,
      log: log.child("node"),
      onRuntime: (state) => dependents.onRuntime(state),
    });
  } catch (err) {
    await dependents.stop();
    await networking.stop();
    throw err;
  }
  dependents.enable();
  networking.start();
  log.info("agent running", { node: opts.nodeName, user: nodeUser(opts.nodeName), server: opts.serverUrl });
  return {
    nodeName: opts.nodeName,
    credentials: creds,
    async stop() {
      await node.stop();
      await dependents.stop();
      await networking.stop();
      log.info("agent stopped; containers keep running", { node: opts.nodeName });
    },
  };
}
