/**
 * The scheduler, kube-scheduler's role in the server process: places pending pods on nodes through
 * the in-process client. As upstream, it runs only while this process holds the
 * kube-system/kube-scheduler Lease, so several servers over one datastore run one scheduler.
 */
import { hostname } from "node:os";
import type { Client } from "../client/index.ts";
import { LeaderElector, SeriesBroadcaster, SharedInformerFactory } from "../client/index.ts";
import type { Logger } from "../log/index.ts";
import { loadSchedulerConfig } from "./config.ts";
import type { ProfileConfig } from "./profile.ts";
import { Scheduler } from "./scheduler.ts";

export { Scheduler, type SchedulerOptions } from "./scheduler.ts";
export { numFeasibleNodesToFind, selectHost } from "./schedule-pod.ts";
export type { ProfileConfig } from "./profile.ts";
export { loadSchedulerConfig, type SchedulerConfig } from "./config.ts";
export { fitErrorMessage } from "./fit-error.ts";
export { DEFAULT_SCHEDULER_NAME } from "./api.ts";

export interface SchedulerRunOptions {
  profiles?: ProfileConfig[];
  /** podInitialBackoffSeconds / podMaxBackoffSeconds, in ms. */
  podInitialBackoffMs?: number;
  podMaxBackoffMs?: number;
  /** --leader-elect (default true): schedule only while holding the kube-scheduler lease. */
  leaderElect?: boolean;
  leaderElection?: { identity?: string; leaseDurationMs?: number; renewDeadlineMs?: number; retryPeriodMs?: number };
}

export interface RunningScheduler {
  /** Resolves once the scheduler first runs (or stop was called). */
  readonly ready: Promise<void>;
  /** The scheduler of the current term, while leading. */
  current(): Scheduler | undefined;
  stop(): Promise<void>;
}

/**
 * k3s's --kube-scheduler-arg key=value pairs: `config=<KubeSchedulerConfiguration file>` and
 * `leader-elect=true|false`. Throws on anything else, before the server starts.
 */
export function schedulerArgs(args: Record<string, string>): SchedulerRunOptions {
  const opts: SchedulerRunOptions = {};
  for (const [key, value] of Object.entries(args)) {
    if (key === "config") {
      const c = loadSchedulerConfig(value);
      Object.assign(opts, { profiles: c.profiles, podInitialBackoffMs: c.podInitialBackoffMs, podMaxBackoffMs: c.podMaxBackoffMs });
      if (c.leaderElect !== undefined && opts.leaderElect === undefined) opts.leaderElect = c.leaderElect;
    } else if (key === "leader-elect") {
      if (value !== "true" && value !== "false") throw new Error(`--kube-scheduler-arg leader-elect=${value}: want true or false`);
      opts.leaderElect = value === "true";
    } else throw new Error(`unsupported --kube-scheduler-arg "${key}=${value}" (supported: config=<file>, leader-elect=true|false)`);
  }
  return opts;
}

/** One term: fresh informers, an events recorder and a scheduler, stopped together. */
async function startTerm(client: Client, log: Logger, opts: SchedulerRunOptions): Promise<{ scheduler: Scheduler; stop(): Promise<void> }> {
  const informers = new SharedInformerFactory(client, log.child("informers"));
  const events = new SeriesBroadcaster(client, { host: hostname(), log: log.child("events") });
  const scheduler = new Scheduler(client, {
    profiles: opts.profiles,
    informers,
    recorder: (name) => events.recorder(name),
    log,
    podInitialBackoffMs: opts.podInitialBackoffMs,
    podMaxBackoffMs: opts.podMaxBackoffMs,
  });
  await scheduler.start();
  return {
    scheduler,
    async stop() {
      await scheduler.stop();
      informers.stop();
      events.stop();
    },
  };
}

export function startScheduler(client: Client, log: Logger, opts: SchedulerRunOptions = {}): RunningScheduler {
  const ready = Promise.withResolvers<void>();
  let term: { scheduler: Scheduler; stop(): Promise<void> } | undefined;
  let starting: Promise<void> | undefined;
  const begin = () => {
    starting = startTerm(client, log, opts).then(
      (t) => {
        term = t;
        ready.resolve();
      },
      (err: unknown) => log.error("scheduler failed to start", { err }),
    );
    return starting;
  };
  if (opts.leaderElect === false) {
    void begin();
    return {
      ready: ready.promise,
      current: () => term?.scheduler,
      async stop() {
        await starting;
        await term?.stop();
        ready.resolve();
      },
    };
  }
  const le = opts.leaderElection ?? {};
  const elector = new LeaderElector({
    client,
    namespace: "kube-system",
    name: "kube-scheduler",
    identity: le.identity ?? `${hostname()}_${crypto.randomUUID()}`,
    leaseDurationMs: le.leaseDurationMs,
    renewDeadlineMs: le.renewDeadlineMs,
    retryPeriodMs: le.retryPeriodMs,
    log: log.child("leaderelection"),
    onStartedLeading: () => {
      void begin();
    },
    onStoppedLeading: async () => {
      await starting;
      await term?.stop();
      term = undefined;
    },
    onNewLeader: (id) => log.info("new scheduler leader", { identity: id }),
  });
  elector.start();
  return {
    ready: ready.promise,
    current: () => term?.scheduler,
    async stop() {
      await elector.stop();
      ready.resolve();
    },
  };
}
