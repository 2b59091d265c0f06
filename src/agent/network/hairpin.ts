/**
 * Hairpin mode on the pod bridge's ports (the kubelet's --hairpin-mode=hairpin-veth, the CNI
 * bridge plugin's hairpinMode): with bridge netfilter on, a pod reaching itself through its
 * Service is DNATed inside the bridge and must leave through the very port it came in by, which a
 * bridge refuses unless the port allows hairpinning. kts's own veths get it when they are made
 * (veth.ts); this turns it on for the ports Docker made, on a node still using the earlier
 * design's Docker network (Docker leaves it off: its userland proxy covers its own hairpin case).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { bridgePorts } from "./bridge.ts";

/** Turns hairpin mode on for every port of the bridge that lacks it; returns how many changed. */
export function enableHairpin(bridge: string): number {
  let changed = 0;
  for (const port of bridgePorts(bridge)) {
    const file = `/sys/class/net/${bridge}/brif/${port}/hairpin_mode`;
    try {
      if (readFileSync(file, "utf8").trim() === "1") continue;
      writeFileSync(file, "1");
      changed++;
    } catch {
      // the port went away meanwhile
    }
  }
  return changed;
}
