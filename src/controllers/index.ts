/**
 * The controllers that run inside the kts server process (kube-controller-manager's role),
 * driven through the in-process client. Which ones run follows kube-controller-manager's
 * --controllers syntax: "*" for all, "name" to enable, "-name" to disable. As upstream, they run
 * only while this process holds the kube-system/kube-controller-manager Lease, so several servers
 * over one datastore run one set of controllers.
 */
import { hostname } from "node:os";
import type { Client } from "../client/index.ts";
import type { Logger } from "../log/index.ts";
import { EventBroadcaster, LeaderElector, SharedInformerFactory } from "../client/index.ts";
import type { ControllerContext } from "./context.ts";
import { CsrApprover, CsrCleaner, type CsrCleanerOptions, CsrSigner, type CsrSigningOptions } from "./certificates/index.ts";
import { GarbageCollector, type GarbageCollectorOptions } from "./garbagecollector/garbage-collector.ts";
import { NamespaceController, type NamespaceControllerOptions } from "./namespace/namespace-controller.ts";
import { type Controller, runControllers, type RunningControllers } from "./runner.ts";
import { ClusterRoleAggregationController } from "./clusterroleaggregation/index.ts";
import { BootstrapTokenCleaner } from "./bootstrap/index.ts";
import { ServiceAccountTokensController, type TokensControllerOptions } from "./serviceaccount/index.ts";
import { WORKLOAD_CONTROLLERS, type WorkloadOptions } from "./workloads.ts";
import { CLUSTER_CONTROLLERS, type ClusterControllerOptions } from "./cluster.ts";
import { NETWORK_CONTROLLERS, type NetworkControllerOptions } from "./network.ts";

export type { Controller, RunningControllers } from "./runner.ts";
export type { ControllerContext } from "./context.ts";
export { GarbageCollector } from "./garbagecollector/garbage-collector.ts";
export { NamespaceController } from "./namespace/namespace-controller.ts";

export interface LeaderElectionOptions {
  /** Default "<hostname>_<random uuid>", as kube-controller-manager's. */
  identity?: string;
  namespace?: string;
  name?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export interface ControllerOptions extends WorkloadOptions, ClusterControllerOptions, NetworkControllerOptions {
  /**
   * The client a controller writes with (kube-controller-manager's --use-service-account-credentials:
   * each controller its own identity); default: the client given to startControllers, which also
   * feeds the shared informers, records events and holds the leader lease.
   */
  clientFor?(controller: string): Client | undefined;
  /** Signing legacy service account tokens (--service-account-private-key-file); without it the token controller idles. */
  serviceAccountTokens?: TokensControllerOptions;
  /** kube-controller-manager's --controllers list; default ["*"]. */
  controllers?: string[];
  /** --leader-elect (default true): run only while holding the controller-manager lease. */
  leaderElect?: boolean;
  leaderElection?: LeaderElectionOptions;
  garbageCollector?: GarbageCollectorOptions;
  namespace?: NamespaceControllerOptions;
  /** The CA the CSR signer signs client certificates with; without it the signer idles. */
  csrSigning?: CsrSigningOptions;
  csrCleaner?: CsrCleanerOptions;
}

export interface KnownController {
  name: string;
  /** Names kube-controller-manager also accepts for it. */
  aliases: string[];
  make(ctx: ControllerContext, opts: ControllerOptions): Controller;
}

const KNOWN: KnownController[] = [
  { name: "garbage-collector-controller", aliases: ["garbagecollector"], make: (ctx, o) => new GarbageCollector(ctx.client, ctx.log, o.garbageCollector) },
  { name: "namespace-controller", aliases: ["namespace"], make: (ctx, o) => new NamespaceController(ctx.client, ctx.log, o.namespace) },
  ...WORKLOAD_CONTROLLERS,
  ...CLUSTER_CONTROLLERS,
  ...NETWORK_CONTROLLERS,
  { name: "certificatesigningrequest-approving-controller", aliases: ["csrapproving"], make: (ctx) => new CsrApprover(ctx) },
  { name: "certificatesigningrequest-cleaner-controller", aliases: ["csrcleaner"], make: (ctx, o) => new CsrCleaner(ctx, o.csrCleaner) },
  { name: "certificatesigningrequest-signing-controller", aliases: ["csrsigning"], make: (ctx, o) => (o.csrSigning ? new CsrSigner(ctx, o.csrSigning) : idle("certificatesigningrequest-signing-controller")) },
  { name: "clusterrole-aggregation-controller", aliases: ["clusterrole-aggregation"], make: (ctx) => new ClusterRoleAggregationController(ctx) },
  {
    name: "serviceaccount-token-controller",
    aliases: ["serviceaccount-token"],
    make: (ctx, o) => (o.serviceAccountTokens ? new ServiceAccountTokensController(ctx, o.serviceAccountTokens) : idle("serviceaccount-token-controller")),
  },
  { name: "token-cleaner-controller", aliases: ["tokencleaner"], make: (ctx) => new BootstrapTokenCleaner(ctx) },
];

/** A controller with nothing to do (the signer without a CA, as kube-controller-manager without signing files). */
function idle(name: string): Controller {
  return { name, start: async () => undefined, stop: async () => undefined };
}

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

/** One term of running controllers: fresh informers, recorders and controllers, stopped together. */
function startTerm(client: Client, log: Logger, opts: ControllerOptions, names: Set<string>): RunningControllers {
  const informers = new SharedInformerFactory(client, log.child("informers"));
  const events = new EventBroadcaster(client, { host: hostname(), log: log.child("events") });
  const controllers = KNOWN.filter((k) => names.has(k.name)).map((k) =>
    k.make({ client: opts.clientFor?.(k.name) ?? client, informers, recorder: (c) => events.recorder(c), log: log.child(k.aliases[0] ?? k.name) }, opts),
  );
  const running = runControllers(controllers, log);
  return {
    ready: running.ready,
    names: running.names,
    async stop() {
      await running.stop();
      informers.stop();
      events.stop();
    },
  };
}

/**
 * Starts the enabled controllers: at once without leader election, else each time this process
 * becomes leader (and stops them when it stops leading). `ready` resolves once they first started.
 */
export function startControllers(client: Client, log: Logger, opts: ControllerOptions = {}): RunningControllers {
  const names = new Set(enabledControllers(opts.controllers));
  if (opts.leaderElect === false) return startTerm(client, log, opts, names);
  const le = opts.leaderElection ?? {};
  const ready = Promise.withResolvers<void>();
  let term: RunningControllers | undefined;
  const elector = new LeaderElector({
    client,
    namespace: le.namespace ?? "kube-system",
    name: le.name ?? "kube-controller-manager",
    identity: le.identity ?? `${hostname()}_${crypto.randomUUID()}`,
    leaseDurationMs: le.leaseDurationMs,
    renewDeadlineMs: le.renewDeadlineMs,
    retryPeriodMs: le.retryPeriodMs,
    log: log.child("leaderelection"),
    onStartedLeading: () => {
      term = startTerm(client, log, opts, names);
      void term.ready.then(() => ready.resolve());
    },
    onStoppedLeading: async () => {
      await term?.stop();
      term = undefined;
    },
    onNewLeader: (id) => log.info("new controller-manager leader", { identity: id }),
  });
  elector.start();
  return {
    ready: ready.promise,
    names: KNOWN.filter((k) => names.has(k.name)).map((k) => k.name),
    async stop() {
      await elector.stop();
      ready.resolve();
    },
  };
}
