/**
 * The garbage collector (upstream's pkg/controller/garbagecollector): deletes objects whose
 * owners are gone, carries out foreground deletion (dependents first, then the owner's
 * foregroundDeletion finalizer) and orphaning (owner references removed from the dependents,
 * then the owner's orphan finalizer). The graph comes from informers over every deletable
 * resource; every decision re-reads the objects involved from the API server, so a graph that
 * lags behind never deletes what still has an owner.
 *
 * After a restart the informers' first lists rebuild the graph: owners known only from
 * references are checked, and dependents of owners deleted meanwhile are collected.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { Client, ServedResource } from "../../client/index.ts";
import type { Logger } from "../../log/index.ts";
import type { Controller } from "../runner.ts";
import { ApiError } from "../../apiserver/api/errors.ts";
import { runWorkers, WorkQueue } from "../../client/index.ts";
import { forEachConcurrent } from "../concurrency.ts";
import { AbsentOwners } from "./absent-owners.ts";
import { classifyOwner, type ClassifiedOwners, decide, unblocked, withoutReferences } from "./decisions.ts";
import { Graph, type GraphNode } from "./graph.ts";
import { GraphBuilder } from "./graph-builder.ts";
import { describe, FOREGROUND_FINALIZER, hasFinalizer, type Identity, identityOfReference, ORPHAN_FINALIZER, type OwnerReference } from "./identity.ts";
import { Monitors } from "./monitors.ts";

export interface GarbageCollectorOptions {
  /** Workers deciding about objects (kube-controller-manager's --concurrent-gc-syncs, 20). */
  workers?: number;
  /** How often the served resources are checked for new ones (ms). */
  resourceResyncMs?: number;
  /** "group/resource" entries never monitored; upstream's defaults (events) when absent. */
  ignoredResources?: readonly string[];
}

/** An item to look at again later, without counting as a failure worth logging. */
class Requeue extends Error {}

/** An owner reference the REST mapping does not know (yet: a custom resource may appear). */
class UnknownKindError extends Error {}

const MERGE_PATCH = "application/merge-patch+json";
const CONFLICT_RETRIES = 5;

function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.code === 404;
}

function isConflict(err: unknown): boolean {
  return err instanceof ApiError && err.code === 409;
}

export class GarbageCollector implements Controller {
  readonly name = "garbage-collector-controller";
  readonly graph = new Graph();
  private readonly absentOwners = new AbsentOwners();
  private readonly deleteQueue = new WorkQueue();
  private readonly orphanQueue = new WorkQueue();
  private readonly builder: GraphBuilder;
  private readonly monitors: Monitors;
  private workers: Promise<unknown> | undefined;

  constructor(
    private readonly client: Client,
    private readonly log: Logger,
    private readonly opts: GarbageCollectorOptions = {},
  ) {
    this.builder = new GraphBuilder(
      this.graph,
      {
        attemptToDelete: (uid) => this.deleteQueue.add(uid),
        attemptToDeleteLater: (uid) => this.deleteQueue.addRateLimited(uid),
        attemptToOrphan: (uid) => this.orphanQueue.add(uid),
      },
      this.absentOwners,
      log,
    );
    this.monitors = new Monitors(client, (change) => this.builder.observe(change), log, {
      resyncMs: opts.resourceResyncMs ?? 30_000,
      ignoredResources: opts.ignoredResources,
    });
  }

  /** The resources being monitored ("group/version/resource"), for tests and logs. */
  get monitored(): string[] {
    return this.monitors.monitored;
  }

  async start(): Promise<void> {
    // Workers start once every informer has listed, as upstream waits for its caches: decisions
    // about virtual owners are then about owners that really are missing.
    await this.monitors.start();
    const n = this.opts.workers ?? 20;
    const onError = (what: string) => (key: string, err: unknown) => {
      if (err instanceof Requeue) return;
      const node = this.graph.get(key);
      this.log.v(err instanceof UnknownKindError ? 4 : 0).info(`${what} failed; retrying`, { item: node ? describe(node.identity) : key, err });
    };
    this.workers = Promise.all([
      runWorkers(this.deleteQueue, n, (uid) => this.attemptToDelete(uid), onError("garbage collection")),
      runWorkers(this.orphanQueue, n, (uid) => this.attemptToOrphan(uid), onError("orphaning")),
    ]);
  }

