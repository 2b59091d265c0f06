import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import type { RequestContext, SubresourceRequest } from "../../registry/definition.ts";
import type { GenericStore } from "../../registry/store.ts";
import { ApiError } from "../../api/errors.ts";
import { Registry } from "../../registry/registry.ts";
import { tempStore } from "../../../store/sqlite/testing.ts";
import { podDisruptionBudgetDefinition } from "../policy/poddisruptionbudgets.ts";
import { evictionSubresource } from "./pod-eviction.ts";
import { podDefinition } from "./pod.ts";
import { apiFailure as failure } from "../../api/testing.ts";

let backend: ReturnType<typeof tempStore>;
let registry: Registry;
let pods: GenericStore;
let pdbs: GenericStore;
beforeAll(() => {
  backend = tempStore();
  registry = new Registry(backend);
  pods = registry.add(podDefinition);
  pdbs = registry.add(podDisruptionBudgetDefinition);
});
afterAll(() => backend.dispose());

const NS = "default";
const ctx = (): RequestContext => ({ user: { username: "admin", groups: ["system:masters"] }, namespace: NS, dryRun: false, now: Date.now() });
let seq = 0;

/** A pod in `phase`, Ready or not, labelled app=<app>. */
async function pod(app: string, phase: string, ready = true): Promise<string> {
  const name = `p${++seq}`;
  await pods.create(NS, { apiVersion: "v1", kind: "Pod", metadata: { name, labels: { app } }, spec: { containers: [{ name: "c", image: "busybox" }] } }, ctx());
  const status = { phase, conditions: [{ type: "Ready", status: ready ? "True" : "False" }] };
  await pods.update(NS, name, { ...(await pods.get(NS, name)), status }, ctx(), { subresource: "status" });
  return name;
}

/** A budget over app=<app> whose status the disruption controller has computed. */
async function budget(app: string, status: Record<string, unknown>, spec: Record<string, unknown> = {}): Promise<string> {
  const name = `b${++seq}`;
  await pdbs.create(NS, { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name }, spec: { minAvailable: 1, selector: { matchLabels: { app } }, ...spec } }, ctx());
  const current = await pdbs.get(NS, name);
  await pdbs.update(NS, name, { ...current, status: { observedGeneration: 1, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1, disruptionsAllowed: 0, ...status } }, ctx(), { subresource: "status" });
  return name;
}

function evict(name: string, body: Partial<KubeObject> = {}, dryRun = false): Promise<{ object: KubeObject; code?: number }> {
  const req: SubresourceRequest = { store: pods, namespace: NS, name, ctx: ctx(), dryRun, resources: registry };
  return evictionSubresource.create!(req, { apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace: NS }, ...body } as KubeObject);
}


const gone = (name: string) =>
  pods.get(NS, name).then(
    () => false,
    (err: unknown) => err instanceof ApiError && err.code === 404,
  );
const SUCCESS = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 };

