/**
 * An informer keeps a local cache of one resource in sync with the server: list, then watch from
 * the list's resourceVersion; on a 410 (history compacted) or a broken watch it lists again and
 * reports the difference (adds, updates, and deletes for objects that vanished meanwhile). Handlers
 * only see changes; reads come from the cache. Cached objects are shared: copy before changing.
 *
 * Indexes (client-go's Indexers) answer "which cached objects have this value" without a scan:
 * every informer indexes by namespace and by owner UID; more can be added before start.
 * Handlers added after the cache is filled first get an add for every cached object, as client-go's
 * shared informers do, so several controllers can share one informer whenever they start.
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

/** Computes the values an object is indexed under. */
export type IndexFunc = (obj: KubeObject) => string[];

/** Index of every informer: the object's namespace ("" for cluster-scoped objects). */
export const BY_NAMESPACE = "namespace";
/** Index of every informer: the UID of each of the object's owners. */
export const BY_OWNER_UID = "ownerUid";

const DEFAULT_INDEXES: Record<string, IndexFunc> = {
  [BY_NAMESPACE]: (obj) => [obj.metadata?.namespace ?? ""],
  [BY_OWNER_UID]: (obj) => (obj.metadata?.ownerReferences ?? []).map((r) => r.uid),
};

const MIN_BACKOFF_MS = 200;
const MAX_BACKOFF_MS = 30_000;

export class Informer {
  private readonly cache = new Map<string, KubeObject>();
  private handlers: InformerHandlers[] = [];
  private readonly indexFuncs = new Map<string, IndexFunc>(Object.entries(DEFAULT_INDEXES));
  /** index name → value → keys */
  private readonly indexes = new Map<string, Map<string, Set<string>>>();
  private readonly abort = new AbortController();
  private readonly syncedSignal = Promise.withResolvers<void>();
  private running = false;
  private lastRv = "";

  constructor(
    private readonly client: Client,
    readonly ref: ResourceRef,
    private readonly opts: InformerOptions = {},
  ) {}

  /** Adds handlers; once the cache is filled, they first get an add for every cached object. */
  on(handlers: InformerHandlers): this {
    this.handlers.push(handlers);
    if (this.hasSynced) for (const obj of this.cache.values()) handlers.add?.(obj);
    return this;
  }

  /** Removes handlers added with on() (a stopping controller leaves a shared informer). */
  off(handlers: InformerHandlers): void {
    this.handlers = this.handlers.filter((h) => h !== handlers);
  }

  /** Adds an index; objects already cached are indexed at once. */
  addIndex(name: string, fn: IndexFunc): this {
    if (this.indexFuncs.has(name)) return this;
    this.indexFuncs.set(name, fn);
    for (const [key, obj] of this.cache) this.indexOne(name, fn, key, obj);
    return this;
  }

  /** The cached objects whose index `name` has `value`. */
  byIndex(name: string, value: string): KubeObject[] {
    if (!this.indexFuncs.has(name)) throw new Error(`informer for ${this.ref.resource} has no index "${name}"`);
    const keys = this.indexes.get(name)?.get(value);
    if (!keys) return [];
    const out: KubeObject[] = [];
    for (const key of keys) {
      const obj = this.cache.get(key);
      if (obj) out.push(obj);
    }
    return out;
  }

  /** Objects in one namespace ("" for all). */
  listIn(namespace: string): KubeObject[] {
    return namespace ? this.byIndex(BY_NAMESPACE, namespace) : this.list();
  }

  /** Resolves once the cache holds the first full list (or the informer stopped). */
  synced(): Promise<void> {
    return this.syncedSignal.promise;
  }

  /** Starts listing and watching; resolves once the cache holds the first full list. */
  start(): Promise<void> {
    if (!this.running) {
      this.running = true;
      void this.run();
    }
    return this.syncedSignal.promise;
  }

  stop(): void {
    this.abort.abort();
    this.syncedSignal.resolve();
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
        this.syncedSignal.resolve();
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
      this.remove(key, old);
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
        this.remove(key, old);
        for (const h of this.handlers) h.delete?.(old);
      } else this.apply(key, obj);
    }
    return "ended";
  }

  private apply(key: string, obj: KubeObject): void {
    const old = this.cache.get(key);
    if (old) this.unindex(key, old);
    this.cache.set(key, obj);
    for (const [name, fn] of this.indexFuncs) this.indexOne(name, fn, key, obj);
    if (!old) for (const h of this.handlers) h.add?.(obj);
    else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) for (const h of this.handlers) h.update?.(old, obj);
  }

  private remove(key: string, old: KubeObject): void {
    this.cache.delete(key);
    this.unindex(key, old);
  }

  private indexOne(name: string, fn: IndexFunc, key: string, obj: KubeObject): void {
    let index = this.indexes.get(name);
    if (!index) this.indexes.set(name, (index = new Map()));
    for (const value of fn(obj)) {
      let keys = index.get(value);
      if (!keys) index.set(value, (keys = new Set()));
      keys.add(key);
    }
  }

  private unindex(key: string, obj: KubeObject): void {
    for (const [name, fn] of this.indexFuncs) {
      const index = this.indexes.get(name);
      if (!index) continue;
      for (const value of fn(obj)) {
        const keys = index.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(value);
      }
    }
  }
}
