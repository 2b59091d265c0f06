import { afterEach, expect, test } from "bun:test";
import { find, stays, until } from "../testing.ts";
import { harness, podSpec, type Harness } from "../common/harness.ts";
import { NODES, PODS, type Node, type Taint } from "../common/types.ts";
import { TaintEvictionController } from "./taint-eviction-controller.ts";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function setTaints(name: string, taints: Taint[]): Promise<void> {
  const n = (await h.client.get(NODES, "", name)) as Node;
  n.spec = { ...n.spec, taints };
  await h.client.update(NODES, "", n);
}

test("NoExecute taints: untolerated pods go at once, tolerated ones after tolerationSeconds unless the taint is removed first", async () => {
  h = await harness();
  await h.namespace("ns");
  await h.client.create(NODES, "", { apiVersion: "v1", kind: "Node", metadata: { name: "n" } });
  const taint = { key: "example.com/maintenance", effect: "NoExecute" };
  const pod = (name: string, tolerations: unknown[]) => h.client.create(PODS, "ns", { apiVersion: "v1", kind: "Pod", metadata: { name }, spec: podSpec({ nodeName: "n", tolerations }) });
  await pod("intolerant", []);
  await pod("patient", [{ key: "example.com/maintenance", operator: "Exists", effect: "NoExecute", tolerationSeconds: 60 }]);
  await h.run(new TaintEvictionController(h.ctx));
  await setTaints("n", [taint]);
  await until("the intolerant pod is deleted", async () => Boolean((await find(h.client, PODS, "ns", "intolerant"))?.metadata?.deletionTimestamp));
  expect((await stays(h.client, PODS, "ns", "patient", 100)).metadata?.deletionTimestamp).toBeUndefined();
  await setTaints("n", []);
  await until("the patient pod's deletion is cancelled", async () => (await h.events("patient")).includes("Normal TaintManagerEviction Cancelling deletion of Pod ns/patient"));
});
