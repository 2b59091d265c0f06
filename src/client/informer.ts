/**
 * An informer keeps a local cache of one resource in sync with the server: list, then watch from
 * the list's resourceVersion; on a 410 (history compacted) or a broken watch it lists again and
 * reports the difference (adds, updates, and deletes for objects that vanished meanwhile). Handlers
 * only see changes; reads come from the cache. Cached objects are shared: copy before changing.
 */
import type { KubeObject } from "../apiserver/api/types.ts";
import type { Client, ResourceRef } from "./types.ts";
import { objectKey } from "./types.ts";

export interface InformerHandlers {
  add?(obj: KubeObject): void;
  update?(old: KubeObject, obj: KubeObject): void;
  delete?(obj: KubeObject): void;
}

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Called when listing or watching fails (the informer retries with backoff). */
  onError?(err: unknown): void;
  /**
   * Applied to every object before it is cached or handed to handlers (client-go's SetTransform):
   * a controller that needs only metadata keeps only that. Must keep metadata.resourceVersion.
   */
  transform?(obj: KubeObject): KubeObject;
}

const MIN_BACKOFF_MS = 200;
const MAX_BACKOFF_MS = 30_000;

export class Informer {
  private readonly cache = new Map<string, KubeObject>();
  private readonly handlers: InformerHandlers[] = [];
  private readonly abort = new AbortController();
  private readonly synced = Promise.withResolvers<void>();
  private running = false;
  private lastRv = "";

  constructor(
    private readonly client: Client,
    readonly ref: ResourceRef,
    private readonly opts: InformerOptions = {},
  ) {}

  on(handlers: InformerHandlers): this {
    this.handlers.push(handlers);
    return this;
  }

  /** Starts listing and watching; resolves once the cache holds the first full list. */
  start(): Promise<void> {
    if (!this.running) {
      this.running = true;
      void this.run();
    }
    return this.synced.promise;
  }

  stop(): void {
    this.abort.abort();
    this.synced.resolve();
  }

  get hasSynced(): boolean {
    return this.lastRv !== "";
  }

  get(key: string): KubeObject | undefined {
    return this.cache.get(key);
  }

  list(): KubeObject[] {
    return [...this.cache.values()];
  }

  private async run(): Promise<void> {
    let backoff = MIN_BACKOFF_MS;
    while (!this.abort.signal.aborted) {
      try {
        await this.relist();
        this.synced.resolve();
        backoff = MIN_BACKOFF_MS;
        // A watch that simply ends is resumed; only an expired position needs a new list.
        while (!this.abort.signal.aborted && (await this.follow()) === "ended");
      } catch (err) {
        if (this.abort.signal.aborted) return;
        this.opts.onError?.(err);
        await Bun.sleep(backoff);
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
      }
    }
  }

  /** Lists everything and brings the cache (and the handlers) up to that state. */
  private async relist(): Promise<void> {
    const ns = this.opts.namespace ?? "";
    const list = await this.client.list(this.ref, ns, { labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector });
    const seen = new Set<string>();
    for (const item of list.items) {
      const obj = this.opts.transform ? this.opts.transform(item) : item;
      const key = objectKey(obj);
      seen.add(key);
      this.apply(key, obj);
    }
    for (const [key, old] of [...this.cache]) {
      if (seen.has(key)) continue;
      this.cache.delete(key);
      for (const h of this.handlers) h.delete?.(old);
    }
    this.lastRv = list.metadata.resourceVersion ?? "";
  }

  /** Watches from the last known revision until the watch ends or its position expires. */
  private async follow(): Promise<"ended" | "expired"> {
    const ns = this.opts.namespace ?? "";
    const events = this.client.watch(
      this.ref,
      ns,
      { resourceVersion: this.lastRv, labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector, allowBookmarks: true },
      this.abort.signal,
    );
    for await (const ev of events) {
      const rv = ev.object.metadata?.resourceVersion;
      if (ev.type === "ERROR") return "expired";
      if (rv) this.lastRv = rv;
      if (ev.type === "BOOKMARK") continue;
      const obj = this.opts.transform ? this.opts.transform(ev.object) : ev.object;
      const key = objectKey(obj);
      if (ev.type === "DELETED") {
        const old = this.cache.get(key) ?? obj;
        this.cache.delete(key);
        for (const h of this.handlers) h.delete?.(old);
      } else this.apply(key, obj);
    }
    return "ended";
  }

  private apply(key: string, obj: KubeObject): void {
    const old = this.cache.get(key);
    this.cache.set(key, obj);
    if (!old) for (const h of this.handlers) h.add?.(obj);
    else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) for (const h of this.handlers) h.update?.(old, obj);
  }
}
