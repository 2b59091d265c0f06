/**
 * The controllers that run inside the kts server process (kube-controller-manager's role),
 * driven through the in-process client. Which ones run follows kube-controller-manager's
 * --controllers syntax: "*" for all, "name" to enable, "-name" to disable.
 */
import type { Client } from "../client/index.ts";
import type { Logger } from "../log/index.ts";
import { GarbageCollector, type GarbageCollectorOptions } from "./garbagecollector/garbage-collector.ts";
import { NamespaceController, type NamespaceControllerOptions } from "./namespace/namespace-controller.ts";
import { type Controller, runControllers, type RunningControllers } from "./runner.ts";

export type { Controller, RunningControllers } from "./runner.ts";
export { GarbageCollector } from "./garbagecollector/garbage-collector.ts";
export { NamespaceController } from "./namespace/namespace-controller.ts";

export interface ControllerOptions {
  /** kube-controller-manager's --controllers list; default ["*"]. */
  controllers?: string[];
  garbageCollector?: GarbageCollectorOptions;
  namespace?: NamespaceControllerOptions;
}

interface KnownController {
  name: string;
  /** Names kube-controller-manager also accepts for it. */
  aliases: string[];
  make(client: Client, log: Logger, opts: ControllerOptions): Controller;
}

const KNOWN: KnownController[] = [
  { name: "garbage-collector-controller", aliases: ["garbagecollector"], make: (c, log, o) => new GarbageCollector(c, log.child("garbagecollector"), o.garbageCollector) },
  { name: "namespace-controller", aliases: ["namespace"], make: (c, log, o) => new NamespaceController(c, log.child("namespace"), o.namespace) },
];

/** The controllers a --controllers list enables; unknown names are an error, as upstream's flag check is. */
export function enabledControllers(list: string[] = ["*"]): string[] {
  const canonical = (n: string) => KNOWN.find((k) => k.name === n || k.aliases.includes(n))?.name;
  for (const entry of list) {
    const name = entry.replace(/^-/, "");
    if (name !== "*" && !canonical(name)) throw new Error(`"${name}" is not in the list of known controllers`);
  }
  const all = list.includes("*");
  return KNOWN.map((k) => k.name).filter((name) => {
    if (list.some((e) => e.startsWith("-") && canonical(e.slice(1)) === name)) return false;
    return all || list.some((e) => canonical(e) === name);
  });
}

export function startControllers(client: Client, log: Logger, opts: ControllerOptions = {}): RunningControllers {
  const enabled = new Set(enabledControllers(opts.controllers));
  const controllers = KNOWN.filter((k) => enabled.has(k.name)).map((k) => k.make(client, log, opts));
  return runControllers(controllers, log);
}
