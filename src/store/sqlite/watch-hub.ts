import type { Watch, WatchBatch, WatchEvent, WatchOptions } from "../types.ts";
import type { Statements } from "./statements.ts";
import { CompactedError } from "../errors.ts";
import { inRange } from "../keys.ts";
import { readEvents } from "./reads.ts";

export interface HubSource {
  readonly st: Statements;
  currentRevision(): number;
  compactRevision(): number;
}

/** Events a live watcher may hold unread before it is switched to reading from the log. */
export const DEFAULT_MAX_QUEUED = 10_000;
/** Rows read from the log per catch-up step. */
const CATCH_UP_ROWS = 1000;

/**
 * In-process watch fan-out. Commits are pushed to every live ("synced") watcher at once: no
 * polling. A watcher that starts in the past, or whose unread queue overflows because its
 * consumer is slow, becomes "unsynced" and reads its missed events back from the revision log,
 * then rejoins the live stream. Nothing is dropped; only a position that compaction has removed
 * ends a watch, with CompactedError.
 */
export class WatchHub {
  private readonly watchers = new Set<HubWatcher>();
  private nextId = 1;

  constructor(
    private readonly source: HubSource,
    private readonly maxQueued = DEFAULT_MAX_QUEUED,
  ) {}

  get size(): number {
    return this.watchers.size;
  }

  open(opts: WatchOptions): Watch {
    const current = this.source.currentRevision();
    const start = opts.startRevision && opts.startRevision > 0 ? opts.startRevision : current + 1;
    const w = new HubWatcher(this.nextId++, opts, start, start > current, this);
    this.watchers.add(w);
    return w;
  }

  publish(events: WatchEvent[]): void {
    for (const w of this.watchers) if (w.synced) w.offer(events);
  }

  closeAll(): void {
    for (const w of [...this.watchers]) w.close();
  }

  /** @internal */
  remove(w: HubWatcher): void {
    this.watchers.delete(w);
  }

  /** @internal */
  get src(): HubSource {
    return this.source;
  }

  /** @internal */
  get queueLimit(): number {
    return this.maxQueued;
  }
}

class HubWatcher implements Watch, AsyncIterator<WatchBatch> {
  private queue: WatchEvent[] = [];
  private wake: (() => void) | undefined;
  private closed = false;
  private progressWanted = false;

  constructor(
    readonly id: number,
    private readonly opts: WatchOptions,
    /** Next revision this watcher has to deliver. */
    private cursor: number,
    /** False while the watcher reads its backlog from the log instead of the live stream. */
    public synced: boolean,
    private readonly hub: WatchHub,
  ) {}

  offer(events: WatchEvent[]): void {
    const { key, end } = this.opts;
    const before = this.queue.length;
    for (const ev of events) {
      if (ev.kv.modRevision < this.cursor || !inRange(ev.kv.key, key, end)) continue;
      this.queue.push(this.opts.prevKv || !ev.prevKv ? ev : { type: ev.type, kv: ev.kv });
    }
    // Most commits concern none of a watcher's keys: waking its consumer for nothing would cost
    // every watcher a promise round per commit.
    if (this.queue.length === before) return;
    if (this.queue.length > this.hub.queueLimit) {
      // The consumer is too slow: forget the queue and re-read it from the log later.
      this.cursor = this.queue[0]!.kv.modRevision;
      this.queue = [];
      this.synced = false;
    }
    this.notify();
  }

  requestProgress(): void {
    this.progressWanted = true;
    this.notify();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.hub.remove(this);
    this.notify();
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchBatch> {
    return this;
  }

  async next(): Promise<IteratorResult<WatchBatch>> {
    for (;;) {
      if (this.closed) return { done: true, value: undefined };
      if (this.queue.length > 0) return { done: false, value: this.takeQueue() };
      if (!this.synced) {
        const batch = this.catchUp();
        if (batch) return { done: false, value: batch };
        continue;
      }
      if (this.progressWanted) {
        this.progressWanted = false;
        return { done: false, value: { revision: this.hub.src.currentRevision(), events: [] } };
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  async return(): Promise<IteratorResult<WatchBatch>> {
    this.close();
    return { done: true, value: undefined };
  }

  private takeQueue(): WatchBatch {
    const events = this.queue;
    this.queue = [];
    this.cursor = events[events.length - 1]!.kv.modRevision + 1;
    return { revision: this.hub.src.currentRevision(), events };
  }

  /** One step of reading the backlog from the log; joins the live stream once at the head. */
  private catchUp(): WatchBatch | undefined {
    const src = this.hub.src;
    const current = src.currentRevision();
    const compacted = src.compactRevision();
    if (this.cursor < compacted) {
      const err = new CompactedError(this.cursor, compacted);
      this.close();
      throw err;
    }
    if (this.cursor > current) {
      this.synced = true;
      return undefined;
    }
    const { events, through } = readEvents(src.st, this.opts, this.cursor, current, CATCH_UP_ROWS, this.opts.prevKv === true);
    this.cursor = through + 1;
    if (through >= current) this.synced = true;
    return events.length > 0 ? { revision: through, events } : undefined;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
