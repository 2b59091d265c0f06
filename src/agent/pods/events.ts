/**
 * The kubelet's event recorder: core/v1 Events on pods (and their containers through fieldPath),
 * from source "kubelet" on this node. Repeats of the same event are folded into one object whose
 * count and lastTimestamp grow, as client-go's correlator does; recording never blocks or fails
 * the pod worker.
 */
import type { Client } from "../../client/index.ts";
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { Logger } from "../../log/index.ts";
import type { Pod } from "../runtime/index.ts";

const EVENTS = { group: "", version: "v1", resource: "events" };
const MAX_KEYS = 4096;

export type EventType = "Normal" | "Warning";

interface Seen {
  name: string;
  count: number;
  first: string;
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, "Z");
}

export class EventRecorder {
  private readonly seen = new Map<string, Seen>();
  private seq = 0;
  /** One chain per pod: a pod's events are written in order, pods do not wait for each other. */
  private readonly pending = new Map<string, Promise<void>>();

  constructor(
    private readonly client: Client,
    private readonly nodeName: string,
    private readonly log: Logger,
  ) {}

  /** Records an event on the pod; `fieldPath` names a container ("spec.containers{app}"). */
  record(pod: Pod, fieldPath: string | undefined, type: EventType, reason: string, message: string): void {
    const uid = pod.metadata?.uid ?? "";
    const key = `${uid}|${fieldPath ?? ""}|${type}|${reason}|${message}`;
    // Serialized per pod, so that repeats see the object their first occurrence created.
    const next = (this.pending.get(uid) ?? Promise.resolve())
      .then(() => this.write(pod, key, fieldPath, type, reason, message))
      .catch((err) => this.log.v(2).info("event not recorded", { reason, err: String(err) }));
    this.pending.set(uid, next);
    void next.then(() => {
      if (this.pending.get(uid) === next) this.pending.delete(uid);
    });
  }

  /** Resolves once every event recorded so far was written (tests, shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.pending.values()]);
  }

  private async write(pod: Pod, key: string, fieldPath: string | undefined, type: EventType, reason: string, message: string): Promise<void> {
    const ns = pod.metadata?.namespace ?? "default";
    const ts = now();
    const prev = this.seen.get(key);
    if (prev) {
      prev.count++;
      try {
        await this.client.patch(EVENTS, ns, prev.name, "application/merge-patch+json", { count: prev.count, lastTimestamp: ts });
        return;
      } catch (err) {
        if ((err as { code?: number }).code !== 404) throw err;
        // The event expired (TTL): start a new one.
      }
    }
    const name = `${pod.metadata?.name}.${(BigInt(Date.now()) * 1_000_000n + BigInt(this.seq++ % 1_000_000)).toString(16)}`;
    const event: KubeObject = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace: ns },
      involvedObject: {
        kind: "Pod",
        namespace: ns,
        name: pod.metadata?.name,
        uid: pod.metadata?.uid,
        apiVersion: "v1",
        resourceVersion: pod.metadata?.resourceVersion,
        ...(fieldPath ? { fieldPath } : {}),
      },
      reason,
      message,
      type,
      source: { component: "kubelet", host: this.nodeName },
      firstTimestamp: prev?.first ?? ts,
      lastTimestamp: ts,
      count: prev?.count ?? 1,
      reportingComponent: "kubelet",
      reportingInstance: this.nodeName,
    };
    await this.client.create(EVENTS, ns, event);
    if (this.seen.size >= MAX_KEYS) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(key, { name, count: prev?.count ?? 1, first: prev?.first ?? ts });
  }

  /** Forgets a deleted pod's events. */
  forget(uid: string): void {
    for (const k of this.seen.keys()) if (k.startsWith(`${uid}|`)) this.seen.delete(k);
  }
}