describe("pods/eviction", () => {
  test("an evicted pod gets DisruptionTarget (EvictionByEvictionAPI) before it is deleted", async () => {
    const name = await pod("marked", "Running");
    // A finalizer keeps the deleted pod readable.
    await pods.update(NS, name, { ...(await pods.get(NS, name)), metadata: { ...(await pods.get(NS, name)).metadata, finalizers: ["example.com/hold"] } }, ctx());
    expect(await evict(name)).toEqual({ object: SUCCESS });
    const evicted = (await pods.get(NS, name)) as { metadata?: { deletionTimestamp?: string }; status?: { conditions?: Array<Record<string, string>> } };
    expect(evicted.metadata?.deletionTimestamp).toBeString();
    expect(evicted.status?.conditions?.find((c) => c.type === "DisruptionTarget")).toMatchObject({ status: "True", reason: "EvictionByEvictionAPI", message: "Eviction API: evicting" });
  });

  test("policy/v1: a budget with an empty selector covers every pod of its namespace", async () => {
    const name = await pod("anything", "Running");
    await budget("unused", { disruptionsAllowed: 0 }, { selector: {} });
    const err = await failure(evict(name));
    expect(err.code).toBe(429);
    // Leave no match-all budget behind for the other tests.
    for (const b of (await pdbs.list(NS)).items) if (Object.keys((b.spec as { selector?: object }).selector ?? {}).length === 0) await pdbs.delete(NS, b.metadata!.name!, ctx(), {});
  });

  test("without a budget the pod is deleted and the answer is a Success Status", async () => {
    const name = await pod("free", "Running");
    expect(await evict(name)).toEqual({ object: SUCCESS });
    expect(await gone(name)).toBe(true);
  });

  test("a budget with no disruption left refuses with 429 and upstream's cause", async () => {
    const name = await pod("guarded", "Running");
    const b = await budget("guarded", { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1 });
    const err = await failure(evict(name));
    expect(err.toStatus()).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
      reason: "TooManyRequests",
      code: 429,
      details: { causes: [{ reason: "DisruptionBudget", message: `The disruption budget ${b} needs 1 healthy pods and has 1 currently` }] },
    });
    expect(err.headers).toBeUndefined();
    expect(await gone(name)).toBe(false);
  });

  test("a budget the controller has not caught up with is 429 with Retry-After 10", async () => {
    const name = await pod("stale", "Running");
    const b = await budget("stale", { observedGeneration: 0, disruptionsAllowed: 3 });
    const err = await failure(evict(name));
    expect(err.code).toBe(429);
    expect(err.details).toEqual({ causes: [{ reason: "DisruptionBudget", message: `The disruption budget ${b} is still being processed by the server.` }], retryAfterSeconds: 10 });
    expect(err.headers).toEqual({ "Retry-After": "10" });
  });

  test("an allowed disruption is spent: decremented, the pod noted, the condition set, then the pod deleted", async () => {
    const name = await pod("spend", "Running");
    const b = await budget("spend", { disruptionsAllowed: 1, currentHealthy: 2 });
    expect(await evict(name)).toEqual({ object: SUCCESS });
    expect(await gone(name)).toBe(true);
    const status = (await pdbs.get(NS, b)).status as Record<string, unknown>;
    expect(status.disruptionsAllowed).toBe(0);
    expect(Object.keys(status.disruptedPods as object)).toEqual([name]);
    expect(status.conditions).toEqual([expect.objectContaining({ type: "DisruptionAllowed", status: "False", reason: "InsufficientPods", message: "", observedGeneration: 1 })]);
  });

  test("a dry run charges nothing and deletes nothing", async () => {
    const name = await pod("dry", "Running");
    const b = await budget("dry", { disruptionsAllowed: 1, currentHealthy: 2 });
    expect(await evict(name, {}, true)).toEqual({ object: SUCCESS });
    expect(await gone(name)).toBe(false);
    expect(((await pdbs.get(NS, b)).status as Record<string, unknown>).disruptionsAllowed).toBe(1);
  });

  test("finished and pending pods are evicted whatever the budget says", async () => {
    for (const phase of ["Succeeded", "Failed", "Pending"]) {
      const name = await pod(`done-${phase}`, phase);
      await budget(`done-${phase}`, { disruptionsAllowed: 0 });
      expect(await evict(name)).toEqual({ object: SUCCESS });
      expect(await gone(name)).toBe(true);
    }
  });

  test("an unready pod goes without charging a budget that is healthy, or one that always allows", async () => {
    const name = await pod("sick", "Running", false);
    const b = await budget("sick", { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 1 });
    expect(await evict(name)).toEqual({ object: SUCCESS });
    expect(((await pdbs.get(NS, b)).status as Record<string, unknown>).disruptionsAllowed).toBe(0);
    const other = await pod("sick2", "Running", false);
    await budget("sick2", { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 1 }, { unhealthyPodEvictionPolicy: "AlwaysAllow" });
    expect(await evict(other)).toEqual({ object: SUCCESS });
    expect(await gone(other)).toBe(true);
  });

  test("two budgets over one pod: a 500 Status in the answer, as upstream", async () => {
    const name = await pod("twice", "Running");
    await budget("twice", { disruptionsAllowed: 1 });
    await budget("twice", { disruptionsAllowed: 1 });
    expect(await evict(name)).toEqual({
      object: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.", code: 500 },
    });
    expect(await gone(name)).toBe(false);
  });

  test("the Eviction must name the pod; its DeleteOptions preconditions are honoured", async () => {
    const name = await pod("named", "Running");
    const err = await failure(evict(name, { metadata: { name: "other" } }));
    expect(err.toStatus()).toMatchObject({ code: 400, reason: "BadRequest", message: "name in URL does not match name in Eviction object" });
    const conflict = await failure(evict(name, { deleteOptions: { preconditions: { uid: "not-the-uid" } } }));
    expect(conflict.code).toBe(409);
    expect(await gone(name)).toBe(false);
  });

  test("a missing pod is 404", async () => {
    expect((await failure(evict("no-such-pod"))).toStatus()).toMatchObject({ code: 404, message: 'pods "no-such-pod" not found' });
  });
});
