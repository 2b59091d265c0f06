/**
 * The generic store: one implementation of get, list, watch, create, update, delete and
 * deletecollection that serves every resource from its ResourceDefinition, over the storage
 * Backend — upstream's genericregistry.Store. Per-type behaviour comes from the definition's
 * strategy; the order of the steps is fixed here.
 */
import type { Backend, KeyValue, WatchEvent as StoreEvent } from "../../store/index.ts";
import type { KubeList, KubeObject } from "../api/types.ts";
import type { RequestContext, ResourceDefinition, ResourceLookup } from "./definition.ts";
import { CompactedError, FutureRevisionError, prefixEnd, registryKey, registryPrefix } from "../../store/index.ts";
import { ApiError, errors, type ErrorTarget, type FieldError, type Status } from "../api/errors.ts";
import { apiVersionOf } from "../api/types.ts";
import { BUILTIN_FIELD_TYPES, recordWrite, type FieldsSubresource } from "../apply/store-fields.ts";
import type { FieldTypeCatalog } from "../apply/schema/field-types.ts";
import { CONTINUE_AT_LATEST, continueExpired, decodeContinue, encodeContinue } from "./continue-token.ts";
import { decodeFromStorage, encodeForStorage, type ValueTransformer } from "./codec.ts";
import { generateName, prepareMetaForCreate, prepareMetaForUpdate, rfc3339, validateObjectMeta, validateObjectMetaUpdate } from "./object-meta.ts";
import { mergeStatusUpdate, keepStatus, semanticallyEqual, specChanged } from "./object-diff.ts";
import { deletionFinalizers } from "./deletion-finalizers.ts";

/** Admission: mutating plugins may change the object, validating plugins may only refuse. */
export interface Admission {
  mutate(op: "CREATE" | "UPDATE" | "DELETE", obj: KubeObject, old: KubeObject | undefined, def: ResourceDefinition, ctx: RequestContext): Promise<void>;
  validate(op: "CREATE" | "UPDATE" | "DELETE", obj: KubeObject, old: KubeObject | undefined, def: ResourceDefinition, ctx: RequestContext): Promise<void>;
}

export const NO_ADMISSION: Admission = { mutate: async () => {}, validate: async () => {} };

/** Which objects a list or watch wants; built by the HTTP layer from label and field selectors. */
export type ObjectFilter = (obj: KubeObject) => boolean;

export interface ListOptions {
  filter?: ObjectFilter;
  /** Only this name (fieldSelector metadata.name=x): a point lookup instead of a scan. */
  name?: string;
  limit?: number;
  continue?: string;
  /** "" = latest; "0" = any; "N" = not older than N (or exactly N with `exact`). */
  resourceVersion?: string;
  exact?: boolean;
}

export interface WatchOptions {
  filter?: ObjectFilter;
  name?: string;
  /** "" or "0": send the current objects as ADDED first; "N": changes after N. */
  resourceVersion?: string;
  /**
   * The WatchList protocol: true sends the current objects (at least as new as resourceVersion)
   * as ADDED, then a BOOKMARK annotated k8s.io/initial-events-end; false sends no initial
   * objects whatever resourceVersion says; undefined keeps the legacy meaning above.
   */
  sendInitialEvents?: boolean;
  /** Emit a BOOKMARK at least this often (ms) when the client allows bookmarks. */
  bookmarkEveryMs?: number;
}

/** The annotation of the BOOKMARK that ends a WatchList's initial events (metav1.InitialEventsAnnotationKey). */
export const INITIAL_EVENTS_END = "k8s.io/initial-events-end";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
export interface ApiWatchEvent {
  type: WatchEventType;
  object: KubeObject;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface WriteOptions {
  dryRun?: boolean;
  /** The object carries the managedFields a server-side apply computed: record nothing more. */
  applied?: boolean;
}

/** How many times a conflicting read-modify-write (patch, unconditional update) is retried. */
const MAX_CONFLICT_RETRIES = 5;
/** New names drawn for a generateName create whose first name was taken. */
const GENERATE_NAME_RETRIES = 7;
/** Keys read per round while filling a filtered, limited list. */
const LIST_CHUNK = 500;
/** For a store outside a registry: no other resources. */
const NO_RESOURCES: ResourceLookup = { lookup: () => undefined };

export class GenericStore {
  readonly kind: string;
  readonly apiVersion: string;
  readonly listKind: string;
  private readonly storagePath: string;
  /** The types managedFields are computed with (the registry's, which knows custom resources). */
  fieldTypes: FieldTypeCatalog = BUILTIN_FIELD_TYPES;
  /** Encryption at rest of this resource's stored values (the registry's, from the encryption configuration). */
  transformer?: ValueTransformer;

