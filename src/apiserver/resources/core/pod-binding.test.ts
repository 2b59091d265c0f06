import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import type { RequestContext } from "../../registry/definition.ts";
import type { GenericStore } from "../../registry/store.ts";
import { Registry } from "../../registry/registry.ts";
import { tempStore } from "../../../store/sqlite/testing.ts";
import { bindingDefinition, bindingSubresource } from "./pod-binding.ts";
import { podDefinition } from "./pod.ts";
import type { Pod } from "./types.ts";
import { apiFailure as failure } from "../../api/testing.ts";

let backend: ReturnType<typeof tempStore>;
let registry: Registry;
let pods: GenericStore;
let bindings: GenericStore;
beforeAll(() => {
  backend = tempStore();
  registry = new Registry(backend);
  pods = registry.add(podDefinition);
  bindings = registry.add(bindingDefinition);
});
afterAll(() => backend.dispose());

const NS = "default";
const ctx = (): RequestContext => ({ user: { username: "system:kube-scheduler", groups: [] }, namespace: NS, dryRun: false, now: Date.parse("2025-01-01T00:00:00Z") });
let seq = 0;

async function newPod(): Promise<string> {
  const name = `p${++seq}`;
  await pods.create(NS, { apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { containers: [{ name: "c", image: "busybox" }] } }, ctx());
  return name;
}

const binding = (name: string, node: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "Binding",
  metadata: { name, ...extra },
  target: { kind: "Node", name: node },
});


const SUCCESS = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 };

describe("bindings", () => {
  test("POST .../bindings sets nodeName, merges annotations and marks the pod scheduled", async () => {
    const name = await newPod();
    const answer = await bindings.create(NS, binding(name, "node-a", { annotations: { "scheduler.example.com/by": "test" } }), ctx());
    expect(answer).toEqual(SUCCESS);
    const pod = (await pods.get(NS, name)) as unknown as Pod;
    expect(pod.spec?.nodeName).toBe("node-a");
    expect(pod.metadata?.annotations).toEqual({ "scheduler.example.com/by": "test" });
    // Go's zero lastProbeTime is written as null.
    expect(pod.status?.conditions as unknown[]).toContainEqual({ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: "2025-01-01T00:00:00Z" });
  });

  test("a bound pod is a 409 naming its node; a missing pod is 404", async () => {
    const name = await newPod();
    await bindings.create(NS, binding(name, "node-a"), ctx());
    const err = await failure(bindings.create(NS, binding(name, "node-b"), ctx()));
    expect(err.toStatus()).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: `Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is already assigned to node "node-a"`,
      reason: "Conflict",
      details: { name, kind: "pods/binding" },
      code: 409,
    });
    expect((await failure(bindings.create(NS, binding("missing", "node-a"), ctx()))).toStatus()).toMatchObject({ code: 404, message: 'pods "missing" not found' });
  });

  test("a Binding without a node is refused as a plain error (no reason), as upstream's aggregate", async () => {
    const name = await newPod();
    const err = await failure(bindings.create(NS, { apiVersion: "v1", kind: "Binding", metadata: { name }, target: { kind: "Pod" } }, ctx()));
    expect(err.toStatus()).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: '[target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>", target.name: Required value]',
      code: 500,
    });
  });

  test("the Binding's uid is a precondition on the pod", async () => {
    const name = await newPod();
    const err = await failure(bindings.create(NS, binding(name, "node-a", { uid: "0b6d2c8e-0000-4000-8000-000000000000" }), ctx()));
    expect(err.code).toBe(409);
    expect(err.message).toContain("Precondition failed: UID in precondition: 0b6d2c8e-0000-4000-8000-000000000000");
    expect(((await pods.get(NS, name)) as unknown as Pod).spec?.nodeName).toBeUndefined();
  });

  test("pods/<name>/binding does the same, and the URL must name the Binding's pod", async () => {
    const name = await newPod();
    const req = { store: pods, namespace: NS, name, ctx: ctx(), dryRun: false, resources: registry };
    expect(await bindingSubresource.create!(req, binding(name, "node-c"))).toEqual({ object: SUCCESS });
    expect(((await pods.get(NS, name)) as unknown as Pod).spec?.nodeName).toBe("node-c");
    const err = await failure(bindingSubresource.create!({ ...req, name: "other" }, binding(name, "node-c")));
    expect(err.toStatus()).toMatchObject({ code: 400, message: "name in URL does not match name in Binding object" });
  });

  test("a dry run binds nothing", async () => {
    const name = await newPod();
    expect(await bindings.create(NS, binding(name, "node-a"), ctx(), { dryRun: true })).toEqual(SUCCESS);
    expect(((await pods.get(NS, name)) as unknown as Pod).spec?.nodeName).toBeUndefined();
  });
});
