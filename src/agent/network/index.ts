/**
 * The pod network of a node (the CNI's role, flannel's host-gw backend on Docker):
 *   - the node's pod CIDR (node.spec.podCIDR, from the server's node IPAM controller) becomes a
 *     Docker bridge network; every pod's pause container joins it, so each pod gets its own
 *     address from the node's range (hostNetwork pods stay on the host);
 *   - routes to every other node's pod CIDR through that node's InternalIP, kept in step with the
 *     Nodes as they come and go;
 *   - iptables: forwarding for the cluster CIDR, masquerading only of traffic leaving the cluster.
 * Why a Docker network rather than a bridge and veth pairs of kts's own: Docker then still owns the
 * sandbox's network namespace (its addresses show in inspect, hostPorts keep working through its
 * port publishing, the network survives Docker restarts), it works the same inside a
 * Docker-in-Docker node, and the pod code changes by one field (the sandbox's NetworkMode).
 * The safety routes (safety.ts) are installed by the agent before this starts.
 */
import type { Client } from "../../client/index.ts";
import type { Logger } from "../../log/index.ts";
import type { KubeObject } from "../../apiserver/api/types.ts";
import { Informer } from "../../client/index.ts";
import { Iptables } from "../../iptables/index.ts";
import { cidrAddress, cidrContains, isIPv4, mustParseCidr, parseCidr } from "../../netaddr/index.ts";
import { DockerNetworks } from "./docker-network.ts";
import { ensurePodNetworkRules, podNetworkChains } from "./host-rules.ts";
import { HostGwRoutes, localAddresses, type NodeRoute } from "./routes.ts";
import { interfaceMtu } from "./mtu.ts";
import { enableHairpin } from "./hairpin.ts";

export { ensureSafetyRoutes, removeSafetyRoutes, type SafetyRoutesOptions } from "./safety.ts";
export { KTS_ROUTE_PROTO, KTS_ROUTE_TABLE } from "./ip.ts";
export { podNetworkChains, removePodNetworkRules } from "./host-rules.ts";
export { DockerNetworks } from "./docker-network.ts";

const NODES = { group: "", version: "v1", resource: "nodes" };
export const POD_NETWORK_LABEL = "kts.io/pod-network";

/** Names of the node's network objects; several nodes on one machine (tests) need their own. */
export interface PodNetworkNames {
  /** Docker network (default "kts"). */
  dockerNetwork: string;
  /** Linux bridge (default "kts0"); at most 15 characters. */
  bridge: string;
  /** iptables chain prefix (default "KTS"). */
  chainPrefix: string;
}

export const DEFAULT_NETWORK_NAMES: PodNetworkNames = { dockerNetwork: "kts", bridge: "kts0", chainPrefix: "KTS" };

/** Names derived from one short prefix ("k7ab" → network k7ab, bridge k7ab0, chains K7AB-*). */
export function networkNames(prefix?: string): PodNetworkNames {
  if (!prefix) return DEFAULT_NETWORK_NAMES;
  if (!/^[a-z][a-z0-9]{0,5}$/.test(prefix)) throw new Error(`network prefix ${JSON.stringify(prefix)} must be 1-6 lower-case letters or digits`);
  return { dockerNetwork: prefix, bridge: `${prefix}0`, chainPrefix: prefix.toUpperCase() };
}

/** What the pod manager asks of the network when it creates a pod sandbox. */
export interface SandboxNetwork {
  /** The Docker network mode for a pod's sandbox; throws NetworkNotReadyError until the node's network is up. */
  networkMode(): string;
  /** Called once a sandbox on that network started (its bridge port exists). */
  sandboxStarted?(containerId: string): void;
}

export class NetworkNotReadyError extends Error {}

export interface PodNetworkOptions {
  client: Client;
  nodeName: string;
  nodeIP: string;
  clusterCidr: string;
  names?: PodNetworkNames;
  iptables?: Iptables;
  docker?: DockerNetworks;
  /** Extra labels on the Docker network (tests' cleanup label). */
  labels?: Record<string, string>;
  /** Routes, network and rules are re-checked this often (default 30 s). */
  resyncMs?: number;
  log: Logger;
}

export interface PodNetwork extends SandboxNetwork {
  /** Resolves once the node's bridge and rules are in place (pods can start). */
  readonly ready: Promise<void>;
  podCidr(): string | undefined;
  stop(): Promise<void>;
}

const RETRY_MS = 5000;

