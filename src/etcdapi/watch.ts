/**
 * The Watch service: one bidirectional stream carries any number of watches, each fed by a store
 * watch. etcd's stream semantics are kept: the first response of a watch has created=true and
 * its id (auto ids count from 0 per stream); a start revision that was compacted away gets
 * {compact_revision, canceled}; a cancel gets {canceled}; a progress request gets one response
 * with watch_id -1 once every watch on the stream has delivered everything up to its revision.
 * Sending waits for the client to read (HTTP/2 backpressure); meanwhile the store catches the
 * watch up from its log, so a slow reader costs no memory here and loses no events.
 */
import type { Watch, WatchEvent } from "../store/index.ts";
import { CompactedError, keyToBytes } from "../store/index.ts";
import type { EtcdContext } from "./context.ts";
import type * as M from "./proto/messages.ts";
import type { Wire } from "./proto/messages.ts";
import type { StreamCall } from "./grpc/call.ts";
import type { BidiHandlers, Method } from "./grpc/server.ts";
import { MAX_REQUEST_BYTES } from "./context.ts";
import { keyOf, kvToPb, rangeEndOf } from "./convert.ts";
import { bidi } from "./grpc/server.ts";
import { EventType, FilterType } from "./proto/messages.ts";

/** How often an idle watch that asked for progress_notify gets an empty response. */
export const DEFAULT_PROGRESS_NOTIFY_MS = 5_000;
/** etcd's clientv3 InvalidWatchID: a response that concerns every watch on the stream. */
const ALL_WATCHES = -1;

export function watchMethods(ctx: EtcdContext, progressNotifyMs = DEFAULT_PROGRESS_NOTIFY_MS): Array<[string, Method]> {
  const c = ctx.codecs;
  return [["/etcdserverpb.Watch/Watch", bidi(c.WatchRequest, c.WatchResponse, (call) => new WatchStream(ctx, call, progressNotifyMs))]];
}

type Response = Wire<M.WatchResponse>;

interface ActiveWatch {
  readonly id: number;
  readonly store: Watch;
  readonly prevKv: boolean;
  readonly noPut: boolean;
  readonly noDelete: boolean;
  readonly progressNotify: boolean;
  readonly fragment: boolean;
  canceled: boolean;
  /** When a response for this watch last went out (progress_notify only fires when idle). */
  lastSent: number;
  /** A progress_notify tick asked the store for a progress batch. */
  notifyPending: boolean;
}

/** An outstanding WatchProgressRequest: the watches still to report, and the lowest revision so far. */
interface ProgressRound {
  waiting: Set<ActiveWatch>;
  revision: number;
}

