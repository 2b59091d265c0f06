/**
 * The MTU of the interface holding the node's address: pods get the same, so host-gw traffic
 * between nodes (no encapsulation) never needs fragmenting on the way.
 */
import { readFileSync } from "node:fs";
import { networkInterfaces } from "node:os";

export function interfaceMtu(address: string): number | undefined {
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    if (!(addrs ?? []).some((a) => a.address === address)) continue;
    try {
      const mtu = Number(readFileSync(`/sys/class/net/${name}/mtu`, "utf8").trim());
      return Number.isInteger(mtu) && mtu >= 576 ? mtu : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