  constructor(
    readonly def: ResourceDefinition,
    private readonly backend: Backend,
    private readonly admission: Admission = NO_ADMISSION,
    /** The other served resources, for virtual resources that act on them. */
    private readonly resources: ResourceLookup = NO_RESOURCES,
  ) {
    this.kind = def.kind;
    this.apiVersion = apiVersionOf(def);
    this.listKind = def.listKind ?? `${def.kind}List`;
    this.storagePath = def.storagePath ?? def.plural;
  }

  target(name?: string): ErrorTarget {
    return { group: this.def.group, resource: this.def.plural, kind: this.def.kind, name };
  }

  key(namespace: string, name: string): string {
    return registryKey(this.storagePath, this.def.namespaced ? namespace : undefined, name);
  }

  prefix(namespace?: string): string {
    return registryPrefix(this.storagePath, this.def.namespaced && namespace ? namespace : undefined);
  }

  // ---------------------------------------------------------------- reads

  /**
   * GET. A resourceVersion asks for a state not older than it, so the latest state answers it
   * (upstream reads the latest and checks the minimum); one beyond the store is 504.
   */
  async get(namespace: string, name: string, resourceVersion?: string): Promise<KubeObject> {
    const computed = this.def.computed;
    if (computed) {
      const found = (await computed.list()).find((o) => o.metadata?.name === name);
      if (!found) throw computed.missing(name);
      return found;
    }
    if (resourceVersion && resourceVersion !== "0") {
      const rv = this.parseRv(resourceVersion);
      const current = this.backend.currentRevision();
      if (rv > current) throw tooLargeRv(rv, current);
    }
    const { kv } = await this.read(() => this.backend.get(this.key(namespace, name)));
    if (!kv) throw errors.notFound(this.target(name));
    return this.decode(kv);
  }

  async list(namespace: string, opts: ListOptions = {}): Promise<KubeList> {
    if (this.def.computed) return this.listComputed(opts);
    const prefix = this.prefix(namespace);
    let start = prefix;
    let revision: number | undefined;
    if (opts.continue) {
      const token = decodeContinue(opts.continue);
      start = prefix + token.start;
      // A token handed out with a 410 continues at the latest revision.
      revision = token.rv === CONTINUE_AT_LATEST ? undefined : token.rv;
    } else if (opts.resourceVersion && opts.resourceVersion !== "0") {
      const rv = this.parseRv(opts.resourceVersion);
      const current = this.backend.currentRevision();
      if (opts.exact) revision = rv;
      else if (rv > current) throw tooLargeRv(rv, current);
    }
    // One key holds a named object only within a namespace (or for cluster-scoped types); across
    // namespaces the name is matched by the filter.
    if (opts.name !== undefined && this.oneKey(namespace)) return this.listOne(namespace, opts, revision);

    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const items: KubeObject[] = [];
    let next: string | undefined = start;
    let listRevision = revision ?? 0;
    let remaining = 0;
    while (next !== undefined) {
      const chunk = limit ? Math.max(limit - items.length, opts.filter ? LIST_CHUNK : 0) : 0;
      const from: string = next;
      const page = await this.read(
        () => this.backend.list(prefix, { from, limit: chunk, revision: listRevision || undefined }),
        // Upstream's etcd3 words the two cases apart, and offers the rest of a paged list at the latest revision.
        opts.continue ? () => continueExpired(from.slice(prefix.length)) : opts.exact ? listExpired : undefined,
      );
      // A pinned list (continue, Exact) reports the revision it read at, as upstream's etcd3
      // does, and hands it on in the next token; only an unpinned one takes the store's.
      listRevision = revision ?? page.revision;
      next = page.continueFrom;
      remaining = page.remaining;
      for (const kv of page.kvs) {
        const obj = this.decode(kv);
        if (opts.filter && !opts.filter(obj)) continue;
        items.push(obj);
        if (limit && items.length === limit) {
          // Continue right after this key, whatever else the page held.
          next = page.kvs[page.kvs.length - 1] !== kv ? kv.key + "\0" : next;
          break;
        }
      }
      if (limit && items.length >= limit) break;
    }
    const metadata: KubeList["metadata"] = { resourceVersion: String(listRevision) };
    if (next !== undefined) {
      metadata.continue = encodeContinue({ rv: listRevision, start: next.slice(prefix.length) });
      if (!opts.filter) metadata.remainingItemCount = remaining;
    }
    return { apiVersion: this.apiVersion, kind: this.listKind, metadata, items };
  }

  /** Whether an object name maps to one key: in a namespace, or for a cluster-scoped type. */
  private oneKey(namespace: string): boolean {
    return namespace !== "" || !this.def.namespaced;
  }

