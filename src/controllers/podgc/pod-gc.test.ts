import { afterEach, expect, test } from "bun:test";
import type { KubeObject } from "../../apiserver/api/types.ts";
import { find, gone, stays, until } from "../testing.ts";
import { harness, podSpec, setPodStatus, type Harness } from "../common/harness.ts";
import { NODES, PODS, type Pod } from "../common/types.ts";
import { PodGcController } from "./pod-gc-controller.ts";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function pod(name: string, extra: { nodeName?: string; finalizers?: string[] } = {}): Promise<KubeObject> {
  return h.client.create(PODS, "ns", {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, ...(extra.finalizers ? { finalizers: extra.finalizers } : {}) },
    spec: podSpec(extra.nodeName ? { nodeName: extra.nodeName } : {}),
  });
}

// "stuck" turns Failed too, so four terminated pods exceed the threshold of three by one.
test("PodGC: terminated pods over the threshold (oldest first), orphans of deleted nodes, unscheduled terminating pods", async () => {
  h = await harness();
  await h.namespace("ns");
  await h.client.create(NODES, "", { apiVersion: "v1", kind: "Node", metadata: { name: "alive" } });
  await setPodStatus(h.client, await pod("done-1", { nodeName: "alive" }), "Succeeded");
  await Bun.sleep(1100); // a later creation second makes done-1 the oldest
  for (const name of ["done-2", "done-3"]) await setPodStatus(h.client, await pod(name, { nodeName: "alive" }), "Succeeded");
  await pod("running", { nodeName: "alive" });
  await pod("orphan", { nodeName: "ghost" });
  await pod("stuck", { finalizers: ["example.com/hold"] });
  await h.client.delete(PODS, "ns", "stuck");
  await h.run(new PodGcController(h.ctx, { terminatedPodThreshold: 3, periodMs: 50, quarantineMs: 100 }));

  await gone(h.client, PODS, "ns", "done-1");
  await gone(h.client, PODS, "ns", "orphan");
  await until("the unscheduled terminating pod is marked Failed", async () => ((await find(h.client, PODS, "ns", "stuck")) as Pod | undefined)?.status?.phase === "Failed");
  for (const name of ["done-2", "done-3", "running"]) await stays(h.client, PODS, "ns", name, 0);
  expect((await stays(h.client, PODS, "ns", "running", 200)).metadata?.deletionTimestamp).toBeUndefined();
}, 15_000);