  async stop(): Promise<void> {
    this.monitors.stop();
    this.deleteQueue.shutdown();
    this.orphanQueue.shutdown();
    await this.workers;
  }

  /** Checks the served resources now (new custom resources), instead of at the next resync. */
  resyncResources(): Promise<void> {
    return this.monitors.resync();
  }

  // ---------------------------------------------------------------- attemptToDelete

  private async attemptToDelete(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    if (!node) return;
    const verdict = await this.attemptToDeleteItem(node);
    // A virtual node stays under watch until an informer shows it (or it is found absent): an
    // object created and deleted while a watch restarted must not leave it in the graph.
    if (verdict !== "absent" && this.graph.get(uid)?.virtual) throw new Requeue();
  }

  private async attemptToDeleteItem(item: GraphNode): Promise<"absent" | "done"> {
    // Deletion under way without foreground: only its final removal is left to wait for.
    if (item.beingDeleted && !item.deletingDependents) return "done";
    const latest = await this.getObject(item.identity);
    if (!latest || latest.metadata?.uid !== item.uid) {
      this.builder.virtualDelete(item.identity);
      return "absent";
    }
    if (item.deletingDependents) {
      await this.processDeletingDependents(item);
      return "done";
    }
    const refs = latest.metadata?.ownerReferences ?? [];
    if (refs.length === 0) return "done";
    const owners = await this.classify(item, refs);
    if (!owners) return "done";
    const dependents = [...item.dependents];
    const decision = decide(latest, owners, { count: dependents.length, anyDeletingDependents: dependents.some((d) => d.deletingDependents) });
    switch (decision.kind) {
      case "keep":
        return "done";
      case "removeReferences":
        this.log.v(2).info("removing references to absent or deleting owners", { item: describe(item.identity), owners: decision.uids });
        await this.patchReferences(item, latest, withoutReferences(refs, decision.uids));
        return "done";
      case "deleteForeground":
        if (decision.unblockFirst) await this.patchReferences(item, latest, unblocked(refs));
        this.log.v(2).info("deleting in the foreground: an owner waits for its dependents", { item: describe(item.identity) });
        await this.deleteObject(item, "Foreground");
        return "done";
      case "delete":
        this.log.v(2).info("deleting object whose owners are gone", { item: describe(item.identity), propagationPolicy: decision.policy });
        await this.deleteObject(item, decision.policy);
        return "done";
    }
  }

  /** A foreground deletion: once no blocking dependent is left, the owner's finalizer goes. */
  private async processDeletingDependents(item: GraphNode): Promise<void> {
    const blocking = item.blockingDependents();
    if (blocking.length === 0) {
      await this.removeFinalizer(item, FOREGROUND_FINALIZER);
      return;
    }
    for (const dep of blocking) if (!dep.deletingDependents) this.deleteQueue.add(dep.uid);
  }

  /** Each owner as solid, dangling or waiting; undefined when the references can never be resolved. */
  private async classify(item: GraphNode, refs: OwnerReference[]): Promise<ClassifiedOwners | undefined> {
    const out: ClassifiedOwners = { solid: [], dangling: [], waiting: [] };
    for (const ref of refs) {
      const owner = await this.lookUpOwner(ref, item);
      if (owner === "invalid") return undefined;
      out[classifyOwner(owner, ref)].push(ref);
    }
    return out;
  }

  /** The owner as it stands, undefined when absent (404 or another uid), or "invalid" (a cluster-scoped object naming a namespaced owner). */
  private async lookUpOwner(ref: OwnerReference, item: GraphNode): Promise<KubeObject | undefined | "invalid"> {
    const clusterKey = identityOfReference(ref, "");
    const namespacedKey = identityOfReference(ref, item.identity.namespace);
    if (this.absentOwners.has(clusterKey) || this.absentOwners.has(namespacedKey)) return undefined;
    const resource = this.resourceFor(ref.apiVersion, ref.kind);
    if (resource.namespaced && item.identity.namespace === "") {
      this.log.v(2).info("cluster-scoped object refers to a namespaced owner; ignored", { item: describe(item.identity), owner: ref.name });
      return "invalid";
    }
    const owner = await this.get(resource, resource.namespaced ? item.identity.namespace : "", ref.name);
    if (!owner || owner.metadata?.uid !== ref.uid) {
      this.absentOwners.add(resource.namespaced ? namespacedKey : clusterKey);
      return undefined;
    }
    return owner;
  }