  /** A computed resource's list: every object the selectors match, with no resourceVersion (nothing is stored). */
  private async listComputed(opts: ListOptions): Promise<KubeList> {
    const all = await this.def.computed!.list();
    const items = all.filter((o) => (opts.name === undefined || o.metadata?.name === opts.name) && (!opts.filter || opts.filter(o)));
    return { apiVersion: this.apiVersion, kind: this.listKind, metadata: {}, items };
  }

  private async listOne(namespace: string, opts: ListOptions, revision: number | undefined): Promise<KubeList> {
    const { kv, revision: at } = await this.read(() => this.backend.get(this.key(namespace, opts.name!), revision ? { revision } : {}), opts.exact ? listExpired : undefined);
    const obj = kv ? this.decode(kv) : undefined;
    const items = obj && (!opts.filter || opts.filter(obj)) ? [obj] : [];
    return { apiVersion: this.apiVersion, kind: this.listKind, metadata: { resourceVersion: String(revision ?? at) }, items };
  }

  /**
   * A watch as upstream serves it: optional initial ADDED events, then changes in order. Objects
   * moving into or out of the filter arrive as ADDED / DELETED. Compaction ends the stream with an
   * ERROR event carrying 410 Expired, which clients answer by re-listing.
   */
  async *watch(namespace: string, opts: WatchOptions = {}, signal?: AbortSignal): AsyncGenerator<ApiWatchEvent> {
    const prefix = this.prefix(namespace);
    const single = opts.name !== undefined && this.oneKey(namespace);
    const key = single ? this.key(namespace, opts.name!) : prefix;
    const end = single ? undefined : prefixEnd(prefix);
    let startRevision: number;
    const fromNow = !opts.resourceVersion || opts.resourceVersion === "0";
    // Legacy watches from "now" start with the current objects; WatchList says so itself.
    if (opts.sendInitialEvents ?? fromNow) {
      // Not older than the given version: the latest state is (a newer version than the store's is refused as for a list).
      const initial = await this.list(namespace, { filter: opts.filter, name: opts.name, resourceVersion: fromNow ? undefined : opts.resourceVersion });
      for (const obj of initial.items) yield { type: "ADDED", object: obj };
      const at = Number(initial.metadata.resourceVersion);
      if (opts.sendInitialEvents) yield this.bookmark(at, { [INITIAL_EVENTS_END]: "true" });
      startRevision = at + 1;
    } else if (fromNow) {
      startRevision = this.backend.currentRevision() + 1;
    } else {
      // A revision not reached yet is fine: the watch waits for it (upstream's watch cache does
      // not block or refuse these, "clients can wait for events").
      startRevision = this.parseRv(opts.resourceVersion!) + 1;
    }
    const watch = this.backend.watch({ key, end, startRevision, prevKv: true });
    const onAbort = () => watch.close();
    signal?.addEventListener("abort", onAbort, { once: true });
    let bookmarkTimer: ReturnType<typeof setInterval> | undefined;
    if (opts.bookmarkEveryMs) bookmarkTimer = setInterval(() => watch.requestProgress(), opts.bookmarkEveryMs);
    try {
      for await (const batch of watch) {
        if (batch.events.length === 0) {
          yield this.bookmark(batch.revision);
          continue;
        }
        for (const ev of batch.events) {
          const out = this.toApiEvent(ev, opts.filter);
          if (out) yield out;
        }
      }
    } catch (err) {
      if (err instanceof CompactedError) {
        yield { type: "ERROR", object: errors.resourceExpired(`too old resource version: ${startRevision - 1} (${err.compactRevision})`).toStatus() as KubeObject };
        return;
      }
      throw err;
    } finally {
      if (bookmarkTimer) clearInterval(bookmarkTimer);
      signal?.removeEventListener("abort", onAbort);
      watch.close();
    }
  }

  private bookmark(revision: number, annotations?: Record<string, string>): ApiWatchEvent {
    return { type: "BOOKMARK", object: { kind: this.kind, apiVersion: this.apiVersion, metadata: { resourceVersion: String(revision), ...(annotations && { annotations }) } } };
  }

  private toApiEvent(ev: StoreEvent, filter: ObjectFilter | undefined): ApiWatchEvent | undefined {
    if (ev.type === "delete") {
      if (!ev.prevKv) return undefined;
      const last = { ...this.decode(ev.prevKv) };
      last.metadata = { ...last.metadata, resourceVersion: String(ev.kv.modRevision) };
      return !filter || filter(last) ? { type: "DELETED", object: last } : undefined;
    }
    const obj = this.decode(ev.kv);
    const created = ev.kv.createRevision === ev.kv.modRevision;
    if (!filter) return { type: created ? "ADDED" : "MODIFIED", object: obj };
    const matches = filter(obj);
    const prev = !created && ev.prevKv ? this.decode(ev.prevKv) : undefined;
    const matched = prev ? filter(prev) : false;
    if (matches) return { type: matched ? "MODIFIED" : "ADDED", object: obj };
    // Leaving the selector reads as a deletion of what the watcher last saw, at this revision
    // (upstream's cacheWatcher sends the previous object, not the new one).
    if (matched) return { type: "DELETED", object: { ...prev!, metadata: { ...prev!.metadata, resourceVersion: String(ev.kv.modRevision) } } };
    return undefined;
  }

