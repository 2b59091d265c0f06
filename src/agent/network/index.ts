/**
 * The pod network of a node (the CNI's role, flannel's host-gw backend with the bridge, host-local
 * and portmap plugins), kts's own rather than Docker's:
 *   - the node's pod CIDR (node.spec.podCIDR, from the server's node IPAM controller) becomes a
 *     Linux bridge kts makes (bridge.ts; gateway = the CIDR's first address);
 *   - every pod sandbox (pause container) runs without Docker networking (NetworkMode "none",
 *     NetworkDisabled) and gets an address from the node's range (ipam.ts, recorded as a label on
 *     the sandbox) and a veth pair into the bridge (veth.ts); hostNetwork pods stay on the host;
 *   - hostPorts become DNAT rules (hostports.ts), as the portmap plugin makes them;
 *   - routes to every other node's pod CIDR through that node's InternalIP, kept in step with the
 *     Nodes as they come and go;
 *   - iptables: forwarding for the cluster CIDR, masquerading only of traffic leaving the cluster.
 * Why not a Docker network (the earlier design): Docker's network setup for each sandbox (its
 * libnetwork prestart hook re-executes dockerd per container) was about half of Docker's CPU per
 * pod; a veth made with `ip` is a fraction of that (scripts/bench/docker-floor.ts). Docker stays
 * the source of truth for what runs: the addresses and hostPorts are rebuilt from the sandboxes'
 * labels after an agent restart. A node upgraded from the Docker-network design keeps that network
 * until nothing uses it (bridge.ts).
 * The safety routes (safety.ts) are installed by the agent before this starts.
 */
import type { Client } from "../../client/index.ts";
import type { Logger } from "../../log/index.ts";
import type { KubeObject } from "../../apiserver/api/types.ts";
import { Informer } from "../../client/index.ts";
import { Iptables } from "../../iptables/index.ts";
import { cidrAddress, cidrContains, isIPv4, mustParseCidr, parseCidr } from "../../netaddr/index.ts";
import { LABEL_CONTAINER_NAME, LABEL_HOST_PORTS, LABEL_NODE, LABEL_POD_IP, LABEL_POD_NAME, LABEL_POD_NAMESPACE, SANDBOX_NAME } from "../runtime/index.ts";
import { DockerNetworks } from "./docker-network.ts";
import { ensurePodNetworkRules, podNetworkChains } from "./host-rules.ts";
import { HostGwRoutes, localAddresses, type NodeRoute } from "./routes.ts";
import { interfaceMtu } from "./mtu.ts";
import { enableHairpin } from "./hairpin.ts";
import { ensureBridge } from "./bridge.ts";
import { PodIpam } from "./ipam.ts";
import { attachVeth } from "./veth.ts";
import { hostPortChains, HostPortRules, parseHostPorts, type HostPortMapping, type SandboxPorts } from "./hostports.ts";

export { ensureSafetyRoutes, removeSafetyRoutes, type SafetyRoutesOptions } from "./safety.ts";
export { KTS_ROUTE_PROTO, KTS_ROUTE_TABLE } from "./ip.ts";
export { podNetworkChains, removePodNetworkRules } from "./host-rules.ts";
export { DockerNetworks } from "./docker-network.ts";
export { type HostPortMapping } from "./hostports.ts";

const NODES = { group: "", version: "v1", resource: "nodes" };

/** Names of the node's network objects; several nodes on one machine (tests) need their own. */
export interface PodNetworkNames {
  /** The earlier design's Docker network (default "kts"), retired once unused (bridge.ts). */
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

/** How a new sandbox joins the network. */
export interface SandboxPlan {
  /** Docker's NetworkMode for the pause container ("none" when kts wires it itself). */
  networkMode: string;
  /**
   * The address kts gave the sandbox (its LABEL_POD_IP) when kts wires it: the caller then creates
   * the pause with Docker networking disabled, calls attach() once it runs, and release() when it
   * could not be made.
   */
  ip?: string;
}

/** A started sandbox to wire into kts's own network. */
export interface SandboxAttachment {
  sandboxId: string;
  /** The pause container's process id. */
  pid: number;
  ip: string;
  /** namespace/name (rule comments). */
  pod: string;
  hostPorts: HostPortMapping[];
}

/** What the pod manager asks of the network when it creates a pod sandbox. */
export interface SandboxNetwork {
  /** How the next sandbox joins (allocates its address); throws NetworkNotReadyError until the node's network is up. */
  plan(): Promise<SandboxPlan>;
  /** Wires a started sandbox (veth, hostPorts); on failure the caller removes it and releases its address. */
  attach(a: SandboxAttachment): Promise<void>;
  /** The sandbox with this planned address was not made (or is gone): the address is free. */
  release(ip: string): void;
  /** Docker reported a container event of this node (start, die, oom, destroy). */
  containerEvent(action: string, containerId: string): void;
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
  /** Routes, bridge, rules and the sandboxes' addresses are re-checked this often (default 30 s). */
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
  const hostPorts = new HostPortRules(ipt, hostPortChains(names.chainPrefix));
  let podCidr: string | undefined;
  let ipam: PodIpam | undefined;
  let mtu = 1500;
  /** Addresses of containers still on the earlier design's Docker network (bridge.ts). */
  let legacyIPs: string[] = [];
  /** This node's running sandboxes on kts's network: address and hostPorts. */
  let sandboxes = new Map<string, SandboxPorts>();
  let up = false;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | undefined;
  let again = false;

