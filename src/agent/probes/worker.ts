/**
 * Probe workers for one running container instance, with the kubelet's semantics: every probe
 * waits initialDelaySeconds, then runs each periodSeconds within timeoutSeconds; a result counts
 * once it repeats successThreshold/failureThreshold times. Readiness starts false, liveness true,
 * startup unknown; liveness and readiness wait for the startup probe; a failed liveness or startup
 * probe holds the worker until the container is replaced. Every failed run is reported
 * (upstream's Unhealthy event) and every change of a result wakes the pod worker.
 */
import type { Container, Probe } from "../runtime/index.ts";
import { runHandler, type ProbeTarget } from "./run.ts";

export type ProbeKind = "liveness" | "readiness" | "startup";

const TITLE: Record<ProbeKind, string> = { liveness: "Liveness", readiness: "Readiness", startup: "Startup" };

export interface ProbeHooks {
  /** A result changed (readiness, started, or a liveness/startup failure). */
  changed(): void;
  /** An event to record on the container (Unhealthy, ProbeWarning). */
  event(type: "Normal" | "Warning", reason: string, message: string): void;
}

class Worker {
  result: boolean | undefined;
  private lastRun: boolean | undefined;
  private run = 0;
  private onHold = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    readonly kind: ProbeKind,
    private readonly probe: Probe,
    private readonly owner: ContainerProbes,
    initial: boolean | undefined,
  ) {
    this.result = initial;
  }

  start(): void {
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    const period = Math.max(1, this.probe.periodSeconds ?? 10) * 1000;
    try {
      await this.doProbe();
    } finally {
      this.schedule(period);
    }
  }

  private async doProbe(): Promise<void> {
    if (this.onHold) return;
    const sinceStart = (Date.now() - this.owner.startedAtMs) / 1000;
    if (sinceStart < (this.probe.initialDelaySeconds ?? 0)) return;
    if (this.kind === "startup" ? this.owner.started : !this.owner.started) return;
    const timeoutMs = Math.max(1, this.probe.timeoutSeconds ?? 1) * 1000;
    let ok: boolean;
    try {
      const r = await runHandler(this.probe, this.owner.target, timeoutMs);
      if (this.stopped) return;
      ok = r.ok;
      if (!r.ok) this.owner.hooks.event("Warning", "Unhealthy", `${TITLE[this.kind]} probe failed: ${r.output.trim()}`);
      else if (r.warning) this.owner.hooks.event("Warning", "ProbeWarning", `${TITLE[this.kind]} probe warning: ${r.warning}`);
    } catch (err) {
      if (this.stopped) return;
      this.owner.hooks.event("Warning", "Unhealthy", `${TITLE[this.kind]} probe errored: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (this.lastRun === ok) this.run++;
    else {
      this.lastRun = ok;
      this.run = 1;
    }
    const threshold = ok ? (this.probe.successThreshold ?? 1) : (this.probe.failureThreshold ?? 3);
    if (this.run < threshold) return;
    const changed = this.result !== ok;
    this.result = ok;
    if (!ok && this.kind !== "readiness") {
      this.onHold = true;
      this.run = 0;
    }
    if (changed || (!ok && this.kind !== "readiness")) this.owner.hooks.changed();
  }
}

/** The probes of one container instance (by container ID). */
export class ContainerProbes {
  private readonly workers = new Map<ProbeKind, Worker>();

  constructor(
    readonly containerId: string,
    readonly startedAtMs: number,
    readonly target: ProbeTarget,
    readonly hooks: ProbeHooks,
    spec: Container,
  ) {
    const add = (kind: ProbeKind, probe: Probe | undefined, initial: boolean | undefined) => {
      if (probe) this.workers.set(kind, new Worker(kind, probe, this, initial));
    };
    add("startup", spec.startupProbe, undefined);
    add("liveness", spec.livenessProbe, true);
    add("readiness", spec.readinessProbe, false);
    for (const w of this.workers.values()) w.start();
  }

  /** True once the startup probe succeeded (or when there is none). */
  get started(): boolean {
    const w = this.workers.get("startup");
    return !w || w.result === true;
  }

  /** Started and (without a readiness probe, or) its readiness probe succeeds. */
  get ready(): boolean {
    if (!this.started) return false;
    const w = this.workers.get("readiness");
    return !w || w.result === true;
  }

  /** Why the container must be restarted, if a liveness or startup probe failed. */
  get failure(): { kind: ProbeKind; probe: Probe } | undefined {
    for (const kind of ["startup", "liveness"] as const) {
      const w = this.workers.get(kind);
      if (w?.result === false) return { kind, probe: kind === "startup" ? this.target.container.startupProbe! : this.target.container.livenessProbe! };
    }
    return undefined;
  }

  stop(): void {
    for (const w of this.workers.values()) w.stop();
  }
}
