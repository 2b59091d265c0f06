/**
 * The scheduling queue (upstream's PriorityQueue): activeQ holds pods ready to be tried, highest
 * priority first and then oldest (PrioritySort); backoffQ holds pods waiting out their backoff
 * (1 s doubling to 10 s per attempt); unschedulable pods wait for a cluster event that may help
 * them — one registered by a plugin that rejected them — or for 5 minutes. Pods held by a
 * PreEnqueue plugin (scheduling gates) wait among the unschedulable until they change.
 */
import type { ClusterEvent } from "./framework.ts";
import { Heap } from "./heap.ts";
import type { PodInfo } from "./pod-info.ts";
import type { Result } from "./status.ts";

export const INITIAL_BACKOFF_MS = 1000;
export const MAX_BACKOFF_MS = 10_000;
export const MAX_UNSCHEDULABLE_MS = 5 * 60_000;

export interface QueuedPod {
  info: PodInfo;
  /** When the pod was added or last re-queued (PrioritySort's tie-break and the backoff's start). */
  timestamp: number;
  attempts: number;
  /** Plugins that rejected the pod in its last attempt. */
  unschedulablePlugins: Set<string>;
  /** The PreEnqueue plugin holding the pod back, if any. */
  gatedBy: string;
  /** The queue's move counter when the pod was popped (events since then requeue it at once). */
  poppedAtMove: number;
}

type Where = "active" | "backoff" | "unschedulable" | "inflight";

interface Entry {
  qp: QueuedPod;
  where: Where;
  seq: number;
}

interface HeapItem {
  uid: string;
  seq: number;
  qp: QueuedPod;
  at: number;
}

export interface QueueOptions {
  now?: () => number;
  /** PreEnqueue checks (SchedulingGates); a non-null result holds the pod back. */
  preEnqueue?: (pod: PodInfo) => { plugin: string; status: Result } | undefined;
  /** Which plugins care about an event. */
  pluginsFor(event: ClusterEvent): Set<string>;
  /** KubeSchedulerConfiguration's podInitialBackoffSeconds / podMaxBackoffSeconds, in ms (1 s / 10 s). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

export class SchedulingQueue {
  private readonly entries = new Map<string, Entry>();
  /** The unschedulable entries alone, so cluster events do not scan the whole queue. */
  private readonly unschedulable = new Map<string, Entry>();
  private readonly active: Heap<HeapItem>;
  private readonly backoff: Heap<HeapItem>;
  private seq = 0;
  private moves = 0;
  private waiters: Array<(qp: QueuedPod | undefined) => void> = [];
  private closed = false;
  private readonly timers: Array<ReturnType<typeof setInterval>> = [];
  private readonly now: () => number;
  schedulingCycle = 0;

  constructor(private readonly opts: QueueOptions) {
    this.now = opts.now ?? Date.now;
    const live = (where: Where) => (item: HeapItem) => {
      const e = this.entries.get(item.uid);
      return e !== undefined && e.where === where && e.seq === item.seq;
    };
    this.active = new Heap<HeapItem>((a, b) => {
      const pa = a.qp.info.priority;
      const pb = b.qp.info.priority;
      return pa !== pb ? pa > pb : a.qp.timestamp < b.qp.timestamp;
    }, live("active"));
    this.backoff = new Heap<HeapItem>((a, b) => a.at < b.at, live("backoff"));
  }

