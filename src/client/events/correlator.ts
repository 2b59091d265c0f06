/**
 * What happens to an event before it is written (client-go's EventCorrelator), so a controller
 * that says the same thing every second does not flood the store:
 *   - spam filter: a source may say 25 things about one object, then one more every 5 minutes;
 *   - aggregation: the 10th event in 10 minutes that differs from earlier ones only by message
 *     becomes one "(combined from similar events): …" event, counted from then on;
 *   - deduplication: an event identical to an earlier one increments that event's count and
 *     lastTimestamp (a patch) instead of creating another.
 */
import type { CoreEvent } from "../../apiserver/resources/events/convert.ts";

const CACHE_ENTRIES = 4096;
const AGGREGATE_MAX_EVENTS = 10;
const AGGREGATE_INTERVAL_MS = 600_000;
const SPAM_BURST = 25;
const SPAM_PER_SECOND = 1 / 300;

/** A map that forgets its least recently used entries beyond a size (groupcache's lru). */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly size: number) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, v: V): void {
    this.map.delete(key);
    this.map.set(key, v);
    if (this.map.size > this.size) this.map.delete(this.map.keys().next().value!);
  }
}

function objectPart(e: CoreEvent): string[] {
  const o = e.involvedObject;
  return [e.source?.component ?? "", e.source?.host ?? "", o.kind ?? "", o.namespace ?? "", o.name ?? ""];
}

/** Identical events: same source, object, type, reason and message. */
function eventKey(e: CoreEvent): string {
  const o = e.involvedObject;
  return [...objectPart(e), o.fieldPath ?? "", o.uid ?? "", o.apiVersion ?? "", e.type ?? "", e.reason ?? "", e.message ?? ""].join("\u0000");
}

function spamKey(e: CoreEvent): string {
  const o = e.involvedObject;
  return [...objectPart(e), o.uid ?? "", o.apiVersion ?? ""].join("\u0000");
}

/** Similar events: as identical, except the message. */
function aggregateKey(e: CoreEvent): string {
  const o = e.involvedObject;
  return [...objectPart(e), o.uid ?? "", o.apiVersion ?? "", e.type ?? "", e.reason ?? "", e.reportingComponent ?? "", e.reportingInstance ?? ""].join("\u0000");
}

interface Bucket {
  tokens: number;
  at: number;
}

interface Aggregate {
  messages: Set<string>;
  last: number;
}

interface Observation {
  count: number;
  firstTimestamp: string;
  name: string;
}

export interface Correlation {
  /** The event to write: created when `patch` is undefined, else patched (by name). */
  event: CoreEvent;
  patch?: { count: number; lastTimestamp: string; message: string };
  /** Dropped by the spam filter. */
  skip: boolean;
}

export class EventCorrelator {
  private readonly spam = new Lru<Bucket>(CACHE_ENTRIES);
  private readonly aggregates = new Lru<Aggregate>(CACHE_ENTRIES);
  private readonly observed = new Lru<Observation>(CACHE_ENTRIES);

  constructor(private readonly now: () => number = Date.now) {}

  correlate(input: CoreEvent): Correlation {
    if (this.filtered(input)) return { event: input, skip: true };
    const { event, key } = this.aggregate(input);
    const seen = this.observed.get(key);
    if (!seen) {
      this.observed.set(key, { count: event.count ?? 1, firstTimestamp: event.firstTimestamp ?? "", name: event.metadata?.name ?? "" });
      return { event, skip: false };
    }
    const count = seen.count + 1;
    const next: CoreEvent = { ...event, metadata: { ...event.metadata, name: seen.name }, firstTimestamp: seen.firstTimestamp, count };
    this.observed.set(key, { ...seen, count });
    return { event: next, patch: { count, lastTimestamp: event.lastTimestamp ?? "", message: event.message ?? "" }, skip: false };
  }

  /** After a write: the server's copy is what later duplicates count from (its name, its count). */
  written(event: CoreEvent): void {
    this.observed.set(eventKey(event), { count: event.count ?? 1, firstTimestamp: event.firstTimestamp ?? "", name: event.metadata?.name ?? "" });
  }

  private filtered(e: CoreEvent): boolean {
    const key = spamKey(e);
    const t = this.now();
    const b = this.spam.get(key) ?? { tokens: SPAM_BURST, at: t };
    b.tokens = Math.min(SPAM_BURST, b.tokens + ((t - b.at) / 1000) * SPAM_PER_SECOND);
    b.at = t;
    const allowed = b.tokens >= 1;
    if (allowed) b.tokens -= 1;
    this.spam.set(key, b);
    return !allowed;
  }

  private aggregate(e: CoreEvent): { event: CoreEvent; key: string } {
    const t = this.now();
    const akey = aggregateKey(e);
    let rec = this.aggregates.get(akey);
    if (!rec || t - rec.last > AGGREGATE_INTERVAL_MS) rec = { messages: new Set(), last: t };
    rec.messages.add(e.message ?? "");
    rec.last = t;
    this.aggregates.set(akey, rec);
    if (rec.messages.size < AGGREGATE_MAX_EVENTS) return { event: e, key: eventKey(e) };
    // Keep the set from growing past the threshold.
    rec.messages.delete(rec.messages.values().next().value!);
    const stamp = new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");
    const combined: CoreEvent = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: `${e.involvedObject.name}.${nanoHex(t)}`, namespace: e.metadata?.namespace },
      involvedObject: e.involvedObject,
      count: 1,
      firstTimestamp: stamp,
      lastTimestamp: stamp,
      message: `(combined from similar events): ${e.message ?? ""}`,
      type: e.type,
      reason: e.reason,
      source: e.source,
    };
    return { event: combined, key: akey };
  }
}

let sequence = 0;

/** The hex nanosecond stamp upstream appends to event names; a counter keeps names made in one ms apart. */
export function nanoHex(ms: number): string {
  sequence = (sequence + 1) % 1_000_000;
  return (BigInt(ms) * 1_000_000n + BigInt(sequence)).toString(16);
}
