import { afterEach, expect, test } from "bun:test";
import { find, stays, until } from "../testing.ts";
import { FakeClock } from "../common/clock.ts";
import { harness, podSpec, type Harness } from "../common/harness.ts";
import { JOBS, rfc3339, type Job } from "../common/types.ts";
import { TtlAfterFinishedController } from "./ttl-after-finished-controller.ts";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function finishedJob(name: string, ttl: number | undefined, finishedAt: number): Promise<void> {
  const job = (await h.client.create(JOBS, "ns", {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name },
    spec: { ...(ttl === undefined ? {} : { ttlSecondsAfterFinished: ttl }), template: { spec: podSpec() } },
  })) as Job;
  const t = rfc3339(finishedAt);
  job.status = { conditions: [{ type: "Complete", status: "True", lastProbeTime: t, lastTransitionTime: t }], completionTime: t, startTime: t, succeeded: 1 };
  await h.client.update(JOBS, "ns", job, { subresource: "status" });
}

/** Deleted in the foreground: marked, with the foregroundDeletion finalizer for the garbage collector. */
async function deleted(name: string): Promise<void> {
  await until(`${name} is deleted`, async () => {
    const job = await find(h.client, JOBS, "ns", name);
    return !job || (Boolean(job.metadata?.deletionTimestamp) && (job.metadata?.finalizers ?? []).includes("foregroundDeletion"));
  });
}

test("finished Jobs are deleted ttlSecondsAfterFinished after they finished; others stay", async () => {
  h = await harness();
  await h.namespace("ns");
  const clock = new FakeClock(Date.now());
  await h.run(new TtlAfterFinishedController(h.ctx, { clock }));
  const finished = Math.floor(clock.now() / 1000) * 1000;
  await finishedJob("expired", 0, finished);
  await finishedJob("later", 100, finished);
  await finishedJob("keep", undefined, finished);
  await deleted("expired");
  expect((await stays(h.client, JOBS, "ns", "later", 100)).metadata?.deletionTimestamp).toBeUndefined();
  clock.advance(101_000);
  await deleted("later");
  expect(await stays(h.client, JOBS, "ns", "keep", 50)).toBeDefined();
});
