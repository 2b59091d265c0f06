/**
 * Events through the API (client-go's tools/record): controllers say what they did about an
 * object ("Created pod: web-abc12", "Scaled up replica set web-5d9 to 3") and `kubectl describe`
 * shows it. Recording never blocks or fails the caller: events pass the correlator (spam filter,
 * aggregation, deduplication) and are written in order in the background, with a few retries.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { CoreEvent } from "../../apiserver/resources/events/convert.ts";
import type { Logger } from "../../log/index.ts";
import type { Client, ResourceRef } from "../types.ts";
import { EventCorrelator, nanoHex } from "./correlator.ts";

export const EVENTS: ResourceRef = { group: "", version: "v1", resource: "events" };

export type EventType = "Normal" | "Warning";

export interface EventRecorder {
  /** Records an event about `obj` (which must carry apiVersion, kind and metadata). */
  event(obj: KubeObject, type: EventType, reason: string, message: string): void;
}

export interface EventBroadcasterOptions {
  /** source.host and reportingInstance; the server's host name. */
  host?: string;
  log?: Logger;
  now?: () => number;
  /** Write attempts per event (client-go: 12, 10 s apart). */
  attempts?: number;
  retryDelayMs?: number;
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function isStatus(err: unknown, code: number): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === code;
}

/** Writes the events of every recorder made from it, one at a time, in the order recorded. */
export class EventBroadcaster {
  private readonly correlator: EventCorrelator;
  private tail: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly client: Client,
    private readonly opts: EventBroadcasterOptions = {},
  ) {
    this.correlator = new EventCorrelator(opts.now);
  }

  /** A recorder whose events name `component` as their source ("deployment-controller"). */
  recorder(component: string): EventRecorder {
    return { event: (obj, type, reason, message) => this.record(component, obj, type, reason, message) };
  }

  /** Resolves once everything recorded so far is written (or given up). */
  flush(): Promise<void> {
    return this.tail;
  }

  stop(): void {
    this.stopped = true;
  }

  private record(component: string, obj: KubeObject, type: EventType, reason: string, message: string): void {
    if (this.stopped) return;
    const now = (this.opts.now ?? Date.now)();
    const meta = obj.metadata ?? {};
    const host = this.opts.host ?? "";
    const stamp = rfc3339(now);
    const event: CoreEvent = {
      apiVersion: "v1",
      kind: "Event",
      // Events about cluster-scoped objects live in "default", as upstream's recorder puts them.
      metadata: { name: `${meta.name}.${nanoHex(now)}`, namespace: meta.namespace || "default" },
      involvedObject: { apiVersion: obj.apiVersion, kind: obj.kind, namespace: meta.namespace, name: meta.name, uid: meta.uid, resourceVersion: meta.resourceVersion },
      reason,
      message,
      type,
      source: { component, ...(host ? { host } : {}) },
      firstTimestamp: stamp,
      lastTimestamp: stamp,
      count: 1,
      reportingComponent: component,
      reportingInstance: host,
    };
    this.tail = this.tail.then(() => this.write(event));
  }

  private async write(input: CoreEvent): Promise<void> {
    const c = this.correlator.correlate(input);
    if (c.skip) return;
    const attempts = this.opts.attempts ?? 3;
    for (let i = 0; i < attempts && !this.stopped; i++) {
      try {
        const written = await this.send(c.event, c.patch);
        this.correlator.written(written as CoreEvent);
        return;
      } catch (err) {
        // The namespace is going away or the object is invalid: retrying will not help.
        if (isStatus(err, 403) || isStatus(err, 422) || isStatus(err, 409)) return this.drop(input, err);
        if (i + 1 < attempts) await Bun.sleep(this.opts.retryDelayMs ?? 1000);
        else this.drop(input, err);
      }
    }
  }

  private async send(event: CoreEvent, patch: { count: number; lastTimestamp: string; message: string } | undefined): Promise<KubeObject> {
    const ns = event.metadata?.namespace ?? "default";
    if (!patch) return this.client.create(EVENTS, ns, event as KubeObject);
    try {
      return await this.client.patch(EVENTS, ns, event.metadata!.name!, "application/strategic-merge-patch+json", patch);
    } catch (err) {
      // The event expired (events have a TTL): write it anew under the same name.
      if (!isStatus(err, 404)) throw err;
      const fresh = structuredClone(event);
      delete fresh.metadata!.resourceVersion;
      return this.client.create(EVENTS, ns, fresh as KubeObject);
    }
  }

  private drop(event: CoreEvent, err: unknown): void {
    this.opts.log?.v(2).info("event dropped", { object: `${event.involvedObject.namespace ?? ""}/${event.involvedObject.name}`, reason: event.reason, err });
  }
}
