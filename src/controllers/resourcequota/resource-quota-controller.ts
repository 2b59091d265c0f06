/**
 * The resource quota controller (kube-controller-manager's "resourcequota-controller"): keeps each
 * ResourceQuota's status current — status.hard follows spec.hard, status.used is recounted from
 * the objects in the namespace. A namespace is recounted when its quotas change, when a pod,
 * service or claim goes away or stops using compute (upstream's replenishment), and every
 * resync period (5 minutes, --resource-quota-sync-period). Admission charges creates in between.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { Informer, ResourceRef } from "../../client/index.ts";
import type { ControllerContext } from "../context.ts";
import { ApiError } from "../../apiserver/api/errors.ts";
import { formatResourceList, podCountsForQuota, quotaMatches, resourceOfQuotaName, scopedQuotaTracks, usageOf, type Usage } from "../../quota/index.ts";
import { KeyedController } from "../common/keyed-controller.ts";
import { realClock, type Clock } from "../common/clock.ts";
import { RESOURCE_QUOTAS } from "../common/types.ts";

const PODS: ResourceRef = { group: "", version: "v1", resource: "pods" };
const SERVICES: ResourceRef = { group: "", version: "v1", resource: "services" };
const CLAIMS: ResourceRef = { group: "", version: "v1", resource: "persistentvolumeclaims" };

interface Quota extends KubeObject {
  spec?: { hard?: Record<string, string> };
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
}

export interface ResourceQuotaControllerOptions {
  /** --resource-quota-sync-period: full recount of every namespace with quotas (5 min). */
  resyncMs?: number;
  workers?: number;
  clock?: Clock;
}

function sameList(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b).length && ka.every((k) => a![k] === b[k]);
}

export class ResourceQuotaController extends KeyedController {
  readonly name = "resourcequota-controller";
  private readonly quotas: Informer;
  private readonly informers: Map<string, Informer>;
  private readonly resyncMs: number;
  private resyncTimer: ReturnType<typeof setInterval> | undefined;

  constructor(ctx: ControllerContext, opts: ResourceQuotaControllerOptions = {}) {
    super(ctx, opts.clock ?? realClock, opts.workers ?? 5);
    this.resyncMs = opts.resyncMs ?? 5 * 60_000;
    const enqueue = (obj: KubeObject) => {
      const ns = obj.metadata?.namespace;
      if (ns) this.queue.add(ns);
    };
    this.quotas = this.watch(ctx.informers.informer(RESOURCE_QUOTAS), {
      add: enqueue,
      update: (old, cur) => {
        const before = (old as Quota).spec?.hard;
        const after = (cur as Quota).spec?.hard ?? {};
        if (!sameList(before, after) || !sameList((cur as Quota).status?.hard, after)) enqueue(cur);
      },
      delete: () => undefined,
    });
    // Replenishment: usage only shrinks when objects go, or pods stop counting.
    const replenish = (obj: KubeObject) => {
      if (this.hasQuotas(obj.metadata?.namespace)) enqueue(obj);
    };
    this.informers = new Map();
    for (const ref of [PODS, SERVICES, CLAIMS]) {
      const informer = this.watch(ctx.informers.informer(ref), {
        delete: replenish,
        update: (old, cur) => {
          if (ref === PODS && podCountsForQuota(old as Record<string, unknown>) && !podCountsForQuota(cur as Record<string, unknown>)) replenish(cur);
          if (ref === SERVICES && (old.spec as { type?: string })?.type !== (cur.spec as { type?: string })?.type) replenish(cur);
        },
      });
      this.informers.set(ref.resource, informer);
    }
  }

  private hasQuotas(namespace: string | undefined): boolean {
    return !!namespace && this.quotas.listIn(namespace).length > 0;
  }

  override async start(): Promise<void> {
    await super.start();
    this.resyncTimer = setInterval(() => {
      for (const q of this.quotas.list()) if (q.metadata?.namespace) this.queue.add(q.metadata.namespace);
    }, this.resyncMs);
    this.resyncTimer.unref?.();
  }

  override async stop(): Promise<void> {
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    await super.stop();
  }

  /** The objects of a resource in a namespace: from the shared informers when there is one, else listed. */
  private async objectsOf(group: string, resource: string, namespace: string): Promise<KubeObject[]> {
    const informer = group === "" ? this.informers.get(resource) : undefined;
    if (informer) return informer.listIn(namespace);
    const served = (await this.ctx.client.resources()).find((r) => r.group === group && r.resource === resource && r.namespaced && r.verbs.includes("list"));
    if (!served) return [];
    return (await this.ctx.client.list(served, namespace)).items;
  }

  protected async sync(namespace: string): Promise<void> {
    const quotas = this.quotas.listIn(namespace) as Quota[];
    const cache = new Map<string, Promise<KubeObject[]>>();
    const now = this.clock.now();
    for (const quota of quotas) {
      const hard = quota.spec?.hard ?? {};
      const used: Usage = new Map();
      for (const name of Object.keys(hard)) {
        const owner = resourceOfQuotaName(name);
        used.set(name, 0n);
        if (!owner || !scopedQuotaTracks(quota as Record<string, unknown>, name)) continue;
        const id = `${owner.group}/${owner.resource}`;
        if (!cache.has(id)) cache.set(id, this.objectsOf(owner.group, owner.resource, namespace));
        for (const obj of await cache.get(id)!) {
          if (!quotaMatches(quota as Record<string, unknown>, owner.group, owner.resource, obj as Record<string, unknown>)) continue;
          used.set(name, used.get(name)! + (usageOf(owner.group, owner.resource, obj as Record<string, unknown>, now).get(name) ?? 0n));
        }
      }
      const status = { hard: { ...hard }, used: formatResourceList(used, hard) };
      if (sameList(quota.status?.hard, status.hard) && sameList(quota.status?.used, status.used)) continue;
      try {
        await this.ctx.client.update(RESOURCE_QUOTAS, namespace, { ...quota, status }, { subresource: "status" });
      } catch (err) {
        // Charged by admission meanwhile: count again.
        if (err instanceof ApiError && err.code === 409) return this.queue.add(namespace);
        if (err instanceof ApiError && err.code === 404) continue;
        throw err;
      }
    }
  }
}
