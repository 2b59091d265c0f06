import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { KubeObject } from "../api/types.ts";
import type { RequestContext } from "../registry/definition.ts";
import { Registry } from "../registry/registry.ts";
import { builtinDefinitions } from "../resources/index.ts";
import { tempStore } from "../../store/sqlite/testing.ts";
import { bootstrapPriorityClasses } from "../resources/scheduling/system-classes.ts";
import { defaultAdmission, NO_SERVICE_ACCOUNTS } from "./index.ts";
import { apiFailure as failure } from "../api/testing.ts";

let backend: ReturnType<typeof tempStore>;
let registry: Registry;
beforeAll(async () => {
  backend = tempStore();
  registry = new Registry(backend, defaultAdmission({ lookup: (g, v, r) => registry.lookup(g, v, r), disable: NO_SERVICE_ACCOUNTS }));
  for (const d of builtinDefinitions()) registry.add(d);
  await registry.lookup("", "v1", "namespaces")!.create("", { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } }, ctx(""));
  for (const c of bootstrapPriorityClasses()) await classes().create("", c, ctx(""));
  await classes().create("", pc("high", 1000), ctx(""));
  await classes().create("", { ...pc("never", 500), preemptionPolicy: "Never" }, ctx(""));
});
afterAll(async () => {
  await backend.dispose();
});

const ctx = (namespace: string): RequestContext => ({ user: { username: "admin", groups: ["system:masters"] }, namespace, dryRun: false, now: Date.now() });
const pods = () => registry.lookup("", "v1", "pods")!;
const classes = () => registry.lookup("scheduling.k8s.io", "v1", "priorityclasses")!;
const pc = (name: string, value: number, globalDefault = false): KubeObject => ({ apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name }, value, globalDefault });
const pod = (name: string, spec: Record<string, unknown> = {}): KubeObject => ({ apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { containers: [{ name: "c", image: "busybox" }], ...spec } });
const specOf = (o: KubeObject) => o.spec as { priority?: number; priorityClassName?: string; preemptionPolicy?: string };

describe("Priority admission", () => {
  test("a pod without a class gets priority 0 and PreemptLowerPriority while no default class exists", async () => {
    const created = await pods().create("default", pod("plain"), ctx("default"));
    expect(specOf(created)).toMatchObject({ priority: 0, preemptionPolicy: "PreemptLowerPriority" });
    expect(specOf(created).priorityClassName).toBeUndefined();
  });

  test("a named class sets priority and preemption policy", async () => {
    expect(specOf(await pods().create("default", pod("hi", { priorityClassName: "high" }), ctx("default")))).toMatchObject({ priority: 1000, preemptionPolicy: "PreemptLowerPriority" });
    expect(specOf(await pods().create("default", pod("nv", { priorityClassName: "never" }), ctx("default")))).toMatchObject({ priority: 500, preemptionPolicy: "Never" });
  });

  test("the system classes resolve", async () => {
    const created = await pods().create("default", pod("crit", { priorityClassName: "system-node-critical" }), ctx("default"));
    expect(specOf(created).priority).toBe(2000001000);
  });

  test("an unknown class is refused with 403", async () => {
    const err = await failure(pods().create("default", pod("x", { priorityClassName: "nope" }), ctx("default")));
    expect(err.code).toBe(403);
    expect(err.message).toBe('pods "x" is forbidden: no PriorityClass with name nope was found');
  });

  test("a priority that differs from the class's is refused", async () => {
    const err = await failure(pods().create("default", pod("y", { priorityClassName: "high", priority: 5 }), ctx("default")));
    expect(err.message).toBe('pods "y" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name');
    const same = await pods().create("default", pod("z", { priorityClassName: "high", priority: 1000 }), ctx("default"));
    expect(specOf(same).priority).toBe(1000);
    const policy = await failure(pods().create("default", pod("w", { priorityClassName: "never", preemptionPolicy: "PreemptLowerPriority" }), ctx("default")));
    expect(policy.message).toBe(
      'pods "w" is forbidden: the string value of PreemptionPolicy (PreemptLowerPriority) must not be provided in pod spec; priority admission controller computed Never from the given PriorityClass name',
    );
  });

  test("the global default class applies to pods without a class, and only one may exist", async () => {
    await classes().create("", pc("fallback", 7, true), ctx(""));
    const created = await pods().create("default", pod("defaulted"), ctx("default"));
    expect(specOf(created)).toMatchObject({ priority: 7, priorityClassName: "fallback" });
    const err = await failure(classes().create("", pc("second", 8, true), ctx("")));
    expect(err.code).toBe(403);
    expect(err.message).toBe('priorityclasses.scheduling.k8s.io "second" is forbidden: PriorityClass fallback is already marked as default. Only one default can exist');
    // Updating the default class itself is fine.
    const current = await classes().get("", "fallback");
    await classes().update("", "fallback", { ...current, description: "d" }, ctx(""));
  });

  test("an update keeps the priority set at creation", async () => {
    const created = await pods().create("default", pod("kept", { priorityClassName: "high" }), ctx("default"));
    const body = structuredClone(created);
    delete (body.spec as { priority?: number }).priority;
    body.metadata!.labels = { a: "b" };
    const { object } = await pods().update("default", "kept", body, ctx("default"));
    expect(specOf(object).priority).toBe(1000);
  });
});