  // ---------------------------------------------------------------- writes

  async create(namespace: string, input: KubeObject, ctx: RequestContext, opts: WriteOptions = {}): Promise<KubeObject> {
    const obj = input;
    this.checkTypeMeta(obj);
    const meta = obj.metadata ?? {};
    if (this.def.namespaced && meta.namespace && meta.namespace !== namespace) {
      throw errors.badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    if (this.def.virtual) return this.answerVirtual(obj, opts.dryRun ? { ...ctx, dryRun: true } : ctx);
    const wantedName = obj.metadata?.name;
    const sentVersion = obj.metadata?.resourceVersion;
    prepareMetaForCreate(obj, this.def, namespace, ctx.now);
    const strategy = this.def.strategy;
    strategy?.defaults?.(obj);
    // Upstream's field manager sees the decoded, defaulted object, before the strategy's changes.
    if (!opts.applied) recordWrite(this.fieldTypes, this.def, undefined, obj, ctx);
    // Mutating admission runs before the strategy prepares the object, as upstream's handler
    // admits before the store's BeforeCreate (a pod's QoS class sees the limits LimitRanger set).
    const actx = admissionContext(ctx, opts.dryRun);
    await this.admission.mutate("CREATE", obj, undefined, this.def, actx);
    strategy?.prepareForCreate?.(obj, ctx);
    this.throwIfInvalid(obj, [...validateObjectMeta(obj.metadata!, this.def), ...(strategy?.validate?.(obj, ctx) ?? [])]);
    await this.admission.validate("CREATE", obj, undefined, this.def, actx);
    const name = obj.metadata!.name!;
    const release = await strategy?.beforeWrite?.(obj, undefined, ctx);
    if (opts.dryRun) {
      await release?.();
      // Upstream's dry-run storage still refuses a name that exists.
      const { kv } = await this.read(() => this.backend.get(this.key(namespace, name)));
      if (kv) throw this.alreadyExists(name, kv);
      return obj;
    }
    try {
      // Upstream's etcd3 storage refuses a create that names a resourceVersion (a parseable, non-zero one).
      if (sentVersion && /^\d+$/.test(sentVersion) && Number(sentVersion) !== 0) throw new UnknownServerError(500, "resourceVersion should not be set on objects to be created");
      const lease = this.def.ttlSeconds ? await this.leaseFor(this.def.ttlSeconds) : undefined;
      const generated = !wantedName && Boolean(meta.generateName);
      for (let attempt = 0; ; attempt++) {
        const key = this.key(namespace, obj.metadata!.name!);
        const res = await this.backend.create(key, this.encode(obj, key), lease ? { lease } : {});
        if (res.succeeded) return this.decode(res.kv!);
        // A generated name that happens to exist is drawn again, as kube-apiserver 1.32 does
        // (RetryGenerateName): 5 random characters collide often enough at scale.
        if (!generated || attempt >= GENERATE_NAME_RETRIES) throw this.alreadyExists(obj.metadata!.name!, res.kv);
        obj.metadata!.name = generateName(meta.generateName!);
      }
    } catch (err) {
      await release?.();
      throw this.translate(err);
    }
  }

  /**
   * PUT: replaces the object. With `metadata.resourceVersion` the write is conditional (409 when
   * stale); without it, it applies to whatever is current. `subresource` "status" changes only
   * the status; the main resource keeps the stored status when the type has a status subresource.
   */
  async update(
    namespace: string,
    name: string,
    input: KubeObject,
    ctx: RequestContext,
    opts: WriteOptions & { subresource?: "status"; allowCreate?: boolean } = {},
  ): Promise<{ object: KubeObject; created: boolean }> {
    this.checkTypeMeta(input);
    const bodyName = input.metadata?.name;
    if (bodyName && bodyName !== name) throw errors.badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${name})`);
    if (this.def.namespaced && input.metadata?.namespace && input.metadata.namespace !== namespace) {
      throw errors.badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    const allowCreate = opts.allowCreate ?? this.def.allowCreateOnUpdate ?? false;
    const uid = input.metadata?.uid;
    return this.readModifyWrite(
      namespace,
      name,
      ctx,
      opts,
      (current) => {
        // A uid in a PUT body is a precondition, checked before anything else (upstream's
        // defaultUpdatedObjectInfo.Preconditions): a recreated object is not overwritten.
        if (uid && uid !== current?.metadata?.uid) {
          throw this.storageConflict(namespace, name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current?.metadata?.uid ?? ""}`);
        }
        return structuredClone(input);
      },
      allowCreate,
    );
  }

  /**
   * The shared update path (PUT, PATCH, status, scale): read the current object, compute the new
   * one, run the strategy, and compare-and-swap on the revision read. A computed object that
   * names a resourceVersion must name the current one (409 otherwise); a lost race is retried by
   * computing again from the newer object, so an unconditional update or patch never loses.
   */
  async readModifyWrite(
    namespace: string,
    name: string,
    ctx: RequestContext,
    opts: WriteOptions & { subresource?: FieldsSubresource },
    compute: (current: KubeObject | undefined) => KubeObject,
    allowCreate = false,
  ): Promise<{ object: KubeObject; created: boolean }> {
    const key = this.key(namespace, name);
    for (let attempt = 0; ; attempt++) {
      const { kv } = await this.read(() => this.backend.get(key));
      if (!kv) {
        if (!allowCreate) throw errors.notFound(this.target(name));
        const fresh = compute(undefined);
        fresh.metadata = { ...fresh.metadata, name };
        delete fresh.metadata.resourceVersion;
        return { object: await this.create(namespace, fresh, ctx, opts), created: true };
      }
      const current = this.decode(kv);
      const obj = compute(current);
      const wanted = obj.metadata?.resourceVersion;
      if (wanted && wanted !== String(kv.modRevision)) throw errors.staleResourceVersion(this.target(name));
      const next = await this.prepareUpdate(obj, current, ctx, opts.subresource, opts);
      if (next === current) return { object: current, created: false };
      if (opts.dryRun) return { object: next, created: false };
      const written = await this.writeUpdate(key, kv, next, name);
      if (written) return { object: written, created: false };
      if (attempt >= MAX_CONFLICT_RETRIES) throw errors.staleResourceVersion(this.target(name));
    }
  }

  /**
   * A raw compare-and-swap update that skips the type's strategy and admission (upstream's
   * storage.GuaranteedUpdate, as pods/binding uses it): `mutate` gets a private copy of the
   * current object and returns the object to write, or throws to refuse. Lost races are retried.
   */
  async guaranteedUpdate(namespace: string, name: string, mutate: (current: KubeObject) => KubeObject, opts: WriteOptions = {}): Promise<KubeObject> {
    const key = this.key(namespace, name);
    for (let attempt = 0; ; attempt++) {
      const { kv } = await this.read(() => this.backend.get(key));
      if (!kv) throw errors.notFound(this.target(name));
      const next = mutate(structuredClone(this.decode(kv)));
      next.metadata = { ...next.metadata, resourceVersion: String(kv.modRevision) };
      if (opts.dryRun) return next;
      const written = await this.writeUpdate(key, kv, next, name);
      if (written) return written;
      if (attempt >= MAX_CONFLICT_RETRIES) throw errors.staleResourceVersion(this.target(name));
    }
  }

  /** Runs the update strategy; returns `old` itself when nothing would change. */
  private async prepareUpdate(obj: KubeObject, old: KubeObject, ctx: RequestContext, subresource?: FieldsSubresource, opts: WriteOptions = {}): Promise<KubeObject> {
    const strategy = this.def.strategy;
    let next = obj;
    if (subresource === "status") {
      next = mergeStatusUpdate(obj, old);
      strategy?.prepareForStatusUpdate?.(next, old, ctx);
    } else if (this.def.statusSubresource) keepStatus(next, old);
    prepareMetaForUpdate(next, old, this.def);
    next.apiVersion = this.apiVersion;
    next.kind = this.kind;
    if (subresource !== "status") strategy?.defaults?.(next);
    if (!opts.applied) recordWrite(this.fieldTypes, this.def, old, next, ctx, subresource);
    const actx = admissionContext(ctx, opts.dryRun, subresource);
    await this.admission.mutate("UPDATE", next, old, this.def, actx);
    if (subresource !== "status") strategy?.prepareForUpdate?.(next, old, ctx);
    const problems: FieldError[] = [...validateObjectMeta(next.metadata!, this.def), ...validateObjectMetaUpdate(next.metadata!, old.metadata!)];
    if (subresource !== "status") {
      problems.push(...(strategy?.validate?.(next, ctx) ?? []), ...(strategy?.validateUpdate?.(next, old, ctx) ?? []));
    } else {
      problems.push(...(strategy?.validateStatusUpdate?.(next, old, ctx) ?? []));
    }
    this.throwIfInvalid(next, problems);
    await this.admission.validate("UPDATE", next, old, this.def, actx);
    if (this.def.tracksGeneration && specChanged(next, old)) next.metadata!.generation = (old.metadata?.generation ?? 1) + 1;
    next.metadata!.resourceVersion = old.metadata?.resourceVersion;
    if (semanticallyEqual(next, old)) return old;
    return next;
  }

  /**
   * Compare-and-swap write. A deleting object whose last finalizer went away is removed instead,
   * unless a grace period is still running (upstream's ShouldDeleteDuringUpdate: a pod's kubelet
   * deletes it with grace 0 once its containers are gone).
   */
  private async writeUpdate(key: string, kv: KeyValue, next: KubeObject, name: string): Promise<KubeObject | undefined> {
    try {
      const meta = next.metadata!;
      if (meta.deletionTimestamp && this.finalizersOf(next).length === 0 && !meta.deletionGracePeriodSeconds) {
        const res = await this.backend.delete(key, { modRevision: kv.modRevision });
        if (!res.succeeded) return undefined;
        await this.def.strategy?.afterDelete?.(next);
        return { ...next, metadata: { ...meta, resourceVersion: String(res.revision) } };
      }
      const res = await this.backend.update(key, this.encode(next, key), kv.modRevision, kv.lease ? { lease: kv.lease } : {});
      return res.succeeded ? this.decode(res.kv!) : undefined;
    } catch (err) {
      throw this.translate(err);
    }
  }

  /**
   * DELETE. Objects with finalizers (or a pod on a node, which its kubelet must stop first) get a
   * deletionTimestamp and stay until the finalizers are gone; others are removed at once.
   * Returns the object as it was removed (or as it now stands, when deletion is pending).
   */
  async delete(namespace: string, name: string, ctx: RequestContext, opts: DeleteOptions = {}): Promise<{ object: KubeObject; pending: boolean }> {
    const key = this.key(namespace, name);
    for (let attempt = 0; ; attempt++) {
      const { kv } = await this.read(() => this.backend.get(key));
      if (!kv) throw errors.notFound(this.target(name));
      const current = this.decode(kv);
      this.checkPreconditions(current, opts, name);
      await this.admission.validate("DELETE", current, current, this.def, admissionContext(ctx, opts.dryRun));
      const graceSeconds = this.gracePeriod(current, opts);
      // The propagation policy becomes the garbage collector's orphan / foregroundDeletion finalizer.
      const gcFinalizers = deletionFinalizers(this.def, current, opts.propagationPolicy);
      const subject = gcFinalizers ? withFinalizers(current, gcFinalizers) : current;
      if (this.finalizersOf(subject).length > 0 || graceSeconds > 0) {
        const marked = this.markDeleting(subject, graceSeconds, opts.gracePeriodSeconds, ctx.now, gcFinalizers !== undefined);
        if (!marked) return { object: current, pending: true };
        if (opts.dryRun) return { object: marked, pending: true };
        const res = await this.backend.update(key, this.encode(marked, key), kv.modRevision, kv.lease ? { lease: kv.lease } : {});
        if (res.succeeded) return { object: this.decode(res.kv!), pending: true };
      } else {
        if (opts.dryRun) return { object: current, pending: false };
        const res = await this.backend.delete(key, { modRevision: kv.modRevision });
        if (res.succeeded) {
          await this.def.strategy?.afterDelete?.(current);
          return { object: { ...current, metadata: { ...current.metadata, resourceVersion: String(res.revision) } }, pending: false };
        }
      }
      if (attempt >= MAX_CONFLICT_RETRIES) throw errors.staleResourceVersion(this.target(name));
    }
  }

  /**
   * The object as deletion starts (deletionTimestamp, grace period, generation + 1 as upstream's
   * BeforeDelete and markAsDeleting do), or undefined when a deletion already under way is left
   * as it is: only a shorter grace period than the running one changes it, or, once no grace
   * period runs, a change of the garbage collector's finalizers (`finalizersChanged`).
   */
  private markDeleting(current: KubeObject, graceSeconds: number, requested: number | undefined, now: number, finalizersChanged = false): KubeObject | undefined {
    const meta = current.metadata ?? {};
    const marked = structuredClone(current);
    if (meta.deletionTimestamp) {
      const running = meta.deletionGracePeriodSeconds ?? 0;
      if (requested === undefined || running === 0 || requested >= running) return running === 0 && finalizersChanged ? marked : undefined;
      const shortened = Date.parse(meta.deletionTimestamp) + (requested - running) * 1000;
      marked.metadata!.deletionTimestamp = rfc3339(shortened);
      marked.metadata!.deletionGracePeriodSeconds = requested;
      return marked;
    }
    marked.metadata!.deletionTimestamp = rfc3339(now + graceSeconds * 1000);
    marked.metadata!.deletionGracePeriodSeconds = graceSeconds;
    if (meta.generation) marked.metadata!.generation = meta.generation + 1;
    this.def.strategy?.prepareForDelete?.(marked, current);
    return marked;
  }

  /** Deletes what the list matches; answers with that list as it was read, as upstream's DeleteCollection does. */
  async deleteCollection(namespace: string, list: ListOptions, ctx: RequestContext, opts: DeleteOptions = {}): Promise<KubeList> {
    const listed = await this.list(namespace, { filter: list.filter, name: list.name });
    for (const obj of listed.items) {
      try {
        await this.delete(obj.metadata?.namespace ?? namespace, obj.metadata!.name!, ctx, opts);
      } catch (err) {
        // Deleted meanwhile by someone else: that is what was asked.
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
    }
    return listed;
  }

  // ---------------------------------------------------------------- helpers

  /** A review-style resource: defaulted and validated like a create, answered without storing. */
  private async answerVirtual(obj: KubeObject, ctx: RequestContext): Promise<KubeObject> {
    const strategy = this.def.strategy;
    strategy?.defaults?.(obj);
    this.throwIfInvalid(obj, strategy?.validate?.(obj, ctx) ?? []);
    return this.def.virtual!.create(obj, ctx, this.resources);
  }

  private readonly converted = new WeakMap<KeyValue, KubeObject>();

  /** The stored object in this resource's shape (memoised per stored revision; read-only). */
  private decode(kv: KeyValue): KubeObject {
    const raw = decodeFromStorage(kv, this.transformer);
    const conv = this.def.storageConversion;
    if (!conv) return raw;
    let obj = this.converted.get(kv);
    if (!obj) {
      obj = conv.fromStored(raw);
      obj.metadata = { ...obj.metadata, resourceVersion: raw.metadata?.resourceVersion };
      this.converted.set(kv, obj);
    }
    return obj;
  }

  private encode(obj: KubeObject, key: string): Uint8Array {
    const conv = this.def.storageConversion;
    return encodeForStorage(conv ? conv.toStored(obj) : obj, key, this.transformer);
  }

  /**
   * Writes again, unchanged, every stored object whose value the transformer reports stale (plain,
   * or sealed with a key that no longer writes), so all are encrypted with the current write key
   * (`kts secrets-encrypt reencrypt`, upstream's storage migration). An object changed meanwhile
   * was written with the current key anyway. `onProgress` gets objects seen and the total.
   */
  async rewriteStale(onProgress?: (done: number, total: number) => void): Promise<{ total: number; rewritten: number }> {
    const transformer = this.transformer;
    const prefix = this.prefix();
    const { count: total } = await this.backend.count(prefix);
    let done = 0;
    let rewritten = 0;
    let from: string | undefined = prefix;
    while (from !== undefined) {
      const page = await this.backend.list(prefix, { from, limit: 200 });
      for (const kv of page.kvs) {
        done++;
        if (!transformer || !transformer.fromStorage(kv.value, kv.key).stale) continue;
        const res = await this.backend.update(kv.key, this.encode(this.decode(kv), kv.key), kv.modRevision, kv.lease ? { lease: kv.lease } : {});
        if (res.succeeded) rewritten++;
      }
      onProgress?.(done, Math.max(total, done));
      from = page.continueFrom;
    }
    return { total: done, rewritten };
  }

  /** Everything that holds back deletion: metadata.finalizers and the type's own (namespaces). */
  finalizersOf(obj: KubeObject): string[] {
    return [...(obj.metadata?.finalizers ?? []), ...(this.def.extraFinalizers?.(obj) ?? [])];
  }

  private gracePeriod(obj: KubeObject, opts: DeleteOptions): number {
    return this.def.gracefulDeletion ? this.def.gracefulDeletion(obj, opts.gracePeriodSeconds) : 0;
  }

  /** Delete preconditions, worded as upstream's BeforeDelete (which names the kind, not the resource). */
  private checkPreconditions(obj: KubeObject, opts: DeleteOptions, name: string): void {
    const pre = opts.preconditions;
    const target = { group: this.def.group, resource: this.kind, name };
    if (pre?.uid && pre.uid !== obj.metadata?.uid) {
      throw errors.conflict(target, `the UID in the precondition (${pre.uid}) does not match the UID in record (${obj.metadata?.uid}). The object might have been deleted and then recreated`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata?.resourceVersion) {
      throw errors.conflict(
        target,
        `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${obj.metadata?.resourceVersion}). The object might have been modified`,
      );
    }
  }

  /** A failed storage precondition, as upstream's InterpretUpdateError words it (the etcd3 StorageError text). */
  private storageConflict(namespace: string, name: string, why: string): ApiError {
    return errors.conflict(this.target(name), `StorageError: invalid object, Code: 4, Key: ${this.key(namespace, name)}, ResourceVersion: 0, AdditionalErrorMsg: ${why}`);
  }

  /** 409 AlreadyExists; upstream prefixes "object is being deleted: " when the existing object is terminating. */
  private alreadyExists(name: string, existing: KeyValue | undefined): ApiError {
    const err = errors.alreadyExists(this.target(name));
    if (!existing || !this.decode(existing).metadata?.deletionTimestamp) return err;
    return new ApiError(err.code, err.reason, `object is being deleted: ${err.message}`, err.details);
  }

  private checkTypeMeta(obj: KubeObject): void {
    if (obj.apiVersion && obj.apiVersion !== this.apiVersion) {
      throw errors.badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${this.apiVersion})`);
    }
    if (obj.kind && obj.kind !== this.kind) {
      throw errors.badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${this.kind})`);
    }
    obj.apiVersion = this.apiVersion;
    obj.kind = this.kind;
  }

  private throwIfInvalid(obj: KubeObject, problems: FieldError[]): void {
    if (problems.length > 0) throw errors.invalid({ ...this.target(obj.metadata?.name), kind: this.kind }, problems);
  }

  private parseRv(text: string): number {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) throw errors.badRequest(`invalid resource version: ${JSON.stringify(text)}`);
    return n;
  }

  private leases = new Map<number, { id: number; expires: number }>();
  /** Objects with a TTL share one store lease per minute, as kube-apiserver's lease manager does. */
  private async leaseFor(ttlSeconds: number): Promise<number> {
    const now = Date.now();
    const held = this.leases.get(ttlSeconds);
    if (held && held.expires - now > ttlSeconds * 1000 - 60_000) return held.id;
    const lease = await this.backend.grantLease(ttlSeconds + 60);
    this.leases.set(ttlSeconds, { id: lease.id, expires: now + (ttlSeconds + 60) * 1000 });
    return lease.id;
  }

  /** Runs a store read, turning compaction (410, or `onCompacted`'s error) and future revisions (504) into API errors. */
  private async read<T>(fn: () => Promise<T>, onCompacted?: () => ApiError): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof CompactedError) {
        throw onCompacted?.() ?? errors.resourceExpired(`too old resource version: ${err.requestedRevision} (${err.compactRevision})`);
      }
      if (err instanceof FutureRevisionError) throw tooLargeRv(err.requestedRevision, err.currentRevision);
      throw err;
    }
  }

  private translate(err: unknown): unknown {
    if (err instanceof ApiError) return err;
    const code = (err as { code?: string }).code;
    if (code === "value-too-large") return errors.tooLarge("etcdserver: request is too large");
    return err;
  }
}

