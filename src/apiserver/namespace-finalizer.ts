/**
 * Finishes namespace deletion: once a namespace is marked for deletion, everything in it is
 * deleted, then its "kubernetes" finalizer is removed and the namespace goes away. Until the
 * controller manager lands, this runs inside the API server (kube-apiserver leaves it to
 * kube-controller-manager's namespace controller).
 */
import type { Logger } from "../log/index.ts";
import type { KubeObject } from "./api/types.ts";
import type { Registry } from "./registry/registry.ts";
import { ApiError } from "./api/errors.ts";
import { systemContext } from "./bootstrap.ts";

const RETRY_MS = 2000;

export class NamespaceFinalizer {
  private readonly abort = new AbortController();
  private readonly busy = new Set<string>();

  constructor(
    private readonly registry: Registry,
    private readonly log: Logger,
  ) {}

  start(): void {
    void this.run();
  }

  stop(): void {
    this.abort.abort();
  }

  private async run(): Promise<void> {
    const namespaces = this.registry.lookup("", "v1", "namespaces");
    if (!namespaces) return;
    while (!this.abort.signal.aborted) {
      try {
        for await (const ev of namespaces.watch("", {}, this.abort.signal)) {
          if ((ev.type === "ADDED" || ev.type === "MODIFIED") && ev.object.metadata?.deletionTimestamp) void this.finalize(ev.object);
        }
      } catch (err) {
        if (!this.abort.signal.aborted) this.log.warn("namespace watch failed; retrying", { err });
      }
      if (!this.abort.signal.aborted) await Bun.sleep(RETRY_MS);
    }
  }

  private async finalize(ns: KubeObject): Promise<void> {
    const name = ns.metadata!.name!;
    if (this.busy.has(name)) return;
    this.busy.add(name);
    try {
      while (!this.abort.signal.aborted) {
        const left = await this.deleteContents(name);
        if (left === 0) break;
        await Bun.sleep(500);
      }
      const store = this.registry.lookup("", "v1", "namespaces")!;
      await store.readModifyWrite("", name, systemContext(), {}, (current) => {
        if (!current) throw new ApiError(404, "NotFound", "gone");
        const next = structuredClone(current);
        const spec = (next.spec ?? {}) as { finalizers?: string[] };
        spec.finalizers = (spec.finalizers ?? []).filter((f) => f !== "kubernetes");
        next.spec = spec;
        return next;
      });
      this.log.v(2).info("namespace finalized", { namespace: name });
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) this.log.warn("finalizing namespace failed", { namespace: name, err });
    } finally {
      this.busy.delete(name);
    }
  }

  /** Deletes everything in the namespace; returns how many objects were still there. */
  private async deleteContents(namespace: string): Promise<number> {
    let left = 0;
    for (const store of this.registry.all()) {
      if (!store.def.namespaced || !(store.def.verbs ?? ["delete"]).includes("delete")) continue;
      const { items } = await store.list(namespace);
      left += items.length;
      for (const obj of items) {
        if (obj.metadata?.deletionTimestamp) continue;
        try {
          await store.delete(namespace, obj.metadata!.name!, { ...systemContext(), namespace }, { propagationPolicy: "Background" });
        } catch (err) {
          if (!(err instanceof ApiError && err.code === 404)) throw err;
        }
      }
    }
    return left;
  }
}
