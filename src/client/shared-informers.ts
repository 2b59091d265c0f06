/**
 * The shared informer factory (client-go's SharedInformerFactory): one informer per resource and
 * selector in a process, whichever controllers ask for it, so N controllers watching pods cost one
 * list and one watch. Controllers take informers in their constructor, add handlers and indexes,
 * and start them (start is idempotent); the factory stops them all together.
 */
import type { Logger } from "../log/index.ts";
import { Informer, type IndexFunc } from "./informer.ts";
import type { KubeObject } from "../apiserver/api/types.ts";
import type { Client, ResourceRef } from "./types.ts";
import { refKey } from "./types.ts";

export interface InformerScope {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/**
 * client-go's TransformStripManagedFields, as kube-controller-manager and kube-scheduler set it: no
 * controller reads field ownership, and it is often the largest part of a cached object. Updates
 * built from a cached object send no managedFields, which keeps the stored ones.
 */
export function stripManagedFields(obj: KubeObject): KubeObject {
  if (obj.metadata?.managedFields === undefined) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

export class SharedInformerFactory {
  private readonly informers = new Map<string, Informer>();
  private stopped = false;

  constructor(
    readonly client: Client,
    private readonly log?: Logger,
  ) {}

  /** The process's informer for this resource and scope, created on first use (not started). */
  informer(ref: ResourceRef, scope: InformerScope = {}, indexes: Record<string, IndexFunc> = {}): Informer {
    const key = [refKey(ref), scope.namespace ?? "", scope.labelSelector ?? "", scope.fieldSelector ?? ""].join("|");
    let inf = this.informers.get(key);
    if (!inf) {
      if (this.stopped) throw new Error("informer factory is stopped");
      inf = new Informer(this.client, ref, {
        ...scope,
        transform: stripManagedFields,
        onError: (err) => this.log?.v(2).info("informer list/watch failed; retrying", { resource: ref.resource, err }),
      });
      this.informers.set(key, inf);
    }
    for (const [name, fn] of Object.entries(indexes)) inf.addIndex(name, fn);
    return inf;
  }

  /** Starts every informer made so far; resolves once all have filled their caches. */
  async start(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.start()));
  }

  stop(): void {
    this.stopped = true;
    for (const inf of this.informers.values()) inf.stop();
  }
}

/** Resolves once every informer has filled its cache (client-go's WaitForCacheSync). */
export async function waitForSync(...informers: Informer[]): Promise<void> {
  await Promise.all(informers.map((i) => i.start()));
}
