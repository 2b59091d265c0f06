/**
 * The apiextensions controllers, running inside the API server as upstream's do: for each CRD,
 * accept its names (naming.ts), establish it, serve its versions (serving.ts), and on deletion
 * remove its objects before letting it go (cleanup.ts). Upstream runs these as separate
 * controllers chained through watch events; here one pass does all steps in order with the
 * object each status write returns, so a CRD is served a few milliseconds after its creation.
 */
import type { Backend } from "../../store/index.ts";
import type { Logger } from "../../log/index.ts";
import type { Client } from "../../client/index.ts";
import type { OpenApi } from "../openapi/index.ts";
import type { Registry } from "../registry/registry.ts";
import { Informer, runWorkers, WorkQueue } from "../../client/index.ts";
import { ApiError } from "../api/errors.ts";
import { systemContext } from "../bootstrap.ts";
import { approvalCondition } from "./api-approval.ts";
import { conditionEquivalent, findCondition, isConditionTrue, setCondition } from "./conditions.ts";
import { CleanupFailed, deleteInstances } from "./cleanup.ts";
import { calculateNames, namesSettled } from "./naming.ts";
import { CrdServing } from "./serving.ts";
import { asCrd, CLEANUP_FINALIZER, CRD_REF, type CustomResourceDefinition } from "./types.ts";
import { caBundleProblem } from "./validation/conversion.ts";

/** Instance deletion can take a while; a few CRDs may be cleaned up at once. */
const CLEANUP_WORKERS = 2;

export interface CrdControllerDeps {
  registry: Registry;
  client: Client;
  backend: Backend;
  openapi?: OpenApi;
  log: Logger;
}

const numericRv = (crd: CustomResourceDefinition | undefined) => Number(crd?.metadata?.resourceVersion ?? 0);

export class CrdController {
  private readonly informer: Informer;
  private readonly queue = new WorkQueue();
  private readonly cleanupQueue = new WorkQueue();
  private readonly serving: CrdServing;
  private readonly abort = new AbortController();
  /** Our own status writes, newer than the informer may have seen yet (upstream's mutation cache). */
  private readonly written = new Map<string, CustomResourceDefinition>();

  constructor(private readonly deps: CrdControllerDeps) {
    this.serving = new CrdServing(deps.registry, deps.openapi, deps.log);
    this.informer = new Informer(deps.client, CRD_REF, { onError: (err) => deps.log.warn("CRD watch failed; retrying", { err }) });
    this.informer.on({
      add: (obj) => this.queue.add(obj.metadata!.name!),
      update: (_old, obj) => this.queue.add(obj.metadata!.name!),
      delete: (obj) => this.queue.add(obj.metadata!.name!),
    });
  }

  /**
   * Lists the stored CRDs and serves every one that may be served before resolving, so a
   * restarted server answers for custom resources as soon as it reports ready.
   */
  async start(): Promise<void> {
    await this.informer.start();
    for (const obj of this.informer.list()) {
      try {
        await this.sync(obj.metadata!.name!);
      } catch (err) {
        this.deps.log.warn("serving a stored CRD failed", { crd: obj.metadata?.name, err });
      }
    }
    const onError = (key: string, err: unknown) => this.deps.log.warn("CRD sync failed; retrying", { crd: key, err });
    void runWorkers(this.queue, 1, (key) => this.sync(key), onError);
    void runWorkers(this.cleanupQueue, CLEANUP_WORKERS, (key) => this.cleanup(key), onError);
  }

  stop(): void {
    this.abort.abort();
    this.informer.stop();
    this.queue.shutdown();
    this.cleanupQueue.shutdown();
  }

  /** The newest CRD of this name we know: the informer's, or our own later write. */
  private current(name: string): CustomResourceDefinition | undefined {
    const cached = this.informer.get(name) as CustomResourceDefinition | undefined;
    const ours = this.written.get(name);
    if (!cached) {
      this.written.delete(name);
      return undefined;
    }
    if (ours && ours.metadata?.uid === cached.metadata?.uid && numericRv(ours) > numericRv(cached)) return ours;
    this.written.delete(name);
    return cached;
  }

  private all(): CustomResourceDefinition[] {
    return this.informer.list().map((o) => this.current(o.metadata!.name!) ?? asCrd(o));
  }

  private async sync(name: string): Promise<void> {
    let crd = this.current(name);
    if (!crd) {
      this.serving.remove(name);
      this.serving.forgetUnusedSchemas(this.all());
      this.requeueGroup(name);
      return;
    }
    crd = await this.acceptNames(crd);
    if (!crd) return;
    crd = await this.establish(crd);
    if (!crd) return;
    crd = await this.recordApproval(crd);
    if (!crd) return;
    this.serving.sync(crd);
    if (crd.metadata?.deletionTimestamp && (crd.metadata.finalizers ?? []).includes(CLEANUP_FINALIZER)) this.cleanupQueue.add(name);
  }