  const withPorts = () => [...sandboxes.values()].filter((sb) => sb.ports.length > 0);

  /**
   * Rebuilds the addresses in use and the hostPort rules from the sandboxes Docker has: running
   * ones (and just created ones, about to be wired) hold their labelled address.
   */
  const resyncSandboxes = async (jumps = false) => {
    const list = await docker.containers([`${LABEL_NODE}=${opts.nodeName}`, `${LABEL_CONTAINER_NAME}=${SANDBOX_NAME}`]);
    const next = new Map<string, SandboxPorts>();
    const taken: string[] = [...legacyIPs];
    let latest: { ip: string; created: number } | undefined;
    for (const c of list) {
      const labels = c.Labels ?? {};
      const ip = labels[LABEL_POD_IP];
      if (!ip) continue;
      // Where round-robin resumes after an agent restart: the newest sandbox, running or not.
      if (!latest || c.Created >= latest.created) latest = { ip, created: c.Created };
      if (c.State !== "running" && c.State !== "created") continue;
      taken.push(ip);
      if (c.State === "running") {
        next.set(c.Id, { pod: `${labels[LABEL_POD_NAMESPACE]}/${labels[LABEL_POD_NAME]}`, ip, created: c.Created, ports: parseHostPorts(labels[LABEL_HOST_PORTS]) });
      }
    }
    sandboxes = next;
    ipam?.rebuild(taken, latest?.ip);
    await hostPorts.sync(withPorts(), { jumps });
  };

  /** The node's own bridge and rules. */
  const setUpLocal = async (cidr: string) => {
    const c = mustParseCidr(cidr);
    if (!cidrContains(cluster, cidrAddress(c, 0))) throw new Error(`the node's pod CIDR ${cidr} is outside the cluster CIDR ${opts.clusterCidr}`);
    mtu = interfaceMtu(opts.nodeIP) ?? 1500;
    legacyIPs = await ensureBridge(docker, { bridge: names.bridge, cidr: c, mtu, dockerNetwork: names.dockerNetwork }, log);
    await ensurePodNetworkRules(ipt, chains, { cluster: opts.clusterCidr, pod: cidr });
    if (ipam?.cidr.base !== c.base || ipam.cidr.bits !== c.bits) ipam = new PodIpam(cidr);
    await resyncSandboxes(true);
    // Containers of the earlier Docker network started while the agent was away (or before a Docker restart).
    if (legacyIPs.length > 0) enableHairpin(names.bridge);
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
        log.info("pod network ready", { podCIDR: podCidr, bridge: names.bridge, iptables: ipt.backend });
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
    async plan() {
      if (!up || !ipam) throw new NetworkNotReadyError(`network is not ready: node ${opts.nodeName} ${podCidr ? `pod network ${podCidr} is being set up` : "has no pod CIDR yet"}`);
      let ip = ipam.allocate();
      if (!ip) {
        // Full as far as this process knows: Docker may have removed sandboxes meanwhile.
        await resyncSandboxes();
        ip = ipam.allocate();
      }
      if (!ip) throw new Error(`no free address in the pod CIDR ${podCidr} of node ${opts.nodeName}`);
      return { networkMode: "none", ip };
    },
    async attach(a) {
      if (!ipam) throw new NetworkNotReadyError(`network is not ready: node ${opts.nodeName} has no pod CIDR`);
      ipam.commit(a.ip);
      await attachVeth({ sandboxId: a.sandboxId, pid: a.pid, bridge: names.bridge, ip: a.ip, prefix: ipam.cidr.bits, gateway: ipam.gateway, mtu });
      sandboxes.set(a.sandboxId, { pod: a.pod, ip: a.ip, created: Math.floor(Date.now() / 1000), ports: a.hostPorts });
      if (a.hostPorts.length > 0) await hostPorts.sync(withPorts());
    },
    release(ip) {
      ipam?.release(ip);
    },
    containerEvent(action, id) {
      if (action !== "die" && action !== "destroy") return;
      const sb = sandboxes.get(id);
      if (!sb) return;
      // The namespace went with the pause (or goes with the last of the pod's containers).
      sandboxes.delete(id);
      ipam?.release(sb.ip);
      if (sb.ports.length > 0) hostPorts.sync(withPorts()).catch((err) => log.error("hostPort rules not updated", { err: err instanceof Error ? err.message : String(err) }));
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
