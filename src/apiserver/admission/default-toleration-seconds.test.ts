import { afterAll, beforeAll, expect, test } from "bun:test";
import type { KubeObject } from "../api/types.ts";
import type { RequestContext } from "../registry/definition.ts";
import { Registry } from "../registry/registry.ts";
import { builtinDefinitions } from "../resources/index.ts";
import { tempStore } from "../../store/sqlite/testing.ts";
import { defaultAdmission, NO_SERVICE_ACCOUNTS } from "./index.ts";

let backend: ReturnType<typeof tempStore>;
let registry: Registry;
beforeAll(async () => {
  backend = tempStore();
  registry = new Registry(backend, defaultAdmission({ lookup: (g, v, r) => registry.lookup(g, v, r), disable: NO_SERVICE_ACCOUNTS }));
  for (const d of builtinDefinitions()) registry.add(d);
  await registry.lookup("", "v1", "namespaces")!.create("", { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } }, ctx());
});
afterAll(async () => {
  await backend.dispose();
});

const ctx = (): RequestContext => ({ user: { username: "admin", groups: ["system:masters"] }, namespace: "default", dryRun: false, now: Date.now() });
const pods = () => registry.lookup("", "v1", "pods")!;
const pod = (name: string, tolerations?: unknown[]): KubeObject => ({ apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { containers: [{ name: "c", image: "busybox" }], ...(tolerations ? { tolerations } : {}) } });
const tolerationsOf = (o: KubeObject) => (o.spec as { tolerations?: unknown[] }).tolerations;

test("new pods tolerate not-ready and unreachable NoExecute taints for 300 s", async () => {
  const created = await pods().create("default", pod("plain"), ctx());
  expect(tolerationsOf(created)).toEqual([
    { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
    { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
  ]);
});

test("a pod's own toleration for a taint (or for every taint) is kept and not doubled", async () => {
  const own = { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 5 };
  const created = await pods().create("default", pod("own", [own]), ctx());
  expect(tolerationsOf(created)).toEqual([own, { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }]);
  const everything = await pods().create("default", pod("all", [{ operator: "Exists" }]), ctx());
  expect(tolerationsOf(everything)).toEqual([{ operator: "Exists" }]);
});