  /** Starts the periodic flushes (backoff every second, long-unschedulable pods every 30 s). */
  run(): void {
    this.timers.push(setInterval(() => this.flushBackoff(), Math.min(1000, this.opts.initialBackoffMs ?? INITIAL_BACKOFF_MS)));
    this.timers.push(setInterval(() => this.flushUnschedulable(), 30_000));
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Counts per place, for tests and logs. */
  counts(): Record<Where, number> {
    const c: Record<Where, number> = { active: 0, backoff: 0, unschedulable: 0, inflight: 0 };
    for (const e of this.entries.values()) c[e.where]++;
    return c;
  }

  has(uid: string): boolean {
    return this.entries.has(uid);
  }

  /** The queued pod with this name (tests and debugging). */
  queuedFor(name: string): QueuedPod | undefined {
    for (const e of this.entries.values()) if (e.qp.info.name === name) return e.qp;
    return undefined;
  }

  // ---------------------------------------------------------------- adding

  /** A new pending pod. */
  add(info: PodInfo): void {
    if (this.entries.has(info.uid)) return this.update(info);
    const qp: QueuedPod = { info, timestamp: this.now(), attempts: 0, unschedulablePlugins: new Set(), gatedBy: "", poppedAtMove: 0 };
    this.enqueueActiveOrGated(qp);
  }

  /** The pending pod changed; an unschedulable pod whose spec or labels changed is tried again. */
  update(info: PodInfo): void {
    const e = this.entries.get(info.uid);
    if (!e) return this.add(info);
    const oldPod = e.qp.info.pod;
    e.qp.info = info;
    if (e.where === "inflight") {
      // Its attempt may have used the old version: retry soon rather than wait for an event.
      e.qp.poppedAtMove = -1;
      return;
    }
    if (e.where === "active") return this.place(e.qp, "active");
    if (e.where === "backoff") return this.place(e.qp, "backoff");
    const changed = JSON.stringify(oldPod.spec) !== JSON.stringify(info.pod.spec) || JSON.stringify(oldPod.metadata?.labels) !== JSON.stringify(info.pod.metadata?.labels);
    if (e.qp.gatedBy) {
      this.delete(info.uid);
      this.enqueueActiveOrGated(e.qp);
    } else if (changed) this.place(e.qp, this.backingOff(e.qp) ? "backoff" : "active");
  }

  delete(uid: string): void {
    this.entries.delete(uid);
    this.unschedulable.delete(uid);
  }

  private enqueueActiveOrGated(qp: QueuedPod): void {
    const held = this.opts.preEnqueue?.(qp.info);
    if (held) {
      qp.gatedBy = held.plugin;
      this.place(qp, "unschedulable");
    } else {
      qp.gatedBy = "";
      this.place(qp, "active");
    }
  }

  private place(qp: QueuedPod, where: Where): void {
    const seq = ++this.seq;
    const entry = { qp, where, seq };
    this.entries.set(qp.info.uid, entry);
    if (where === "unschedulable") this.unschedulable.set(qp.info.uid, entry);
    else this.unschedulable.delete(qp.info.uid);
    if (where === "active") {
      this.active.push({ uid: qp.info.uid, seq, qp, at: 0 });
      this.wake();
    } else if (where === "backoff") this.backoff.push({ uid: qp.info.uid, seq, qp, at: qp.timestamp + this.backoffFor(qp) });
  }

  private wake(): void {
    while (this.waiters.length > 0) {
      const next = this.popNow();
      if (!next) return;
      this.waiters.shift()!(next);
    }
  }

  // ---------------------------------------------------------------- popping

  /** The next pod to schedule, without waiting; it stays "in flight" until done(). */
  popNow(): QueuedPod | undefined {
    const item = this.active.pop();
    if (!item) return undefined;
    const e = this.entries.get(item.uid)!;
    e.where = "inflight";
    e.seq = ++this.seq;
    item.qp.attempts++;
    item.qp.poppedAtMove = this.moves;
    this.schedulingCycle++;
    return item.qp;
  }

  /** Waits for the next pod; undefined once closed. */
  pop(): Promise<QueuedPod | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    const qp = this.popNow();
    if (qp) return Promise.resolve(qp);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The pod's attempt is over and it was bound (or dropped). */
  done(uid: string): void {
    const e = this.entries.get(uid);
    if (e?.where === "inflight") this.entries.delete(uid);
  }

  /**
   * A failed attempt: rejected pods wait among the unschedulable unless a cluster event arrived
   * during the attempt; pods that failed for another reason (an error) back off and retry.
   */
  requeueFailed(qp: QueuedPod, rejectedBy: Set<string>): void {
    const e = this.entries.get(qp.info.uid);
    if (!e || e.where !== "inflight") return;
    qp.unschedulablePlugins = rejectedBy;
    qp.timestamp = this.now();
    const eventSince = qp.poppedAtMove < 0 || this.moves > qp.poppedAtMove;
    if (rejectedBy.size === 0 || eventSince) this.place(qp, "backoff");
    else this.place(qp, "unschedulable");
  }

  // ---------------------------------------------------------------- moving

  private backingOff(qp: QueuedPod): boolean {
    return qp.timestamp + this.backoffFor(qp) > this.now();
  }

  private backoffFor(qp: QueuedPod): number {
    return backoffMs(qp.attempts, this.opts.initialBackoffMs, this.opts.maxBackoffMs);
  }

  /** A cluster event: unschedulable pods rejected by a plugin that cares about it become schedulable again. */
  moveOnEvent(event: ClusterEvent, filter?: (qp: QueuedPod) => boolean): void {
    this.moves++;
    if (this.unschedulable.size === 0) return;
    const plugins = this.opts.pluginsFor(event);
    let moved = false;
    for (const e of [...this.unschedulable.values()]) {
      if (e.qp.gatedBy) continue;
      const qp = e.qp;
      const interested = event === "WildCard" || qp.unschedulablePlugins.size === 0 || [...qp.unschedulablePlugins].some((p) => plugins.has(p));
      if (!interested || (filter && !filter(qp))) continue;
      this.place(qp, this.backingOff(qp) ? "backoff" : "active");
      moved = true;
    }
    if (moved) this.wake();
  }

  /** Moves pods whose backoff is over to activeQ. */
  flushBackoff(): void {
    const now = this.now();
    for (;;) {
      const top = this.backoff.peek();
      if (!top || top.at > now) break;
      this.backoff.pop();
      this.place(top.qp, "active");
    }
  }

  /** Pods unschedulable for over 5 minutes are tried again whatever happened. */
  flushUnschedulable(): void {
    const now = this.now();
    for (const e of [...this.unschedulable.values()]) {
      if (e.qp.gatedBy) continue;
      if (now - e.qp.timestamp > MAX_UNSCHEDULABLE_MS) this.place(e.qp, this.backingOff(e.qp) ? "backoff" : "active");
    }
  }

  /** Pods waiting in the queue (not in flight). */
  pending(): PodInfo[] {
    return [...this.entries.values()].filter((e) => e.where !== "inflight").map((e) => e.qp.info);
  }
}

/** 1 s doubling per attempt, at most 10 s (upstream's podInitialBackoffDuration / podMaxBackoffDuration). */
export function backoffMs(attempts: number, initial = INITIAL_BACKOFF_MS, max = MAX_BACKOFF_MS): number {
  let d = initial;
  for (let i = 1; i < attempts; i++) {
    d *= 2;
    if (d > max) return max;
  }
  return d;
}