  // ---------------------------------------------------------------- attemptToOrphan

  /** Removes the owner from its dependents' references, then its orphan finalizer. */
  private async attemptToOrphan(uid: string): Promise<void> {
    const owner = this.graph.get(uid);
    if (!owner) return;
    const failures: unknown[] = [];
    await forEachConcurrent([...owner.dependents], 16, async (dep) => {
      try {
        await this.withConflictRetries(async () => {
          const latest = await this.getObject(dep.identity);
          if (!latest || latest.metadata?.uid !== dep.uid) return;
          const refs = latest.metadata?.ownerReferences ?? [];
          const kept = withoutReferences(refs, [uid]);
          if (kept.length !== refs.length) await this.patchReferences(dep, latest, kept);
        });
      } catch (err) {
        if (!isNotFound(err)) failures.push(err);
      }
    });
    if (failures.length > 0) throw new Error(`orphaning the dependents of ${describe(owner.identity)} failed: ${failures.map(String).join("; ")}`);
    await this.removeFinalizer(owner, ORPHAN_FINALIZER);
  }

  // ---------------------------------------------------------------- API calls

  private resourceFor(apiVersion: string, kind: string): ServedResource {
    const resource = this.monitors.mapper.resourceFor(apiVersion, kind);
    if (resource) return resource;
    // Perhaps a resource served since the last resync; retried after it.
    void this.monitors.resync().catch(() => {});
    throw new UnknownKindError(`no served resource for ${kind} in ${apiVersion}`);
  }

  private async get(resource: ServedResource, namespace: string, name: string): Promise<KubeObject | undefined> {
    try {
      return await this.client.get(resource, namespace, name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private getObject(id: Identity): Promise<KubeObject | undefined> {
    const { resource, namespace } = this.locate(id);
    return this.get(resource, namespace, id.name);
  }

  /** The object's resource, and the namespace to address it in (none for cluster-scoped kinds). */
  private locate(id: Identity): { resource: ServedResource; namespace: string } {
    const resource = this.resourceFor(id.apiVersion, id.kind);
    return { resource, namespace: resource.namespaced ? id.namespace : "" };
  }

  /** Deletes the object if it still has this uid (a recreated object of the same name is left alone). */
  private async deleteObject(item: GraphNode, policy: "Orphan" | "Background" | "Foreground"): Promise<void> {
    const { resource, namespace } = this.locate(item.identity);
    try {
      await this.client.delete(resource, namespace, item.identity.name, { propagationPolicy: policy, preconditions: { uid: item.uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Replaces the owner references of the object as read (a conflict means it changed: decided again). */
  private async patchReferences(item: GraphNode, latest: KubeObject, refs: OwnerReference[]): Promise<void> {
    const { resource, namespace } = this.locate(item.identity);
    const patch = { metadata: { resourceVersion: latest.metadata?.resourceVersion, ownerReferences: refs.length > 0 ? refs : null } };
    await this.client.patch(resource, namespace, item.identity.name, MERGE_PATCH, patch);
  }

  private async removeFinalizer(item: GraphNode, finalizer: string): Promise<void> {
    await this.withConflictRetries(async () => {
      const latest = await this.getObject(item.identity);
      if (!latest || latest.metadata?.uid !== item.uid || !hasFinalizer(latest, finalizer)) return;
      const kept = (latest.metadata?.finalizers ?? []).filter((f) => f !== finalizer);
      const { resource, namespace } = this.locate(item.identity);
      const patch = { metadata: { resourceVersion: latest.metadata?.resourceVersion, finalizers: kept.length > 0 ? kept : null } };
      try {
        await this.client.patch(resource, namespace, item.identity.name, MERGE_PATCH, patch);
        this.log.v(2).info("removed finalizer", { item: describe(item.identity), finalizer });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    });
  }

  private async withConflictRetries(fn: () => Promise<void>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!isConflict(err) || attempt >= CONFLICT_RETRIES) throw err;
      }
    }
  }
}
