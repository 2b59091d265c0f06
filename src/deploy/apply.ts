/**
 * Applies manifest objects with server-side apply, as one field manager, resolving each object's
 * kind to its resource through discovery (looked up again when a kind is unknown: a CRD applied a
 * moment ago). Every applied object is annotated with the addon (file) it came from, which is how
 * a disabled component's objects are found and deleted, and only those.
 */
import type { KubeObject } from "../apiserver/api/types.ts";
import type { Client, ResourceRef, ServedResource } from "../client/index.ts";

/** What the deploy controller needs of a client: reads, deletes and server-side apply. */
export type DeployClient = Pick<Client, "get" | "delete" | "resources"> & {
  apply(ref: ResourceRef, namespace: string, obj: KubeObject, opts: { fieldManager: string; force?: boolean }): Promise<KubeObject>;
};

export const FIELD_MANAGER = "kts-deploy";
export const ADDON_ANNOTATION = "kts.io/addon";
/** Namespaced objects without a namespace go where k3s puts them: the addons' namespace. */
export const DEFAULT_NAMESPACE = "kube-system";

export class Applier {
  private kinds = new Map<string, ServedResource>();

  constructor(private readonly client: DeployClient) {}

  private async resolve(obj: KubeObject): Promise<ServedResource> {
    const [group, version] = obj.apiVersion!.includes("/") ? obj.apiVersion!.split("/") : ["", obj.apiVersion!];
    const key = `${group}/${version}/${obj.kind}`;
    let r = this.kinds.get(key);
    if (!r) {
      this.kinds = new Map((await this.client.resources()).filter((s) => !s.resource.includes("/")).map((s) => [`${s.group}/${s.version}/${s.kind}`, s]));
      r = this.kinds.get(key);
    }
    if (!r) throw new Error(`no resource serves ${obj.apiVersion} ${obj.kind}`);
    return r;
  }

  /** Applies one object of `addon`; returns "kind/name" for logs. */
  async apply(obj: KubeObject, addon: string): Promise<string> {
    const r = await this.resolve(obj);
    const namespace = r.namespaced ? (obj.metadata?.namespace ?? DEFAULT_NAMESPACE) : "";
    const body: KubeObject = {
      ...obj,
      metadata: { ...obj.metadata, ...(namespace ? { namespace } : {}), annotations: { ...obj.metadata?.annotations, [ADDON_ANNOTATION]: addon } },
    };
    await this.client.apply(r, namespace, body, { fieldManager: FIELD_MANAGER, force: true });
    return `${obj.kind}/${namespace ? `${namespace}/` : ""}${obj.metadata?.name}`;
  }

  /** Deletes the object if it exists and came from `addon`; returns whether it did. */
  async deleteIfOwned(obj: KubeObject, addon: string): Promise<boolean> {
    const r = await this.resolve(obj);
    const namespace = r.namespaced ? (obj.metadata?.namespace ?? DEFAULT_NAMESPACE) : "";
    let current: KubeObject;
    try {
      current = await this.client.get(r, namespace, obj.metadata?.name ?? "");
    } catch (err) {
      if ((err as { code?: number }).code === 404) return false;
      throw err;
    }
    if (current.metadata?.annotations?.[ADDON_ANNOTATION] !== addon) return false;
    try {
      await this.client.delete(r, namespace, obj.metadata?.name ?? "", { propagationPolicy: "Background" });
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
    }
    return true;
  }
}