class WatchStream implements BidiHandlers<M.WatchRequest> {
  private readonly watches = new Map<number, ActiveWatch>();
  private nextId = 0;
  private rounds: ProgressRound[] = [];
  private ticker: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly ctx: EtcdContext,
    private readonly call: StreamCall<Response>,
    private readonly progressNotifyMs: number,
  ) {
    call.onClose(() => this.closeAll());
  }

  message(req: M.WatchRequest): void {
    if (req.create_request) this.create(req.create_request);
    else if (req.cancel_request) this.cancel(req.cancel_request.watch_id);
    else if (req.progress_request) this.requestProgress();
  }

  // ---- create / cancel ----

  private create(req: M.WatchCreateRequest): void {
    // etcd: an empty key means the smallest key, "\0".
    const key = req.key.length === 0 ? "\0" : keyOf(req.key);
    const end = rangeEndOf(req.range_end);
    const problem = this.checkCreate(req, key, end);
    if (problem) {
      this.send({ header: this.ctx.header(), watch_id: ALL_WATCHES, created: true, canceled: true, cancel_reason: problem });
      return;
    }
    const id = req.watch_id !== 0 ? req.watch_id : this.autoId();
    const store = this.ctx.backend.watch({ key, end, startRevision: req.start_revision, prevKv: req.prev_kv });
    const w: ActiveWatch = {
      id,
      store,
      prevKv: req.prev_kv,
      noPut: req.filters.includes(FilterType.NOPUT),
      noDelete: req.filters.includes(FilterType.NODELETE),
      progressNotify: req.progress_notify,
      fragment: req.fragment,
      canceled: false,
      lastSent: Date.now(),
      notifyPending: false,
    };
    this.watches.set(id, w);
    // The created response goes out before the pump can send anything for this watch.
    this.send({ header: this.ctx.header(), watch_id: id, created: true });
    if (w.progressNotify) this.startTicker();
    void this.pump(w);
  }

  /** etcd's reasons to refuse a watch, as the text its created+canceled response carries. */
  private checkCreate(req: M.WatchCreateRequest, key: string, end: string | undefined): string | undefined {
    if (req.watch_id !== 0 && this.watches.has(req.watch_id)) return "mvcc: duplicate watch ID provided on the WatchStream";
    if (end !== undefined && end !== "\0" && key >= end) return "mvcc: watcher range is empty";
    return undefined;
  }

  private autoId(): number {
    while (this.watches.has(this.nextId)) this.nextId++;
    return this.nextId++;
  }

  private cancel(id: number): void {
    const w = this.watches.get(id);
    if (!w) return; // etcd says nothing about unknown ids.
    this.remove(w);
    this.send({ header: this.ctx.header(), watch_id: id, canceled: true });
  }

  private remove(w: ActiveWatch): void {
    if (w.canceled) return;
    w.canceled = true;
    w.store.close();
    this.watches.delete(w.id);
    for (const round of [...this.rounds]) {
      if (round.waiting.delete(w)) this.maybeFinishRound(round);
    }
  }

  private closeAll(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
    for (const w of [...this.watches.values()]) this.remove(w);
    this.rounds = [];
  }

  // ---- delivery ----

  /** Forwards one store watch to the stream until it is canceled, compacted away, or the call ends. */
  private async pump(w: ActiveWatch): Promise<void> {
    try {
      for await (const batch of w.store) {
        if (w.canceled || !this.call.active) break;
        if (batch.events.length === 0) {
          this.onProgress(w, batch.revision);
          continue;
        }
        const events = batch.events.filter((ev) => !(ev.type === "put" ? w.noPut : w.noDelete));
        // Like etcd: a batch whose events were all filtered out sends nothing.
        if (events.length > 0) await this.sendEvents(w, batch.revision, events);
      }
    } catch (err) {
      if (w.canceled || !this.call.active) return;
      if (err instanceof CompactedError) {
        this.send({ header: this.ctx.header(), watch_id: w.id, compact_revision: err.compactRevision, canceled: true });
      } else {
        this.ctx.log.warn("watch failed", { watchId: w.id, err });
        this.send({ header: this.ctx.header(), watch_id: w.id, canceled: true, cancel_reason: err instanceof Error ? err.message : String(err) });
      }
      this.remove(w);
    }
  }

  private async sendEvents(w: ActiveWatch, revision: number, events: WatchEvent[]): Promise<void> {
    const header = this.ctx.header(revision);
    const parts = w.fragment ? fragments(events) : [events];
    for (let i = 0; i < parts.length; i++) {
      if (w.canceled) return;
      const fragment = i < parts.length - 1;
      const ok = this.send({ header, watch_id: w.id, events: parts[i]!.map((ev) => eventToPb(ev, w.prevKv)), fragment });
      w.lastSent = Date.now();
      if (!ok) await this.call.drained();
    }
  }

  private send(res: Response): boolean {
    return this.call.send(res);
  }

  // ---- progress ----

  /** A progress batch from the store: every change up to `revision` has been delivered for `w`. */
  private onProgress(w: ActiveWatch, revision: number): void {
    if (w.notifyPending) {
      w.notifyPending = false;
      w.lastSent = Date.now();
      this.send({ header: this.ctx.header(revision), watch_id: w.id });
    }
    for (const round of [...this.rounds]) {
      if (!round.waiting.delete(w)) continue;
      round.revision = Math.min(round.revision, revision);
      this.maybeFinishRound(round);
    }
  }

  /** WatchProgressRequest: answered once all current watches are caught up, at the lowest revision. */
  private requestProgress(): void {
    const waiting = new Set(this.watches.values());
    const round: ProgressRound = { waiting, revision: this.ctx.backend.currentRevision() };
    if (waiting.size === 0) {
      this.maybeFinishRound(round);
      return;
    }
    this.rounds.push(round);
    for (const w of waiting) w.store.requestProgress();
  }

  private maybeFinishRound(round: ProgressRound): void {
    if (round.waiting.size > 0) return;
    this.rounds = this.rounds.filter((r) => r !== round);
    this.send({ header: this.ctx.header(round.revision), watch_id: ALL_WATCHES });
  }

  /** One timer per stream drives progress_notify for all its watches that asked for it. */
  private startTicker(): void {
    if (this.ticker) return;
    this.ticker = setInterval(() => this.tick(), Math.max(10, Math.floor(this.progressNotifyMs / 2)));
    this.ticker.unref?.();
  }

  private tick(): void {
    const idleSince = Date.now() - this.progressNotifyMs;
    for (const w of this.watches.values()) {
      if (!w.progressNotify || w.notifyPending || w.lastSent > idleSince) continue;
      w.notifyPending = true;
      w.store.requestProgress();
    }
  }
}

function eventToPb(ev: WatchEvent, withPrev: boolean): Wire<M.Event> {
  const kv = ev.type === "put" ? kvToPb(ev.kv) : { key: keyToBytes(ev.kv.key), mod_revision: ev.kv.modRevision };
  return {
    type: ev.type === "put" ? EventType.PUT : EventType.DELETE,
    kv,
    prev_kv: withPrev && ev.prevKv ? kvToPb(ev.prevKv) : null,
  };
}

/** Splits events into responses of at most about etcd's request limit each (fragment=true watches). */
function fragments(events: WatchEvent[]): WatchEvent[][] {
  const parts: WatchEvent[][] = [];
  let current: WatchEvent[] = [];
  let size = 0;
  for (const ev of events) {
    const evSize = ev.kv.key.length + ev.kv.value.byteLength + (ev.prevKv ? ev.prevKv.key.length + ev.prevKv.value.byteLength : 0) + 64;
    if (current.length > 0 && size + evSize > MAX_REQUEST_BYTES) {
      parts.push(current);
      current = [];
      size = 0;
    }
    current.push(ev);
    size += evSize;
  }
  parts.push(current);
  return parts;
}