interface NodeView {
  podCidr?: string;
  internalIP?: string;
}

function view(obj: KubeObject): NodeView {
  const n = obj as { spec?: { podCIDR?: string; podCIDRs?: string[] }; status?: { addresses?: Array<{ type: string; address: string }> } };
  return {
    podCidr: n.spec?.podCIDRs?.find((c) => parseCidr(c)) ?? n.spec?.podCIDR,
    internalIP: n.status?.addresses?.find((a) => a.type === "InternalIP" && isIPv4(a.address))?.address,
  };
}

export async function startPodNetwork(opts: PodNetworkOptions): Promise<PodNetwork> {
  const names = opts.names ?? DEFAULT_NETWORK_NAMES;
  const log = opts.log;
  const ipt = opts.iptables ?? (await Iptables.detect());
  const docker = opts.docker ?? new DockerNetworks();
  const chains = podNetworkChains(names.chainPrefix);
  const routes = new HostGwRoutes(opts.clusterCidr, log);
  const cluster = mustParseCidr(opts.clusterCidr);
  const nodes = new Informer(opts.client, NODES, { onError: (err) => log.v(2).info("node list/watch failed; retrying", { err }) });
  const ready = Promise.withResolvers<void>();
  let podCidr: string | undefined;
  let up = false;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | undefined;
  let again = false;

  /** The node's own bridge and rules. */
  const setUpLocal = async (cidr: string) => {
    const c = mustParseCidr(cidr);
    if (!cidrContains(cluster, cidrAddress(c, 0))) throw new Error(`the node's pod CIDR ${cidr} is outside the cluster CIDR ${opts.clusterCidr}`);
    await docker.ensure({
      name: names.dockerNetwork,
      subnet: cidr,
      gateway: cidrAddress(c, 1),
      bridge: names.bridge,
      mtu: interfaceMtu(opts.nodeIP) ?? 1500,
      labels: { [POD_NETWORK_LABEL]: opts.nodeName, ...opts.labels },
    });
    await ensurePodNetworkRules(ipt, chains, { cluster: opts.clusterCidr, pod: cidr });
    // Sandboxes that started while the agent was away (or before a Docker restart).
    enableHairpin(names.bridge);
  };

  const wantedRoutes = (): NodeRoute[] => {
    const local = localAddresses();
    const out: NodeRoute[] = [];
    for (const obj of nodes.list()) {
      if (obj.metadata?.name === opts.nodeName) continue;
      const v = view(obj);
      if (v.podCidr && v.internalIP && !local.has(v.internalIP)) out.push({ podCidr: v.podCidr, via: v.internalIP });
    }
    return out;
  };

  const reconcile = async () => {
    const self = nodes.get(opts.nodeName);
    const cidr = self ? view(self).podCidr : undefined;
    if (cidr && cidr !== podCidr) {
      if (podCidr) log.warn("the node's pod CIDR changed", { from: podCidr, to: cidr });
      podCidr = cidr;
      up = false;
    }
    if (podCidr) {
      await setUpLocal(podCidr);
      if (!up) {
        up = true;
        log.info("pod network ready", { podCIDR: podCidr, network: names.dockerNetwork, bridge: names.bridge, iptables: ipt.backend });
        ready.resolve();
      }
    }
    await routes.sync(wantedRoutes());
  };

  /** Runs reconcile now (or right after the running one), then again after resyncMs. */
  const kick = (delayMs = 0) => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = reconcile()
        .then(
          () => opts.resyncMs ?? 30_000,
          (err) => {
            log.error("pod network set-up failed; retrying", { err: err instanceof Error ? err.message : String(err), retryInMs: RETRY_MS });
            return RETRY_MS;
          },
        )
        .then((next) => {
          running = undefined;
          const soon = again;
          again = false;
          kick(soon ? 0 : next);
        });
    }, delayMs);
  };

  nodes.on({ add: () => kick(), update: () => kick(), delete: () => kick() });
  await nodes.start();
  kick();
  return {
    ready: ready.promise,
    podCidr: () => podCidr,
    networkMode() {
      if (!up) throw new NetworkNotReadyError(`network is not ready: node ${opts.nodeName} ${podCidr ? `pod network ${podCidr} is being set up` : "has no pod CIDR yet"}`);
      return names.dockerNetwork;
    },
    sandboxStarted() {
      enableHairpin(names.bridge);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      nodes.stop();
      await running;
      ready.resolve();
    },
  };
}
export { removeNodeNetwork } from "./cleanup.ts";