  /** Writes a CRD's status; undefined when it changed or went meanwhile (its watch event brings us back). */
  private async writeStatus(crd: CustomResourceDefinition): Promise<CustomResourceDefinition | undefined> {
    try {
      const updated = asCrd(await this.deps.client.update(CRD_REF, "", crd, { subresource: "status" }));
      this.written.set(updated.metadata!.name!, updated);
      return updated;
    } catch (err) {
      if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return undefined;
      throw err;
    }
  }

  /** NamesAccepted (upstream's NamingConditionController). */
  private async acceptNames(crd: CustomResourceDefinition): Promise<CustomResourceDefinition | undefined> {
    if (namesSettled(crd)) return crd;
    const result = calculateNames(crd, this.all());
    const sameNames = JSON.stringify(result.acceptedNames) === JSON.stringify(crd.status?.acceptedNames);
    if (sameNames && conditionEquivalent(result.namesAccepted, findCondition(crd, "NamesAccepted"))) return crd;
    const next = structuredClone(crd);
    next.status!.acceptedNames = result.acceptedNames;
    setCondition(next, result.namesAccepted);
    setCondition(next, result.established);
    const updated = await this.writeStatus(next);
    // Names may have been given up: the group's other CRDs may now have theirs.
    if (updated) this.requeueGroup(updated.metadata!.name!);
    return updated;
  }

  /** Established (upstream's EstablishingController). */
  private async establish(crd: CustomResourceDefinition): Promise<CustomResourceDefinition | undefined> {
    if (!isConditionTrue(crd, "NamesAccepted") || isConditionTrue(crd, "Established")) return crd;
    const next = structuredClone(crd);
    const caBundle = crd.spec.conversion?.webhook?.clientConfig?.caBundle;
    if (crd.spec.conversion?.webhook?.clientConfig && caBundleProblem(caBundle ?? "") !== undefined) {
      setCondition(next, { type: "Established", status: "False", reason: "InvalidCABundle", message: "The conversion webhook CABundle is invalid" });
    } else {
      setCondition(next, { type: "Established", status: "True", reason: "InitialNamesAccepted", message: "the initial names have been accepted" });
    }
    return this.writeStatus(next);
  }

  /** KubernetesAPIApprovalPolicyConformant (upstream's API approval condition controller). */
  private async recordApproval(crd: CustomResourceDefinition): Promise<CustomResourceDefinition | undefined> {
    const condition = approvalCondition(crd);
    if (!condition || conditionEquivalent(condition, findCondition(crd, "KubernetesAPIApprovalPolicyConformant"))) return crd;
    const next = structuredClone(crd);
    setCondition(next, condition);
    return this.writeStatus(next);
  }

  private requeueGroup(name: string): void {
    const group = name.slice(name.indexOf(".") + 1);
    for (const other of this.all()) if (other.spec.group === group && other.metadata?.name !== name) this.queue.add(other.metadata!.name!);
  }

  /** The cleanup finalizer (upstream's CRDFinalizer). */
  private async cleanup(name: string): Promise<void> {
    const cached = this.current(name);
    if (!cached?.metadata?.deletionTimestamp || !(cached.metadata.finalizers ?? []).includes(CLEANUP_FINALIZER)) return;
    let crd = structuredClone(cached);
    setCondition(crd, { type: "Terminating", status: "True", reason: "InstanceDeletionInProgress", message: "CustomResource deletion is in progress" });
    const marked = await this.writeStatus(crd);
    if (!marked) return;
    crd = structuredClone(marked);
    // Terminating now: serving refuses new objects while the old ones go.
    this.serving.sync(crd);
    if (isConditionTrue(crd, "Established")) {
      try {
        setCondition(crd, await deleteInstances(crd, this.deps.backend, systemContext(), this.abort.signal));
      } catch (err) {
        if (!(err instanceof CleanupFailed)) throw err;
        setCondition(crd, err.condition);
        await this.writeStatus(crd);
        throw err;
      }
    } else {
      setCondition(crd, { type: "Terminating", status: "False", reason: "NeverEstablished", message: "resource was never established" });
    }
    const done = await this.writeStatus(crd);
    if (!done) return;
    const release = structuredClone(done);
    release.metadata!.finalizers = (release.metadata!.finalizers ?? []).filter((f) => f !== CLEANUP_FINALIZER);
    try {
      // The last finalizer gone, the store removes the CRD; its watch event stops the serving.
      await this.deps.client.update(CRD_REF, "", release);
    } catch (err) {
      if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) throw err;
    }
  }
}
