import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { KubeObject } from "../api/types.ts";
import type { RequestContext } from "../registry/definition.ts";
import { ApiError } from "../api/errors.ts";
import { Registry } from "../registry/registry.ts";
import { builtinDefinitions } from "../resources/index.ts";
import { tempStore } from "../../store/sqlite/testing.ts";
import { chainAdmission, defaultAdmission, NO_SERVICE_ACCOUNTS, type AdmissionPlugin } from "./index.ts";
import { apiFailure as failure } from "../api/testing.ts";

let backend: ReturnType<typeof tempStore>;
let registry: Registry;
beforeAll(async () => {
  backend = tempStore();
  registry = new Registry(backend, defaultAdmission({ lookup: (g, v, r) => registry.lookup(g, v, r), disable: NO_SERVICE_ACCOUNTS }));
  for (const d of builtinDefinitions()) registry.add(d);
  const namespaces = registry.lookup("", "v1", "namespaces")!;
  for (const name of ["live", "dying", "kube-system", "kube-node-lease"]) await namespaces.create("", { apiVersion: "v1", kind: "Namespace", metadata: { name } }, ctx(""));
  await namespaces.delete("", "dying", ctx(""));
});
afterAll(async () => {
  await backend.dispose();
});

const ctx = (namespace: string): RequestContext => ({ user: { username: "admin", groups: ["system:masters"] }, namespace, dryRun: false, now: Date.now() });
const cm = (name: string): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name } });
const configmaps = () => registry.lookup("", "v1", "configmaps")!;


describe("NamespaceLifecycle", () => {
  test("creating in a namespace that does not exist: 404 for the namespace", async () => {
    const err = await failure(configmaps().create("nowhere", cm("a"), ctx("nowhere")));
    expect(err.toStatus()).toEqual({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: 'namespaces "nowhere" not found', reason: "NotFound", details: { name: "nowhere", kind: "namespaces" }, code: 404 });
  });

  test("creating in a terminating namespace: 403 with the NamespaceTerminating cause", async () => {
    const err = await failure(configmaps().create("dying", cm("late"), ctx("dying")));
    expect(err.toStatus()).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'configmaps "late" is forbidden: unable to create new content in namespace dying because it is being terminated',
      reason: "Forbidden",
      details: { name: "late", kind: "configmaps", causes: [{ reason: "NamespaceTerminating", message: "namespace dying is being terminated", field: "metadata.namespace" }] },
      code: 403,
    });
    // Group-qualified for other groups.
    const deploy = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" }, spec: { selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "i" }] } } } };
    expect((await failure(registry.lookup("apps", "v1", "deployments")!.create("dying", deploy, ctx("dying")))).message).toBe(
      'deployments.apps "d" is forbidden: unable to create new content in namespace dying because it is being terminated',
    );
  });

  test("updates and deletes go on in a terminating namespace; creates in live ones pass", async () => {
    await configmaps().create("live", cm("ok"), ctx("live"));
    const namespaces = registry.lookup("", "v1", "namespaces")!;
    await namespaces.create("", { apiVersion: "v1", kind: "Namespace", metadata: { name: "later" } }, ctx(""));
    await configmaps().create("later", cm("before"), ctx("later"));
    await namespaces.delete("", "later", ctx(""));
    await configmaps().update("later", "before", { ...cm("before"), data: { a: "1" } }, ctx("later"));
    await configmaps().delete("later", "before", ctx("later"));
  });

  test("an invalid object in a missing namespace is refused for the namespace first (admission runs before validation)", async () => {
    const err = await failure(configmaps().create("nowhere", { ...cm("bad"), data: { "not a key!": "x" } }, ctx("nowhere")));
    expect(err.code).toBe(404);
  });

  test("default, kube-system and kube-public may not be deleted; kube-node-lease may", async () => {
    const namespaces = registry.lookup("", "v1", "namespaces")!;
    const err = await failure(namespaces.delete("", "kube-system", ctx("")));
    expect(err.toStatus()).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'namespaces "kube-system" is forbidden: this namespace may not be deleted',
      reason: "Forbidden",
      details: { name: "kube-system", kind: "namespaces" },
      code: 403,
    });
    expect((await namespaces.delete("", "kube-node-lease", ctx(""))).pending).toBe(true);
  });

  test("cluster-scoped resources are not checked", async () => {
    await registry.lookup("", "v1", "nodes")!.create("", { apiVersion: "v1", kind: "Node", metadata: { name: "n1" } }, ctx(""));
  });
});

test("the chain runs every mutating step, then every validating step, and stops at the first refusal", async () => {
  const calls: string[] = [];
  const plugin = (name: string, refuse?: "mutate" | "validate"): AdmissionPlugin => ({
    name,
    async mutate(req) {
      calls.push(`${name}.mutate ${req.operation}`);
      if (refuse === "mutate") throw new ApiError(403, "Forbidden", `${name} says no`);
    },
    async validate() {
      calls.push(`${name}.validate`);
      if (refuse === "validate") throw new ApiError(403, "Forbidden", `${name} says no`);
    },
  });
  const def = builtinDefinitions().find((d) => d.plural === "configmaps")!;
  const admission = chainAdmission([plugin("a"), plugin("b", "validate"), plugin("c")]);
  await admission.mutate("CREATE", cm("x"), undefined, def, ctx("ns"));
  await expect(admission.validate("CREATE", cm("x"), undefined, def, ctx("ns"))).rejects.toThrow("b says no");
  expect(calls).toEqual(["a.mutate CREATE", "b.mutate CREATE", "c.mutate CREATE", "a.validate", "b.validate"]);
});
