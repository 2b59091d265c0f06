/**
 * The in-process Client for components running inside the server (controllers, scheduler): the
 * same generic store, admission and validation as HTTP requests, without TLS or serialization.
 * Given an authorizer it acts as its user with exactly that user's rights (each component has its
 * own identity, as kube-controller-manager's service accounts do), refused with the Forbidden an
 * HTTP client would get; without one it is the API server's own privileged loopback client.
 */
import type { Client, DeleteOptions, ListOptions, PatchType, ResourceRef, ServedResource, WatchEvent, WatchOptions } from "../client/index.ts";
import type { KubeList, KubeObject } from "./api/types.ts";
import type { RequestContext, UserInfo } from "./registry/definition.ts";
import type { GenericStore } from "./registry/store.ts";
import type { Registry } from "./registry/registry.ts";
import type { Authorizer } from "./http/authz.ts";
import { ApiError, errors } from "./api/errors.ts";
import { forbiddenReason, resourceAttributes } from "./http/authz.ts";
import { filtersFor } from "./http/filters.ts";
import { applyPatch } from "./patch/index.ts";
import { applyToObject } from "./apply/store-fields.ts";
import type { JsonObject } from "./patch/json-value.ts";

export const CONTROLLER_USER: UserInfo = { username: "system:kube-controller-manager", groups: ["system:masters", "system:authenticated"] };

export class LocalClient implements Client {
  constructor(
    private readonly registry: Registry,
    private readonly user: UserInfo = CONTROLLER_USER,
    private readonly authorizer?: Authorizer,
  ) {}

  /** Refuses what the user may not do, with upstream's Forbidden (nothing to check for the privileged client). */
  private async authorize(verb: string, ref: ResourceRef, namespace: string, name = "", subresource = "", fieldSelector?: string): Promise<void> {
    if (!this.authorizer) return;
    const query = fieldSelector ? new URLSearchParams({ fieldSelector }) : undefined;
    const attrs = resourceAttributes(this.user, { verb, group: ref.group, version: ref.version, resource: ref.resource, subresource, namespace, name }, query);
    const d = await this.authorizer.authorize(attrs);
    if (d.allowed) return;
    const reason = forbiddenReason(attrs);
    throw errors.forbidden({ group: ref.group, resource: subresource ? `${ref.resource}/${subresource}` : ref.resource, name: name || undefined }, d.reason ? `${reason}: ${d.reason}` : reason);
  }

  private store(ref: ResourceRef): GenericStore {
    const store = this.registry.lookup(ref.group, ref.version, ref.resource);
    if (!store) throw new ApiError(404, "NotFound", `the server could not find the requested resource (${ref.resource}.${ref.group || "core"}/${ref.version})`, {});
    return store;
  }

  private ctx(namespace: string): RequestContext {
    return { user: this.user, namespace, dryRun: false, now: Date.now() };
  }

  async get(ref: ResourceRef, namespace: string, name: string): Promise<KubeObject> {
    const store = this.store(ref);
    await this.authorize("get", ref, namespace, name);
    return store.get(namespace, name);
  }

  async list(ref: ResourceRef, namespace: string, opts: ListOptions = {}): Promise<KubeList> {
    const store = this.store(ref);
    await this.authorize("list", ref, namespace, "", "", opts.fieldSelector);
    const filters = filtersFor(store.def, opts.labelSelector ?? "", opts.fieldSelector ?? "");
    return store.list(namespace, { ...filters, limit: opts.limit, continue: opts.continue, resourceVersion: opts.resourceVersion });
  }

  async *watch(ref: ResourceRef, namespace: string, opts: WatchOptions, signal: AbortSignal): AsyncIterable<WatchEvent> {
    const store = this.store(ref);
    await this.authorize("watch", ref, namespace, "", "", opts.fieldSelector);
    const filters = filtersFor(store.def, opts.labelSelector ?? "", opts.fieldSelector ?? "");
    yield* store.watch(namespace, { ...filters, resourceVersion: opts.resourceVersion, bookmarkEveryMs: opts.allowBookmarks ? 60_000 : undefined }, signal);
  }

  async create(ref: ResourceRef, namespace: string, obj: KubeObject): Promise<KubeObject> {
    const store = this.store(ref);
    await this.authorize("create", ref, namespace);
    return store.create(namespace, structuredClone(obj), this.ctx(namespace));
  }

  async update(ref: ResourceRef, namespace: string, obj: KubeObject, opts: { subresource?: string } = {}): Promise<KubeObject> {
    const name = obj.metadata?.name ?? "";
    const store = this.store(ref);
    const sub = opts.subresource;
    await this.authorize("update", ref, namespace, name, sub);
    if (sub === undefined || sub === "status") return (await store.update(namespace, name, obj, this.ctx(namespace), { subresource: sub })).object;
    // Other subresources are served by the definition's own handler, as over HTTP.
    const handler = store.def.extraSubresources?.find((s) => s.name === sub)?.update;
    if (!handler) throw new ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", {});
    const req = { store, namespace, name, ctx: this.ctx(namespace), dryRun: false, resources: this.registry };
    return handler(req, structuredClone(obj));
  }

  async patch(ref: ResourceRef, namespace: string, name: string, type: PatchType, patch: unknown, opts: { subresource?: "status" } = {}): Promise<KubeObject> {
    const store = this.store(ref);
    await this.authorize("patch", ref, namespace, name, opts.subresource);
    const body = JSON.stringify(patch);
    const { object } = await store.readModifyWrite(namespace, name, this.ctx(namespace), { subresource: opts.subresource }, (current) => {
      if (!current) throw new ApiError(404, "NotFound", `${ref.resource} "${name}" not found`, { name, kind: ref.resource });
      return applyPatch(type, current, body, { group: store.def.group, kind: store.def.kind });
    });
    return object;
  }

  /**
   * Server-side apply of a whole object as `fieldManager`, created when missing: what PATCH with
   * `application/apply-patch+yaml` does over HTTP (src/apiserver/http/handlers/server-side-apply.ts).
   */
  async apply(ref: ResourceRef, namespace: string, obj: KubeObject, opts: { fieldManager: string; force?: boolean }): Promise<KubeObject> {
    const store = this.store(ref);
    const name = obj.metadata?.name ?? "";
    await this.authorize("patch", ref, namespace, name);
    const ctx: RequestContext = { ...this.ctx(namespace), fieldManager: opts.fieldManager };
    const config = structuredClone(obj) as unknown as JsonObject;
    const { object } = await store.readModifyWrite(
      namespace,
      name,
      ctx,
      { applied: true },
      (current) => {
        const applied = applyToObject(store.fieldTypes, store.def, current, structuredClone(config), ctx, { force: opts.force === true });
        if (store.def.namespaced) (applied.metadata ??= {}).namespace = namespace;
        return applied;
      },
      true,
    );
    return object;
  }

  async delete(ref: ResourceRef, namespace: string, name: string, opts: DeleteOptions = {}): Promise<KubeObject> {
    const store = this.store(ref);
    await this.authorize("delete", ref, namespace, name);
    return (await store.delete(namespace, name, this.ctx(namespace), opts)).object;
  }

  async resources(): Promise<ServedResource[]> {
    return this.registry.definitions().map((d) => ({
      group: d.group,
      version: d.version,
      resource: d.plural,
      kind: d.kind,
      namespaced: d.namespaced,
      verbs: d.verbs ?? ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
    }));
  }
}
