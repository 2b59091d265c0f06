/**
 * Deletes everything in a terminating namespace, across every namespaced resource the server
 * serves (custom resources included), and reports what is left (upstream's deleteAllContent).
 * Objects are deleted with Background propagation, so the garbage collector never adds an orphan
 * finalizer to them. What remains because of finalizers or pods' grace periods is waited for;
 * anything else left over is an error.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { Client, ServedResource } from "../../client/index.ts";
import type { DeletionReport } from "./conditions.ts";
import { ApiError } from "../../apiserver/api/errors.ts";
import { forEachConcurrent } from "../concurrency.ts";
import { preferredResources } from "../preferred-resources.ts";

/** Upstream's guess at how long finalizers take, when objects wait on some. */
export const FINALIZER_ESTIMATE_SECONDS = 15;

export interface ContentDeletion {
  /** Seconds until what is left should be gone; 0 once the namespace is empty. */
  estimateSeconds: number;
  report: DeletionReport;
}

/** Go's %v of a GroupVersionResource, as upstream's error messages print it. */
function gvrText(r: ServedResource): string {
  return `{${r.group} ${r.version} ${r.resource}}`;
}

function ignorable(err: unknown): boolean {
  return err instanceof ApiError && (err.code === 404 || err.code === 405);
}

interface PodLike {
  spec?: { terminationGracePeriodSeconds?: number };
  status?: { phase?: string };
}

/** The longest grace period of the pods still running, unless the namespace has been terminating longer. */
function podsEstimate(pods: KubeObject[], deletedAt: number, now: number): number {
  let estimate = 0;
  for (const obj of pods) {
    const pod = obj as PodLike;
    if (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") continue;
    estimate = Math.max(estimate, pod.spec?.terminationGracePeriodSeconds ?? 0);
  }
  return now - deletedAt >= estimate * 1000 ? 0 : estimate;
}

export class ContentDeleter {
  constructor(
    private readonly client: Client,
    /** Deletes in flight per resource (the store commits concurrent writes together). */
    private readonly concurrency = 64,
  ) {}

  async deleteAll(namespace: string, deletedAt: number): Promise<ContentDeletion> {
    const report: DeletionReport = { contentErrors: [], remaining: new Map(), finalizersRemaining: new Map() };
    let served: ServedResource[] = [];
    try {
      served = await this.client.resources();
    } catch (err) {
      // Not fatal: whatever is known is still deleted.
      report.discoveryError = err instanceof Error ? err.message : String(err);
    }
    let estimate = 0;
    for (const r of preferredResources(served)) {
      if (!r.namespaced || !r.verbs.includes("delete") || !r.verbs.includes("list")) continue;
      const left = await this.deleteResource(r, namespace, deletedAt);
      estimate = Math.max(estimate, left.estimate);
      if (left.error !== undefined) report.contentErrors.push(left.error);
      if (left.count === 0) continue;
      report.remaining.set(`${r.resource}.${r.group}`, left.count);
      for (const [f, n] of left.finalizers) report.finalizersRemaining.set(f, (report.finalizersRemaining.get(f) ?? 0) + n);
    }
    return { estimateSeconds: estimate, report };
  }

  /** Deletes one resource's objects; what is left of them, how long it should take to go, and what went wrong. */
  private async deleteResource(r: ServedResource, namespace: string, deletedAt: number): Promise<ResourceLeft> {
    const none: ResourceLeft = { estimate: 0, count: 0, finalizers: new Map() };
    let graceEstimate = 0;
    try {
      const { items } = await this.client.list(r, namespace);
      if (items.length === 0) return none;
      if (r.group === "" && r.resource === "pods") graceEstimate = podsEstimate(items, deletedAt, Date.now());
      let failure: unknown;
      await forEachConcurrent(items, this.concurrency, async (obj) => {
        try {
          await this.client.delete(r, namespace, obj.metadata!.name!, { propagationPolicy: "Background" });
        } catch (err) {
          if (!ignorable(err)) failure ??= err;
        }
      });
      if (failure) throw failure;
      const left = (await this.client.list(r, namespace)).items;
      if (left.length === 0) return none;
      const finalizers = new Map<string, number>();
      for (const obj of left) for (const f of obj.metadata?.finalizers ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
      if (graceEstimate > 0) return { estimate: graceEstimate, count: left.length, finalizers };
      // Finalizers are a normal reason to wait; anything else should have gone.
      if (finalizers.size > 0) return { estimate: FINALIZER_ESTIMATE_SECONDS, count: left.length, finalizers };
      return { estimate: 0, count: left.length, finalizers, error: `unexpected items still remain in namespace: ${namespace} for gvr: ${gvrText(r)}` };
    } catch (err) {
      return { ...none, estimate: graceEstimate, error: err instanceof Error ? err.message : String(err) };
    }
  }
}

interface ResourceLeft {
  estimate: number;
  count: number;
  finalizers: Map<string, number>;
  error?: string;
}