/**
 * The context admission sees: the request's dry-run flag (also when only the options said so)
 * and the subresource the write goes through (status, scale).
 */
function admissionContext(ctx: RequestContext, dryRun: boolean | undefined, subresource?: string): RequestContext {
  if ((!dryRun || ctx.dryRun) && (!subresource || ctx.subresource)) return ctx;
  return { ...ctx, dryRun: ctx.dryRun || Boolean(dryRun), subresource: ctx.subresource ?? subresource };
}

/** A plain Go error that reached upstream's handler: a Status with the code and message but no reason. */
class UnknownServerError extends ApiError {
  constructor(code: number, message: string) {
    super(code, "InternalError", message);
  }

  override toStatus(): Status {
    const { reason: _omitted, ...status } = super.toStatus();
    return status;
  }
}

/** Upstream's answer to a resourceVersion newer than the store: its NewTooLargeResourceVersionError, as the watch cache retries it. */
function tooLargeRv(rv: number, current: number): ApiError {
  return new ApiError(
    504,
    "Timeout",
    `Timeout: Too large resource version: ${rv}, current: ${current}`,
    { causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }], retryAfterSeconds: 1 },
    { "Retry-After": "1" },
  );
}

/** 410 for an exact list at a compacted revision (upstream's etcd3 wording). */
function listExpired(): ApiError {
  return errors.resourceExpired("The resourceVersion for the provided list is too old.");
}

/** A copy of `obj` with these finalizers (none: the field is left out, as Go's omitempty does). */
function withFinalizers(obj: KubeObject, finalizers: string[]): KubeObject {
  const { finalizers: _replaced, ...rest } = obj.metadata ?? {};
  return { ...obj, metadata: finalizers.length > 0 ? { ...rest, finalizers } : rest };
}
