/**
 * The service proxy (kube-proxy in iptables mode), run by every agent: it turns Services and
 * EndpointSlices into the node's iptables rules (rules.ts has the layout). ClusterIP, NodePort,
 * LoadBalancer (the ingress addresses ServiceLB sets), external IPs, session affinity, both
 * traffic policies, hairpin, readiness and REJECT for ports without endpoints; ExternalName and
 * headless Services get no rules.
 */
import type { Client } from "../client/index.ts";
import type { Logger } from "../log/index.ts";
import { Iptables } from "../iptables/index.ts";
import { Conntrack } from "./conntrack.ts";
import { Proxier, type SyncInfo } from "./proxier.ts";

export { Proxier, type ProxierOptions, type SyncInfo } from "./proxier.ts";
export { cleanupProxyRules } from "./cleanup.ts";
export { ChainNames } from "./names.ts";
export { Conntrack } from "./conntrack.ts";

export interface ProxyOptions {
  client: Client;
  nodeName: string;
  clusterCidr?: string;
  /** Defaults to the backend the system's rules are in. */
  iptables?: Iptables;
  chainPrefix?: string;
  minSyncPeriodMs?: number;
  syncPeriodMs?: number;
  log: Logger;
  onSync?(info: SyncInfo): void;
}

export interface RunningProxy {
  readonly proxier: Proxier;
  stop(): Promise<void>;
}

/** Starts the proxy; resolves once the first sync was tried (a failed one is retried in the background). */
export async function startProxy(opts: ProxyOptions): Promise<RunningProxy> {
  const iptables = opts.iptables ?? (await Iptables.detect());
  const proxier = new Proxier({ ...opts, iptables, conntrack: new Conntrack({ netns: iptables.netns, log: opts.log }) });
  const first = await proxier.start();
  opts.log.info("service proxy running", { backend: iptables.backend, chains: proxier.names.prefix, ms: Math.round(first.ms), servicePorts: first.servicePorts, firstSyncFailed: first.error !== undefined });
  return { proxier, stop: () => proxier.stop() };
}
