/**
 * The pods/eviction subresource (upstream pkg/registry/core/pod/storage/eviction.go): a
 * policy/v1 Eviction deletes the pod unless that would break a PodDisruptionBudget. A budget that
 * allows a disruption is charged (disruptionsAllowed - 1, the pod noted in disruptedPods) before
 * the pod is deleted; one that does not is a 429 the client retries.
 */
import type { KubeObject } from "../../api/types.ts";
import type { ExtraSubresource, ResourceLookup, SubresourceRequest } from "../../registry/definition.ts";
import type { DeleteOptions, GenericStore } from "../../registry/store.ts";
import { ApiError, errors, type Status } from "../../api/errors.ts";
import { PlainServerError } from "../../api/plain-error.ts";
import { rfc3339 } from "../../registry/object-meta.ts";
import { labelSelectorFromObject } from "../../selectors/index.ts";
import { setStatusCondition } from "../../validation/conditions.ts";
import type { DeleteOptionsBody, Eviction, PodDisruptionBudget } from "../policy/types.ts";
import type { Pod } from "./types.ts";

/** upstream's MaxDisruptedPodSize: evictions the disruption controller has not yet caught up with. */
const MAX_DISRUPTED_PODS = 2000;
/** Conflicting writes of a budget retried before giving up (upstream retries for ~10s). */
const PDB_RETRIES = 20;
const VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget.";

/** 429 TooManyRequests with the DisruptionBudget cause, as upstream's NewTooManyRequests plus cause. */
function tooManyRequests(retryAfterSeconds: number, cause: string): ApiError {
  const details: NonNullable<Status["details"]> = { causes: [{ reason: "DisruptionBudget", message: cause }] };
  if (retryAfterSeconds > 0) details.retryAfterSeconds = retryAfterSeconds;
  return new ApiError(429, "TooManyRequests", VIOLATION, details, retryAfterSeconds > 0 ? { "Retry-After": String(retryAfterSeconds) } : undefined);
}

/** upstream's createTooManyRequestsError: the budget has not been recomputed since it changed. */
function stillProcessing(pdbName: string): ApiError {
  return tooManyRequests(10, `The disruption budget ${pdbName} is still being processed by the server.`);
}

function success(): KubeObject {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 };
}

/** upstream's canIgnorePDB: a finished, pending or already deleting pod has no budget to protect. */
function canIgnoreBudget(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === "Succeeded" || phase === "Failed" || phase === "Pending" || Boolean(pod.metadata?.deletionTimestamp);
}

function isReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

/** The Eviction's DeleteOptions as the store takes them; a dryRun on the URL applies too (upstream's propagateDryRun). */
function deleteOptionsOf(body: DeleteOptionsBody | undefined, urlDryRun: boolean): DeleteOptions {
  const bodyDryRun = body?.dryRun ?? [];
  if (urlDryRun && bodyDryRun.length > 0 && !(bodyDryRun.length === 1 && bodyDryRun[0] === "All")) {
    throw new PlainServerError(`Non-matching dry-run options in request and content: [All] and [${bodyDryRun.join(" ")}]`);
  }
  const opts: DeleteOptions = { dryRun: urlDryRun || bodyDryRun.length > 0 };
  if (typeof body?.gracePeriodSeconds === "number") opts.gracePeriodSeconds = body.gracePeriodSeconds < 0 ? 1 : body.gracePeriodSeconds;
  if (body?.propagationPolicy) opts.propagationPolicy = body.propagationPolicy as DeleteOptions["propagationPolicy"];
  if (body?.orphanDependents !== undefined && opts.propagationPolicy === undefined) opts.propagationPolicy = body.orphanDependents ? "Orphan" : "Background";
  const pre = body?.preconditions;
  if (pre?.uid || pre?.resourceVersion) opts.preconditions = { uid: pre.uid, resourceVersion: pre.resourceVersion };
  return opts;
}

/**
 * The budgets of the pod's namespace whose selector matches it. In policy/v1 an empty selector
 * matches every pod (upstream stores it as its internal match-all selector); a missing or
 * invalid one matches nothing.
 */
