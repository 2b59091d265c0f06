/**
 * The MTU of the interface holding the node's address: pods get the same, so host-gw traffic
 * between nodes (no encapsulation) never needs fragmenting on the way. A node address on the
 * loopback device (a single-machine test node) gives none: its 64 KiB MTU is no Ethernet MTU.
 */
import { readFileSync } from "node:fs";
import { networkInterfaces } from "node:os";

export function interfaceMtu(address: string): number | undefined {
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    const own = (addrs ?? []).find((a) => a.address === address);
    if (!own) continue;
    if (own.internal) return undefined;
    try {
      const mtu = Number(readFileSync(`/sys/class/net/${name}/mtu`, "utf8").trim());
      return Number.isInteger(mtu) && mtu >= 576 ? mtu : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
