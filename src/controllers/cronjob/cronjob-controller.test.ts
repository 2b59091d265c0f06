import { afterEach, expect, test } from "bun:test";
import { until } from "../testing.ts";
import { FakeClock } from "../common/clock.ts";
import { harness, podSpec, type Harness } from "../common/harness.ts";
import { CRON_JOBS, JOBS, rfc3339, type CronJob, type Job } from "../common/types.ts";
import { CronJobController, SCHEDULED_TIMESTAMP_ANNOTATION } from "./cronjob-controller.ts";

let h: Harness;
let clock: FakeClock;
afterEach(async () => {
  await h?.close();
});

async function setup(spec: Record<string, unknown>): Promise<CronJob> {
  h = await harness();
  await h.namespace("ns");
  const cj = (await h.client.create(CRON_JOBS, "ns", {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: "tick" },
    spec: { schedule: "*/1 * * * *", jobTemplate: { metadata: { labels: { app: "tick" } }, spec: { template: { spec: podSpec() } } }, ...spec },
  })) as CronJob;
  // The fake clock starts at the CronJob's creation: a minute boundary lies less than a minute ahead.
  clock = new FakeClock(Date.parse(cj.metadata!.creationTimestamp!) + 1000);
  await h.run(new CronJobController(h.ctx, { clock, defaultTimeZone: "UTC" }));
  if (!spec.suspend) await until("the controller waits for the next minute", () => clock.pending > 0);
  return cj;
}

async function jobs(): Promise<Job[]> {
  return ((await h.client.list(JOBS, "ns")).items as Job[]).sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
}

async function cronJob(): Promise<CronJob> {
  return (await h.client.get(CRON_JOBS, "ns", "tick")) as CronJob;
}

/** Steps the clock to just past the next minute boundary and waits for the controller to settle. */
async function nextMinute(expectJobs: number): Promise<number> {
  const boundary = Math.floor(clock.now() / 60_000) * 60_000 + 60_000;
  clock.set(boundary + 500);
  await until(`${expectJobs} jobs`, async () => (await jobs()).length === expectJobs);
  return boundary;
}

async function finish(job: Job, type: "Complete" | "Failed"): Promise<void> {
  const fresh = (await h.client.get(JOBS, "ns", job.metadata!.name!)) as Job;
  const now = rfc3339(clock.now());
  fresh.status = { ...fresh.status, conditions: [{ type, status: "True", lastProbeTime: now, lastTransitionTime: now }], ...(type === "Complete" ? { completionTime: now, succeeded: 1 } : { failed: 1 }) };
  await h.client.update(JOBS, "ns", fresh, { subresource: "status" });
}

test("a CronJob '*/1 * * * *' creates one Job per minute of an injected clock, named <cronjob>-<minutes since epoch>", async () => {
  await setup({});
  expect(await jobs()).toHaveLength(0);
  const first = await nextMinute(1);
  const [job] = await jobs();
  expect(job!.metadata?.name).toBe(`tick-${first / 60_000}`);
  expect(job!.metadata?.labels).toEqual({ app: "tick" });
  expect(job!.metadata?.annotations?.[SCHEDULED_TIMESTAMP_ANNOTATION]).toBe(rfc3339(first));
  expect(job!.metadata?.ownerReferences?.[0]).toMatchObject({ apiVersion: "batch/v1", kind: "CronJob", name: "tick", controller: true, blockOwnerDeletion: true });
  await until("status lists the active Job", async () => (await cronJob()).status?.active?.[0]?.name === job!.metadata?.name);
  expect((await cronJob()).status?.lastScheduleTime).toBe(rfc3339(first));
  const second = await nextMinute(2);
  expect((await jobs()).map((j) => j.metadata?.name)).toEqual([`tick-${first / 60_000}`, `tick-${second / 60_000}`]);
  await until("two active Jobs", async () => (await cronJob()).status?.active?.length === 2);
  await until("the create events", async () => (await h.events("tick")).filter((e) => e.startsWith("Normal SuccessfulCreate Created job tick-")).length === 2);
});

test("finished Jobs leave status.active, set lastSuccessfulTime and are trimmed to the history limits", async () => {
  await setup({ successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 1 });
  await nextMinute(1);
  await nextMinute(2);
  await nextMinute(3);
  const [a, b, c] = await jobs();
  await finish(a!, "Complete");
  await finish(b!, "Complete");
  await finish(c!, "Failed");
  await until("one successful and one failed Job kept", async () => (await jobs()).length === 2);
  expect((await jobs()).map((j) => j.metadata?.name)).toEqual([b!.metadata!.name, c!.metadata!.name]);
  await until("no active Jobs", async () => ((await cronJob()).status?.active ?? []).length === 0);
  expect((await cronJob()).status?.lastSuccessfulTime).toBeString();
  const events = await h.events("tick");
  expect(events).toContain(`Normal SawCompletedJob Saw completed job: ${c!.metadata?.name}, status: Failed`);
  expect(events).toContain(`Normal SuccessfulDelete Deleted job ${a!.metadata?.name}`);
});

test("concurrencyPolicy Forbid skips a run while one is active; Replace deletes the running Job", async () => {
  await setup({ concurrencyPolicy: "Forbid" });
  await nextMinute(1);
  const boundary = Math.floor(clock.now() / 60_000) * 60_000 + 60_000;
  clock.set(boundary + 500);
  await until("the skip event", async () => (await h.events("tick")).includes("Normal JobAlreadyActive Not starting job because prior execution is running and concurrency policy is Forbid"));
  expect(await jobs()).toHaveLength(1);

  const cj = await cronJob();
  cj.spec!.concurrencyPolicy = "Replace";
  await h.client.update(CRON_JOBS, "ns", cj);
  const [old] = await jobs();
  clock.set(boundary + 60_000 + 500);
  await until("the old Job replaced", async () => {
    const names = (await jobs()).map((j) => j.metadata?.name);
    return names.length === 1 && names[0] !== old!.metadata?.name;
  });
  expect(await h.events("tick")).toContain(`Normal SuccessfulDelete Deleted job ${old!.metadata?.name}`);
});

test("suspend stops new runs; startingDeadlineSeconds skips schedules missed by too much", async () => {
  await setup({ suspend: true, startingDeadlineSeconds: 30 });
  const boundary = Math.floor(clock.now() / 60_000) * 60_000 + 60_000;
  clock.set(boundary + 500);
  const cj = await cronJob();
  cj.spec!.suspend = false;
  // Unsuspended 10 minutes later: only a schedule within the last 30 s may start.
  clock.set(boundary + 10 * 60_000 + 45_000);
  await h.client.update(CRON_JOBS, "ns", cj);
  await until("the controller waits for the next minute", () => clock.pending > 0);
  expect(await jobs()).toHaveLength(0);
  clock.set(boundary + 11 * 60_000 + 10_000);
  await until("a Job for the schedule within the deadline", async () => (await jobs()).length === 1);
  expect((await jobs())[0]!.metadata?.name).toBe(`tick-${(boundary + 11 * 60_000) / 60_000}`);
});

test("a time zone: schedule and annotation follow spec.timeZone", async () => {
  await setup({ timeZone: "Asia/Kolkata" });
  const first = await nextMinute(1);
  const annotation = (await jobs())[0]!.metadata?.annotations?.[SCHEDULED_TIMESTAMP_ANNOTATION];
  expect(annotation).toEndWith("+05:30");
  expect(Date.parse(annotation!)).toBe(first);
});