async function budgetsFor(resources: ResourceLookup, pod: Pod): Promise<PodDisruptionBudget[]> {
  const store = resources.lookup("policy", "v1", "poddisruptionbudgets");
  if (!store) return [];
  const namespace = pod.metadata?.namespace ?? "";
  const all = (await store.list(namespace)).items as unknown as PodDisruptionBudget[];
  return all.filter((pdb) => {
    if (pdb.metadata?.namespace !== namespace) return false;
    try {
      return labelSelectorFromObject(pdb.spec?.selector).matches(pod.metadata?.labels ?? {});
    } catch {
      return false;
    }
  });
}

/**
 * upstream's checkAndDecrement on the current budget: refuse, or take one disruption and note the
 * pod (the controller drops the note once it sees the pod gone).
 */
function charge(current: PodDisruptionBudget, podName: string, now: number, dryRun: boolean): PodDisruptionBudget {
  const status = current.status ?? {};
  const name = current.metadata?.name ?? "";
  if ((status.observedGeneration ?? 0) < (current.metadata?.generation ?? 0)) throw stillProcessing(name);
  const allowed = status.disruptionsAllowed ?? 0;
  const target = { group: "policy", resource: "poddisruptionbudget", name };
  if (allowed < 0) throw errors.forbidden(target, "pdb disruptions allowed is negative");
  if (Object.keys(status.disruptedPods ?? {}).length > MAX_DISRUPTED_PODS) {
    throw errors.forbidden(target, "DisruptedPods map too big - too many evictions not confirmed by PDB controller");
  }
  if (allowed === 0) {
    throw tooManyRequests(0, `The disruption budget ${name} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`);
  }
  const next = structuredClone(current);
  const nextStatus = (next.status ??= {});
  nextStatus.disruptionsAllowed = allowed - 1;
  if (nextStatus.disruptionsAllowed === 0) {
    // upstream's UpdateDisruptionAllowedCondition: the budget is spent.
    nextStatus.conditions = setStatusCondition(
      nextStatus.conditions ?? [],
      { type: "DisruptionAllowed", status: "False", reason: "InsufficientPods", message: "", observedGeneration: nextStatus.observedGeneration },
      rfc3339(now),
    );
  }
  if (!dryRun) nextStatus.disruptedPods = { ...nextStatus.disruptedPods, [podName]: rfc3339(now) };
  return next;
}

/** Charges the budget through its /status, recomputing on conflicts as upstream's RetryOnConflict does. */
async function chargeBudget(store: GenericStore, pdb: PodDisruptionBudget, podName: string, req: SubresourceRequest, dryRun: boolean): Promise<void> {
  const namespace = pdb.metadata?.namespace ?? "";
  const name = pdb.metadata?.name ?? "";
  for (let attempt = 0; ; attempt++) {
    try {
      const budget = attempt === 0 ? pdb : (structuredClone(await store.get(namespace, name)) as unknown as PodDisruptionBudget);
      const next = charge(budget, podName, req.ctx.now, dryRun);
      if (dryRun) return;
      await store.update(namespace, name, next as unknown as KubeObject, req.ctx, { subresource: "status" });
      return;
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 409)) throw err;
      if (attempt >= PDB_RETRIES) throw errors.timeout(`Timeout: couldn't update PodDisruptionBudget "${name}" due to conflicts`, 10);
    }
  }
}

