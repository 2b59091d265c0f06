import { describe, expect, test } from "bun:test";
import { backoffMs, SchedulingQueue } from "./queue.ts";
import { podInfo, podObject } from "./testing.ts";
import type { ClusterEvent } from "./framework.ts";
import { Status } from "./status.ts";

function queue(now: { t: number }) {
  return new SchedulingQueue({
    now: () => now.t,
    preEnqueue: (p) => (p.pod.spec?.schedulingGates?.length ? { plugin: "SchedulingGates", status: Status.unresolvable("gated") } : undefined),
    pluginsFor: (e: ClusterEvent) => new Set(e === "Node/Add" ? ["NodeResourcesFit", "TaintToleration"] : e === "AssignedPod/Delete" ? ["NodeResourcesFit"] : []),
  });
}

describe("scheduling queue", () => {
  test("higher priority first, then the oldest", () => {
    const now = { t: 1000 };
    const q = queue(now);
    q.add(podInfo(podObject("low-old", { priority: 0 })));
    now.t++;
    q.add(podInfo(podObject("high", { priority: 10 })));
    now.t++;
    q.add(podInfo(podObject("low-new", { priority: 0 })));
    expect([q.popNow(), q.popNow(), q.popNow()].map((p) => p?.info.name)).toEqual(["high", "low-old", "low-new"]);
    expect(q.popNow()).toBeUndefined();
  });

  test("backoff doubles from 1 s to at most 10 s", () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n))).toEqual([1000, 2000, 4000, 8000, 10000, 10000]);
  });

  test("a rejected pod waits for an event a rejecting plugin cares about, then backs off before it is tried again", () => {
    const now = { t: 0 };
    const q = queue(now);
    q.add(podInfo(podObject("p")));
    const qp = q.popNow()!;
    q.requeueFailed(qp, new Set(["TaintToleration"]));
    expect(q.counts()).toMatchObject({ unschedulable: 1 });
    q.moveOnEvent("AssignedPod/Delete");
    expect(q.counts()).toMatchObject({ unschedulable: 1 });
    q.moveOnEvent("Node/Add");
    expect(q.counts()).toMatchObject({ backoff: 1 });
    q.flushBackoff();
    expect(q.popNow()).toBeUndefined();
    now.t = 1000;
    q.flushBackoff();
    expect(q.popNow()?.info.name).toBe("p");
  });

  test("an event during the attempt sends the pod to backoff instead of waiting", () => {
    const q = queue({ t: 0 });
    q.add(podInfo(podObject("p")));
    const qp = q.popNow()!;
    q.moveOnEvent("Node/Add");
    q.requeueFailed(qp, new Set(["NodeResourcesFit"]));
    expect(q.counts()).toMatchObject({ backoff: 1, unschedulable: 0 });
  });

  test("pods unschedulable for 5 minutes are retried anyway; errors retry after backoff", () => {
    const now = { t: 0 };
    const q = queue(now);
    q.add(podInfo(podObject("stuck")));
    q.requeueFailed(q.popNow()!, new Set(["NodeResourcesFit"]));
    now.t = 5 * 60_000 + 1;
    q.flushUnschedulable();
    expect(q.popNow()?.info.name).toBe("stuck");
    q.requeueFailed(q.queuedFor("stuck")!, new Set());
    expect(q.counts()).toMatchObject({ backoff: 1 });
  });

  test("gated pods wait until their gates are removed", () => {
    const q = queue({ t: 0 });
    const gated = podObject("g", { schedulingGates: [{ name: "x" }] }, { uid: "g1" });
    q.add(podInfo(gated));
    expect(q.popNow()).toBeUndefined();
    q.moveOnEvent("WildCard");
    expect(q.popNow()).toBeUndefined();
    q.update(podInfo(podObject("g", {}, { uid: "g1" })));
    expect(q.popNow()?.info.name).toBe("g");
  });

  test("pop waits for a pod", async () => {
    const q = queue({ t: 0 });
    const next = q.pop();
    q.add(podInfo(podObject("late")));
    expect((await next)?.info.name).toBe("late");
    q.close();
    expect(await q.pop()).toBeUndefined();
  });
});
