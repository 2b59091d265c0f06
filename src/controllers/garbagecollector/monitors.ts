/**
 * One informer per deletable resource, feeding the graph builder (upstream's monitors). The set
 * of resources follows the server's: resources that appear later (custom resources) get an
 * informer at the next resync, and informers of resources no longer served are stopped.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { Client, ServedResource } from "../../client/index.ts";
import type { Logger } from "../../log/index.ts";
import type { ObservedChange } from "./graph-builder.ts";
import { Informer, refKey } from "../../client/index.ts";
import { apiVersionOf } from "../../apiserver/api/types.ts";
import { deletableResources, ResourceMapper } from "./resources.ts";

export interface MonitorOptions {
  /** How often the served resources are compared with the monitored ones. */
  resyncMs: number;
  ignoredResources?: readonly string[];
}

export class Monitors {
  readonly mapper = new ResourceMapper();
  private readonly informers = new Map<string, Informer>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private syncing: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly client: Client,
    private readonly onChange: (change: ObservedChange) => void,
    private readonly log: Logger,
    private readonly opts: MonitorOptions,
  ) {}

  /** Starts informers for what is served now; resolves once each has its first list. */
  async start(): Promise<void> {
    await this.resync();
    this.timer = setInterval(() => void this.resync().catch((err: unknown) => this.log.warn("resource resync failed", { err })), this.opts.resyncMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const inf of this.informers.values()) inf.stop();
    this.informers.clear();
  }

  get monitored(): string[] {
    return [...this.informers.keys()].sort();
  }

  /** Brings the informers in line with the served resources (one resync at a time). */
  resync(): Promise<void> {
    this.syncing ??= this.doResync().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private async doResync(): Promise<void> {
    const served = await this.client.resources();
    if (this.stopped) return;
    this.mapper.update(served);
    const wanted = new Map(deletableResources(served, this.opts.ignoredResources).map((r) => [refKey(r), r]));
    for (const [key, inf] of this.informers) {
      if (wanted.has(key)) continue;
      inf.stop();
      this.informers.delete(key);
      this.log.v(2).info("stopped monitoring", { resource: key });
    }
    const started: Array<Promise<void>> = [];
    for (const [key, r] of wanted) {
      if (this.informers.has(key)) continue;
      const inf = this.informerFor(r);
      this.informers.set(key, inf);
      started.push(inf.start());
      this.log.v(2).info("monitoring", { resource: key });
    }
    await Promise.all(started);
  }

  private informerFor(r: ServedResource): Informer {
    const apiVersion = apiVersionOf(r);
    const kind = r.kind;
    return new Informer(this.client, r, { transform: metadataOnly, onError: (err) => this.log.v(2).info("informer error; retrying", { resource: refKey(r), err }) }).on({
      add: (obj) => this.onChange({ type: "add", apiVersion, kind, obj }),
      update: (old, obj) => this.onChange({ type: "update", apiVersion, kind, obj, old }),
      delete: (obj) => this.onChange({ type: "delete", apiVersion, kind, obj }),
    });
  }
}

/** What the graph needs of an object (upstream's GC watches PartialObjectMetadata): its cache holds nothing else. */
export function metadataOnly(obj: KubeObject): KubeObject {
  const m = obj.metadata ?? {};
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      ownerReferences: m.ownerReferences,
      finalizers: m.finalizers,
      deletionTimestamp: m.deletionTimestamp,
    },
  };
}
