/**
 * events.k8s.io/v1 events with series (client-go's tools/events, which the scheduler uses): the
 * first occurrence is created; an isomorphic one (same regarding, related, action, reason,
 * reporting controller and note) within the series window turns it into a series
 * {count: 2, lastObservedTime} written at once; later repeats only bump the series in memory, and
 * the series is written on a heartbeat and once more when it ends (no repeat for `finishMs`).
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { EventsV1EventWire } from "../../apiserver/resources/events/convert.ts";
import type { Logger } from "../../log/index.ts";
import type { Client, ResourceRef } from "../types.ts";
import type { EventType } from "./recorder.ts";
import { nanoHex } from "./correlator.ts";

export const EVENTS_V1: ResourceRef = { group: "events.k8s.io", version: "v1", resource: "events" };

export interface SeriesRecorder {
  /** Records `note` about `regarding` (and optionally `related`) for the reporting controller. */
  eventf(regarding: KubeObject, related: KubeObject | undefined, type: EventType, reason: string, action: string, note: string): void;
}

export interface SeriesBroadcasterOptions {
  /** reportingInstance: "<controller>-<host>" upstream. */
  host?: string;
  log?: Logger;
  now?: () => number;
  /** Series not repeated for this long are written a last time and forgotten (upstream: 6 min). */
  finishMs?: number;
  /** Every running series is written this often (upstream: 30 min). */
  heartbeatMs?: number;
}

interface Entry {
  event: EventsV1EventWire;
  /** Last time an occurrence came in. */
  lastSeen: number;
  /** The series count the server last saw. */
  writtenCount: number;
}

function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, "000Z");
}

function ref(obj: KubeObject) {
  const m = obj.metadata ?? {};
  return { apiVersion: obj.apiVersion, kind: obj.kind, namespace: m.namespace, name: m.name, uid: m.uid, resourceVersion: m.resourceVersion };
}

export class SeriesBroadcaster {
  private readonly cache = new Map<string, Entry>();
  private tail: Promise<void> = Promise.resolve();
  private readonly timer: ReturnType<typeof setInterval>;
  private lastHeartbeat: number;

  constructor(
    private readonly client: Client,
    private readonly opts: SeriesBroadcasterOptions = {},
  ) {
    this.lastHeartbeat = this.now();
    const tick = Math.min(opts.finishMs ?? 360_000, opts.heartbeatMs ?? 1_800_000);
    this.timer = setInterval(() => this.sweep(), tick);
    // Housekeeping only: it must not keep a process alive.
    (this.timer as { unref?: () => void }).unref?.();
  }

  recorder(controller: string): SeriesRecorder {
    return { eventf: (regarding, related, type, reason, action, note) => this.record(controller, regarding, related, type, reason, action, note) };
  }

  flush(): Promise<void> {
    return this.tail;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private record(controller: string, regarding: KubeObject, related: KubeObject | undefined, type: EventType, reason: string, action: string, note: string): void {
    const now = this.now();
    const key = JSON.stringify([controller, action, reason, ref(regarding), related ? ref(related) : null, note]);
    const held = this.cache.get(key);
    if (held) {
      held.lastSeen = now;
      const series = held.event.series;
      if (series) {
        series.count = (series.count ?? 1) + 1;
        series.lastObservedTime = microTime(now) as unknown as Date & string;
        return;
      }
      held.event.series = { count: 2, lastObservedTime: microTime(now) } as unknown as EventsV1EventWire["series"];
      this.enqueue(held);
      return;
    }
    const ns = regarding.metadata?.namespace || "default";
    const event: EventsV1EventWire = {
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      metadata: { name: `${regarding.metadata?.name}.${nanoHex(now)}`, namespace: ns },
      eventTime: microTime(now),
      reportingController: controller,
      reportingInstance: `${controller}-${this.opts.host ?? ""}`,
      action,
      reason,
      regarding: ref(regarding),
      ...(related ? { related: ref(related) } : {}),
      note,
      type,
    };
    const entry: Entry = { event, lastSeen: now, writtenCount: 0 };
    this.cache.set(key, entry);
    this.enqueue(entry);
  }

  private enqueue(entry: Entry): void {
    const snapshot = structuredClone(entry.event);
    this.tail = this.tail.then(() => this.write(entry, snapshot));
  }

  private async write(entry: Entry, event: EventsV1EventWire): Promise<void> {
    const ns = event.metadata?.namespace ?? "default";
    try {
      if (!event.series) await this.client.create(EVENTS_V1, ns, event as KubeObject);
      else {
        try {
          await this.client.patch(EVENTS_V1, ns, event.metadata!.name!, "application/merge-patch+json", { series: event.series });
        } catch (err) {
          if ((err as { code?: unknown }).code !== 404) throw err;
          await this.client.create(EVENTS_V1, ns, event as KubeObject);
        }
      }
      entry.writtenCount = event.series?.count ?? 1;
    } catch (err) {
      this.opts.log?.v(2).info("event dropped", { object: `${ns}/${event.regarding?.name}`, reason: event.reason, err });
    }
  }

  /** Heartbeats running series; writes finished ones a last time and forgets them. */
  private sweep(): void {
    const now = this.now();
    const heartbeat = now - this.lastHeartbeat >= (this.opts.heartbeatMs ?? 1_800_000);
    if (heartbeat) this.lastHeartbeat = now;
    for (const [key, entry] of this.cache) {
      const finished = now - entry.lastSeen >= (this.opts.finishMs ?? 360_000);
      const pending = (entry.event.series?.count ?? 1) !== entry.writtenCount;
      if (entry.event.series && pending && (finished || heartbeat)) this.enqueue(entry);
      if (finished) this.cache.delete(key);
    }
  }
}
