import { afterEach, expect, test } from "bun:test";
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { CoreEvent } from "../../apiserver/resources/events/convert.ts";
import { localClient } from "../testing.ts";
import { EventBroadcaster, EVENTS } from "./recorder.ts";
import { EVENTS_V1, SeriesBroadcaster } from "./series-recorder.ts";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const deployment: KubeObject = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "ns", uid: "u-1", resourceVersion: "7" } };

async function events(client: ReturnType<typeof localClient>["client"], ns: string): Promise<CoreEvent[]> {
  return (await client.list(EVENTS, ns)).items as unknown as CoreEvent[];
}

test("an event names its object and source; a repeat counts on the same event", async () => {
  const c = localClient();
  cleanups.push(() => c.close());
  let now = Date.parse("2026-01-01T00:00:00Z");
  const b = new EventBroadcaster(c.client, { host: "node-1", now: () => now });
  const rec = b.recorder("deployment-controller");
  rec.event(deployment, "Normal", "ScalingReplicaSet", "Scaled up replica set web-1 to 1");
  await b.flush();
  let [e] = await events(c.client, "ns");
  expect(e).toMatchObject({
    involvedObject: { apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: "ns", uid: "u-1", resourceVersion: "7" },
    reason: "ScalingReplicaSet",
    message: "Scaled up replica set web-1 to 1",
    type: "Normal",
    source: { component: "deployment-controller", host: "node-1" },
    count: 1,
    firstTimestamp: "2026-01-01T00:00:00Z",
    lastTimestamp: "2026-01-01T00:00:00Z",
    reportingComponent: "deployment-controller",
    reportingInstance: "node-1",
  });
  expect(e!.metadata?.name).toMatch(/^web\.[0-9a-f]+$/);
  now += 5000;
  rec.event(deployment, "Normal", "ScalingReplicaSet", "Scaled up replica set web-1 to 1");
  rec.event(deployment, "Normal", "ScalingReplicaSet", "Scaled up replica set web-1 to 1");
  await b.flush();
  const all = await events(c.client, "ns");
  expect(all.length).toBe(1);
  e = all[0];
  expect(e).toMatchObject({ count: 3, firstTimestamp: "2026-01-01T00:00:00Z", lastTimestamp: "2026-01-01T00:00:05Z" });
  // Cluster-scoped objects' events go to "default".
  rec.event({ apiVersion: "v1", kind: "Node", metadata: { name: "n1", uid: "n" } }, "Warning", "Down", "gone");
  await b.flush();
  expect((await events(c.client, "default")).map((x) => x.involvedObject.name)).toEqual(["n1"]);
});

test("the 10th similar event in 10 minutes is combined; a flood about one object is cut after 25", async () => {
  const c = localClient();
  cleanups.push(() => c.close());
  const b = new EventBroadcaster(c.client);
  const rec = b.recorder("replicaset-controller");
  for (let i = 0; i < 12; i++) rec.event(deployment, "Warning", "FailedCreate", `error ${i}`);
  await b.flush();
  const msgs = (await events(c.client, "ns")).map((e) => `${e.message} x${e.count}`).sort();
  expect(msgs.length).toBe(10);
  expect(msgs.filter((m) => m.startsWith("(combined from similar events): "))).toEqual(["(combined from similar events): error 11 x3"]);
  for (let i = 0; i < 30; i++) rec.event(deployment, "Normal", `Reason${i}`, "x");
  await b.flush();
  // 12 + 30 recorded, 25 allowed by the spam filter's burst.
  const written = await events(c.client, "ns");
  expect(written.length).toBe(10 + 25 - 12);
});

test("events.k8s.io series: a repeat makes a series of 2 at once; more repeats are written when the series ends", async () => {
  const c = localClient();
  cleanups.push(() => c.close());
  let now = Date.parse("2026-01-01T00:00:00Z");
  const b = new SeriesBroadcaster(c.client, { host: "h", now: () => now, finishMs: 50, heartbeatMs: 1_000_000 });
  cleanups.push(() => b.stop());
  const pod: KubeObject = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "ns", uid: "pu" } };
  const rec = b.recorder("default-scheduler");
  rec.eventf(pod, undefined, "Warning", "FailedScheduling", "Scheduling", "0/1 nodes are available");
  await b.flush();
  let [e] = (await c.client.list(EVENTS_V1, "ns")).items;
  expect(e).toMatchObject({ reportingController: "default-scheduler", reportingInstance: "default-scheduler-h", action: "Scheduling", note: "0/1 nodes are available", regarding: { name: "p" } });
  expect(e!.series).toBeUndefined();
  now += 1000;
  rec.eventf(pod, undefined, "Warning", "FailedScheduling", "Scheduling", "0/1 nodes are available");
  await b.flush();
  [e] = (await c.client.list(EVENTS_V1, "ns")).items;
  expect(e!.series).toEqual({ count: 2, lastObservedTime: "2026-01-01T00:00:01.000000Z" });
  rec.eventf(pod, undefined, "Warning", "FailedScheduling", "Scheduling", "0/1 nodes are available");
  now += 1000;
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    await b.flush();
    [e] = (await c.client.list(EVENTS_V1, "ns")).items;
    if ((e!.series as { count: number }).count === 3) break;
    await Bun.sleep(20);
  }
  expect(e!.series).toMatchObject({ count: 3 });
  expect((await c.client.list(EVENTS_V1, "ns")).items.length).toBe(1);
});
