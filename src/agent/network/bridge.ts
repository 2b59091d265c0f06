/**
 * The node's pod bridge (the CNI bridge plugin's role): a Linux bridge kts makes with `ip`, holding
 * the pod CIDR's first address (the pods' gateway) with the CIDR's prefix, the node's MTU, up, and
 * `route_localnet` on (hostPorts reached through 127.0.0.1 are DNATed to a pod and leave through
 * it, as the CNI portmap plugin allows). Idempotent: run on every resync.
 *
 * Upgrade from the Docker-network design (a Docker bridge network named `dockerNetwork` owning a
 * bridge of the same name): while that network or its bridge is in use (Docker containers on it, or
 * any port on the bridge), kts keeps it and attaches its own veths to Docker's bridge, treating the
 * Docker containers' addresses as taken; once nothing uses it, the Docker network is removed (which
 * deletes its bridge) and kts makes its own in the next step.
 */
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import type { Logger } from "../../log/index.ts";
import type { Cidr } from "../../netaddr/index.ts";
import { cidrAddress } from "../../netaddr/index.ts";
import type { DockerNetworks } from "./docker-network.ts";
import { ip, mustIp } from "./ip.ts";

export interface BridgeSpec {
  bridge: string;
  cidr: Cidr;
  mtu: number;
  /** The old design's Docker network (see above). */
  dockerNetwork: string;
}

/** Ports attached to the bridge (none when it does not exist). */
export function bridgePorts(bridge: string): string[] {
  const dir = `/sys/class/net/${bridge}/brif`;
  return existsSync(dir) ? readdirSync(dir) : [];
}

/**
 * Removes the old Docker network when nothing uses it; returns the addresses of the containers
 * still on it (empty when it is gone or never existed).
 */
async function retireDockerNetwork(docker: DockerNetworks, spec: BridgeSpec, log: Logger): Promise<string[]> {
  const net = await docker.get(spec.dockerNetwork);
  if (!net) return [];
  const users = Object.values(net.Containers ?? {}).map((c) => (c.IPv4Address ?? "").split("/")[0]!).filter(Boolean);
  if (users.length === 0 && bridgePorts(spec.bridge).length === 0) {
    await docker.remove(spec.dockerNetwork);
    log.info("removed the Docker network of the earlier pod network design", { network: spec.dockerNetwork });
    return [];
  }
  return users;
}

function writeSysctl(path: string, value: string): void {
  try {
    writeFileSync(path, value);
  } catch {
    // not writable here (a read-only /proc/sys): the feature it enables is lost, nothing else
  }
}

/** Makes the bridge match the spec; returns the addresses of the old Docker network's containers. */
export async function ensureBridge(docker: DockerNetworks, spec: BridgeSpec, log: Logger): Promise<string[]> {
  const legacy = await retireDockerNetwork(docker, spec, log);
  const gateway = `${cidrAddress(spec.cidr, 1)}/${spec.cidr.bits}`;
  if (!existsSync(`/sys/class/net/${spec.bridge}`)) {
    await mustIp(["link", "add", "name", spec.bridge, "mtu", String(spec.mtu), "type", "bridge"]);
    log.info("created the pod bridge", { bridge: spec.bridge, gateway });
  }
  const addrs = JSON.parse((await mustIp(["-j", "-4", "addr", "show", "dev", spec.bridge])).trim() || "[]") as Array<{ addr_info?: Array<{ local?: string; prefixlen?: number }> }>;
  const have = (addrs[0]?.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`);
  // Another address is a pod CIDR this node no longer has.
  for (const a of have) if (a !== gateway) await ip(["addr", "del", a, "dev", spec.bridge]);
  if (!have.includes(gateway)) await mustIp(["addr", "add", gateway, "dev", spec.bridge]);
  await mustIp(["link", "set", spec.bridge, "up"]);
  writeSysctl(`/proc/sys/net/ipv4/conf/${spec.bridge}/route_localnet`, "1");
  return legacy;
}

/** Deletes the bridge (node clean-up); its ports are detached by the kernel. */
export async function removeBridge(bridge: string): Promise<void> {
  if (existsSync(`/sys/class/net/${bridge}`)) await ip(["link", "del", bridge]);
}
