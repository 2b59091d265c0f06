/**
 * The agent's network duties, in the order safety needs them:
 *   1. read the cluster's network settings (cluster-config.ts);
 *   2. install the unreachable routes for the cluster and service CIDRs, before any pod runs;
 *   3. once the Node is registered: the pod network (bridge, host-gw routes, masquerading) and the
 *      service proxy (unless the server says --disable-kube-proxy), as system:kube-proxy.
 * The pod manager asks `sandbox` how a pod sandbox joins the network (an address and a veth on the
 * pod bridge, or Docker's default bridge with `--flannel-backend none`); until the pod network is
 * up it refuses (the pod waits, as a kubelet's pods wait for a ready CNI).
 * Test runs that put several nodes in one network namespace give each its own names with
 * KTS_NET_PREFIX (bridge and chain prefixes).
 */
import type { Client } from "../client/index.ts";
import type { Logger } from "../log/index.ts";
import { Iptables } from "../iptables/index.ts";
import type { RunningProxy } from "../proxy/index.ts";
import { fetchClusterConfig, type ClusterNetworkConfig } from "./cluster-config.ts";
import { ensureSafetyRoutes, networkNames, NetworkNotReadyError, startPodNetwork, type PodNetwork, type SandboxNetwork } from "./network/index.ts";
import { localAddresses } from "./network/routes.ts";
import { sleep } from "./sleep.ts";

export interface NetworkingOptions {
  client: Client;
  /**
   * The service proxy's client, with an identity of its own (system:kube-proxy, as k3s's); asked
   * for only when the proxy runs, retried until it comes, abandoned when `signal` aborts.
   */
  proxyClient(signal: AbortSignal): Promise<Client>;
  nodeName: string;
  nodeIP: string;
  /** Names for this node's network objects (see networkNames); default KTS_NET_PREFIX or kts's fixed names. */
  netPrefix?: string;
  log: Logger;
  signal?: AbortSignal;
}

export interface NodeNetworking {
  readonly config: ClusterNetworkConfig;
  /** What the pod manager asks for each sandbox. */
  readonly sandbox: SandboxNetwork;
  /** Starts the pod network and the proxy (after the Node is registered); never throws. */
  start(): void;
  stop(): Promise<void>;
}

const RETRY_MS = 5000;
const MAX_PROXY_RETRY_MS = 60_000;

/** Steps 1 and 2; returns the rest to start once the Node exists. */
export async function prepareNetworking(opts: NetworkingOptions): Promise<NodeNetworking> {
  const log = opts.log;
  const config = await fetchClusterConfig(opts.client, log, opts.signal);
  const hostIP = localAddresses().has(opts.nodeIP) ? opts.nodeIP : undefined;
  await ensureSafetyRoutes({ clusterCidr: config.clusterCidr, serviceCidr: config.serviceCidr, nodeIP: hostIP });
  log.info("unreachable routes for the cluster and service CIDRs are in place", { clusterCIDR: config.clusterCidr, serviceCIDR: config.serviceCidr });
  const prefix = opts.netPrefix ?? process.env.KTS_NET_PREFIX;
  const names = networkNames(prefix || undefined);
  let pods: PodNetwork | undefined;
  let proxy: RunningProxy | undefined;
  let stopped = false;
  let starting: Promise<void> | undefined;
  const stopping = new AbortController();

  const startPods = async (ipt: Iptables) => {
    while (!pods && !stopped && config.flannelBackend === "host-gw") {
      try {
        pods = await startPodNetwork({ client: opts.client, nodeName: opts.nodeName, nodeIP: opts.nodeIP, clusterCidr: config.clusterCidr, names, iptables: ipt, log: log.child("network") });
      } catch (err) {
        log.error("the pod network could not start; retrying", { err: err instanceof Error ? err.message : String(err) });
        await sleep(RETRY_MS, stopping.signal);
      }
    }
  };
  const startKubeProxy = async (ipt: Iptables) => {
    // Grows up to a minute: a denied certificate request must not become a new request every few seconds.
    let retryMs = RETRY_MS;
    while (!proxy && !stopped && !config.disableKubeProxy) {
      try {
        // Loaded only where the service proxy runs (not with --disable-kube-proxy).
        const { startProxy } = await import("../proxy/index.ts");
        const client = await opts.proxyClient(stopping.signal);
        if (stopped) return;
        proxy = await startProxy({ client, nodeName: opts.nodeName, clusterCidr: config.clusterCidr, iptables: ipt, chainPrefix: prefix ? prefix.toUpperCase() : "KUBE", log: log.child("proxy") });
      } catch (err) {
        log.error("the service proxy could not start; retrying", { err: err instanceof Error ? err.message : String(err), retryInMs: retryMs });
        await sleep(retryMs, stopping.signal);
        retryMs = Math.min(MAX_PROXY_RETRY_MS, retryMs * 2);
      }
    }
  };

  return {
    config,
    sandbox: {
      async plan() {
        if (config.flannelBackend === "none") return { networkMode: "bridge" };
        if (!pods) throw new NetworkNotReadyError(`network is not ready: the pod network of node ${opts.nodeName} has not started`);
        return pods.plan();
      },
      async attach(a) {
        if (!pods) throw new NetworkNotReadyError(`network is not ready: the pod network of node ${opts.nodeName} has not started`);
        await pods.attach(a);
      },
      release(ip) {
        pods?.release(ip);
      },
      containerEvent(action, id) {
        pods?.containerEvent(action, id);
      },
    },
    start() {
      starting ??= (async () => {
        const ipt = await Iptables.detect();
        await Promise.all([startPods(ipt), startKubeProxy(ipt)]);
      })().catch((err) => log.error("networking failed to start", { err }));
    },
    async stop() {
      stopped = true;
      stopping.abort();
      await starting;
      await pods?.stop();
      await proxy?.stop();
    },
  };
}
