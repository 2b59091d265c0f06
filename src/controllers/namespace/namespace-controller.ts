/**
 * The namespace controller (upstream's pkg/controller/namespace): once a namespace is marked for
 * deletion, it makes sure its phase reads Terminating, deletes everything in it, keeps the
 * deletion conditions current, and, once nothing is left, removes the "kubernetes" finalizer
 * through namespaces/finalize — the write that lets the namespace go.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { Client } from "../../client/index.ts";
import type { Logger } from "../../log/index.ts";
import type { Controller } from "../runner.ts";
import { ApiError } from "../../apiserver/api/errors.ts";
import { Informer, runWorkers, WorkQueue } from "../../client/index.ts";
import { updateConditions, type NamespaceCondition } from "./conditions.ts";
import { ContentDeleter } from "./content-deleter.ts";

const NAMESPACES = { group: "", version: "v1", resource: "namespaces" };
export const KUBERNETES_FINALIZER = "kubernetes";

/** First recheck of a namespace with content left; doubles up to upstream's estimate/2 + 1 s. */
const FIRST_RECHECK_MS = 250;
const CONFLICT_RETRIES = 5;

interface NamespaceShape {
  spec?: { finalizers?: string[] };
  status?: { phase?: string; conditions?: NamespaceCondition[] };
}

const shape = (ns: KubeObject) => ns as KubeObject & NamespaceShape;

function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.code === 404;
}

function isConflict(err: unknown): boolean {
  return err instanceof ApiError && err.code === 409;
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export interface NamespaceControllerOptions {
  /** Namespaces handled at once (kube-controller-manager's --concurrent-namespace-syncs, 10). */
  workers?: number;
  /** Deletes in flight per resource. */
  deleteConcurrency?: number;
}

export class NamespaceController implements Controller {
  readonly name = "namespace-controller";
  private readonly queue = new WorkQueue();
  private readonly informer: Informer;
  private readonly deleter: ContentDeleter;
  /** Consecutive passes that left content, per namespace: spaces out the rechecks. */
  private readonly waits = new Map<string, number>();
  private workers: Promise<void> | undefined;

  constructor(
    private readonly client: Client,
    private readonly log: Logger,
    private readonly opts: NamespaceControllerOptions = {},
  ) {
    this.deleter = new ContentDeleter(client, opts.deleteConcurrency);
    const enqueue = (ns: KubeObject) => {
      if (ns.metadata?.deletionTimestamp) this.queue.add(ns.metadata.name!);
    };
    this.informer = new Informer(client, NAMESPACES, { onError: (err) => log.v(2).info("namespace informer error; retrying", { err }) }).on({
      add: enqueue,
      update: (_, ns) => enqueue(ns),
    });
  }

  async start(): Promise<void> {
    await this.informer.start();
    this.workers = runWorkers(this.queue, this.opts.workers ?? 10, (name) => this.sync(name), (name, err) =>
      this.log.warn("namespace deletion failed; retrying", { namespace: name, err }),
    );
  }

  async stop(): Promise<void> {
    this.informer.stop();
    this.queue.shutdown();
    await this.workers;
  }

  /** One pass over a namespace being deleted. */
  private async sync(name: string): Promise<void> {
    let ns = await this.get(name);
    if (!ns?.metadata?.deletionTimestamp) return this.done(name);
    ns = await this.ensureTerminating(ns);
    if (!ns) return this.done(name);
    // Already finalized: only other parties' metadata finalizers hold it now.
    if ((shape(ns).spec?.finalizers ?? []).length === 0) return this.done(name);

    const deletedAt = Date.parse(ns.metadata!.deletionTimestamp!);
    const { estimateSeconds, report } = await this.deleter.deleteAll(name, deletedAt);
    await this.writeConditions(ns, report);
    if (report.discoveryError || report.contentErrors.length > 0) {
      throw new Error([report.discoveryError, ...report.contentErrors].filter(Boolean).join("; "));
    }
    if (estimateSeconds > 0) {
      const waited = this.waits.get(name) ?? 0;
      this.waits.set(name, waited + 1);
      const delay = Math.min((estimateSeconds / 2 + 1) * 1000, FIRST_RECHECK_MS * 2 ** waited);
      this.log.v(4).info("content remains in the namespace; checking again", { namespace: name, estimateSeconds, delayMs: delay });
      this.queue.addAfter(name, delay);
      return;
    }
    await this.finalize(name);
    this.done(name);
    this.log.v(2).info("namespace finalized", { namespace: name });
  }

  private done(name: string): void {
    this.waits.delete(name);
  }

  private async get(name: string): Promise<KubeObject | undefined> {
    try {
      return await this.client.get(NAMESPACES, "", name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** The phase reads Terminating (the store sets it on delete; an older server may not have). */
  private async ensureTerminating(ns: KubeObject): Promise<KubeObject | undefined> {
    if (shape(ns).status?.phase === "Terminating") return ns;
    try {
      const next = structuredClone(ns) as KubeObject & NamespaceShape;
      next.status = { ...next.status, phase: "Terminating" };
      return await this.client.update(NAMESPACES, "", next, { subresource: "status" });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Upstream writes the conditions whatever happened, when they changed; a failed write is only logged. */
  private async writeConditions(ns: KubeObject, report: Parameters<typeof updateConditions>[1]): Promise<void> {
    const { conditions, changed } = updateConditions(shape(ns).status?.conditions ?? [], report, rfc3339(Date.now()));
    if (!changed) return;
    const next = structuredClone(ns) as KubeObject & NamespaceShape;
    next.status = { ...next.status, conditions };
    try {
      await this.client.update(NAMESPACES, "", next, { subresource: "status" });
    } catch (err) {
      if (!isNotFound(err)) this.log.v(2).info("could not update namespace conditions", { namespace: ns.metadata?.name, err });
    }
  }

  /** Removes this controller's finalizer through namespaces/finalize (the namespace goes once none is left). */
  private async finalize(name: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const ns = await this.get(name);
      if (!ns) return;
      const finalizers = shape(ns).spec?.finalizers ?? [];
      if (!finalizers.includes(KUBERNETES_FINALIZER)) return;
      const next = structuredClone(ns) as KubeObject & NamespaceShape;
      // Upstream sends the rest as a sorted set.
      next.spec = { ...next.spec, finalizers: [...new Set(finalizers.filter((f) => f !== KUBERNETES_FINALIZER))].sort() };
      try {
        await this.client.update(NAMESPACES, "", next, { subresource: "finalize" });
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err) || attempt >= CONFLICT_RETRIES) throw err;
      }
    }
  }
}