async function evict(req: SubresourceRequest, body: KubeObject): Promise<{ object: KubeObject; code?: number }> {
  const eviction = body as unknown as Eviction;
  if (eviction.kind && eviction.kind !== "Eviction") throw errors.badRequest(`not a Eviction object: ${eviction.kind}`);
  if ((eviction.metadata?.name ?? "") !== req.name) throw errors.badRequest("name in URL does not match name in Eviction object");
  if (eviction.metadata?.namespace && eviction.metadata.namespace !== req.namespace) {
    throw errors.badRequest("the namespace of the provided object does not match the namespace sent on the request");
  }
  const opts = deleteOptionsOf(eviction.deleteOptions, req.dryRun);
  const pods = req.store;
  const pod = (await pods.get(req.namespace, req.name)) as unknown as Pod;
  const ctx = { ...req.ctx, dryRun: Boolean(opts.dryRun) };

  if (canIgnoreBudget(pod)) {
    // Guard against the pod turning into one a budget protects meanwhile (upstream's shouldEnforceResourceVersion).
    const phase = pod.status?.phase;
    const terminal = phase === "Succeeded" || phase === "Failed" || Boolean(pod.metadata?.deletionTimestamp);
    const guarded = terminal || opts.preconditions?.resourceVersion ? opts : { ...opts, preconditions: { ...opts.preconditions, resourceVersion: pod.metadata?.resourceVersion } };
    await deleteWithCondition(pods, req, pod, ctx, guarded);
    return { object: success() };
  }

  const budgets = await budgetsFor(req.resources, pod);
  if (budgets.length > 1) {
    // Upstream answers this as a Status in the (201) create response, not as an error.
    return { object: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.", code: 500 } };
  }
  let guardReadiness = false;
  const pdb = budgets[0];
  if (pdb) {
    const status = pdb.status ?? {};
    const healthyEnough = (status.currentHealthy ?? 0) >= (status.desiredHealthy ?? 0) && (status.desiredHealthy ?? 0) > 0;
    if (!isReady(pod) && (pdb.spec?.unhealthyPodEvictionPolicy === "AlwaysAllow" || healthyEnough)) {
      // An unhealthy pod does not count towards the budget: delete it without charging, as long as it stays unready.
      guardReadiness = true;
    } else {
      await chargeBudget(req.resources.lookup("policy", "v1", "poddisruptionbudgets")!, pdb, req.name, req, Boolean(opts.dryRun));
    }
  }
  const guarded = guardReadiness ? { ...opts, preconditions: { ...opts.preconditions, resourceVersion: pod.metadata?.resourceVersion } } : opts;
  try {
    await deleteWithCondition(pods, req, pod, ctx, guarded);
  } catch (err) {
    if (guardReadiness && !opts.preconditions?.resourceVersion && err instanceof ApiError && err.code === 409) throw stillProcessing(pdb!.metadata?.name ?? "");
    throw err;
  }
  return { object: success() };
}

/**
 * upstream's addConditionAndDeletePod: the pod first gets DisruptionTarget=True (reason
 * EvictionByEvictionAPI), so its owner and its Job's podFailurePolicy can tell an eviction from
 * a failure, then it is deleted. A resourceVersion precondition guards the condition write and
 * then moves to the version that write made.
 */
async function deleteWithCondition(pods: GenericStore, req: SubresourceRequest, pod: Pod, ctx: SubresourceRequest["ctx"], opts: DeleteOptions): Promise<void> {
  if (!opts.dryRun) {
    const expectedRv = opts.preconditions?.resourceVersion;
    // With a precondition the write itself checks the version; without, it applies to the latest pod.
    const next = structuredClone(expectedRv ? pod : ((await pods.get(req.namespace, req.name)) as unknown as Pod));
    if (expectedRv) next.metadata = { ...next.metadata, resourceVersion: expectedRv };
    const status = (next.status ??= {});
    const conditions = (status.conditions ??= []);
    const held = conditions.find((c) => c.type === "DisruptionTarget");
    const condition = { type: "DisruptionTarget", status: "True", reason: "EvictionByEvictionAPI", message: "Eviction API: evicting" };
    // podutil.UpdatePodCondition: the transition time moves only when the status does.
    if (held) Object.assign(held, condition, held.status === "True" ? {} : { lastTransitionTime: rfc3339(ctx.now) });
    else conditions.push({ ...condition, lastTransitionTime: rfc3339(ctx.now) });
    const { object } = await pods.update(req.namespace, req.name, next as unknown as KubeObject, ctx, { subresource: "status" });
    if (expectedRv) opts = { ...opts, preconditions: { ...opts.preconditions, resourceVersion: object.metadata?.resourceVersion } };
  }
  await pods.delete(req.namespace, req.name, ctx, opts);
}

export const evictionSubresource: ExtraSubresource = { name: "eviction", kind: "Eviction", group: "policy", version: "v1", verbs: ["create"], create: evict };
