import { expect, test } from "bun:test";
import { BucketRateLimiter, defaultControllerRateLimiter, ExponentialRateLimiter } from "./rate-limiter.ts";
import { runWorkers, WorkQueue } from "./workqueue.ts";

test("duplicates merge while waiting", async () => {
  const q = new WorkQueue();
  q.add("a");
  q.add("b");
  q.add("a");
  expect(q.length).toBe(2);
  expect(await q.get()).toBe("a");
  expect(await q.get()).toBe("b");
});

test("a key is never processed twice at once; an add during processing runs it again after", async () => {
  const q = new WorkQueue();
  q.add("k");
  const key = await q.get();
  q.add("k"); // while in progress
  expect(q.length).toBe(0);
  q.done(key!);
  expect(q.length).toBe(1);
  expect(await q.get()).toBe("k");
});

test("a delayed key waits once, for the earliest time asked", async () => {
  const q = new WorkQueue();
  q.addAfter("k", 10_000);
  q.addAfter("k", 20);
  q.addAfter("k", 5_000);
  const got = await q.get();
  expect(got).toBe("k");
  q.done("k");
  await Bun.sleep(50);
  expect(q.length).toBe(0);
  q.shutdown();
});

test("per-key backoff doubles from 5 ms to 1000 s; forget resets it; the bucket allows a burst of 100 then 10/s", () => {
  const exp = new ExponentialRateLimiter();
  expect([1, 2, 3, 4].map(() => exp.when("a"))).toEqual([5, 10, 20, 40]);
  expect(exp.when("b")).toBe(5);
  for (let i = 0; i < 40; i++) exp.when("a");
  expect(exp.when("a")).toBe(1_000_000);
  expect(exp.numRequeues("a")).toBe(45);
  exp.forget("a");
  expect(exp.when("a")).toBe(5);

  const bucket = new BucketRateLimiter(10, 100);
  for (let i = 0; i < 100; i++) expect(bucket.when()).toBe(0);
  const next = bucket.when();
  expect(next).toBeGreaterThan(50);
  expect(next).toBeLessThanOrEqual(100);

  const def = defaultControllerRateLimiter();
  expect(def.when("x")).toBe(5);
  expect(def.numRequeues("x")).toBe(1);
});

test("failures come back with growing delays; shutdown releases waiting workers", async () => {
  const q = new WorkQueue();
  let attempts = 0;
  const workers = runWorkers(
    q,
    2,
    async () => {
      if (++attempts < 4) throw new Error("not yet");
    },
    () => {},
  );
  q.add("retry");
  const deadline = Date.now() + 2000;
  while (attempts < 4 && Date.now() < deadline) await Bun.sleep(5);
  expect(attempts).toBe(4);
  expect(q.numRequeues("retry")).toBe(0);
  q.shutdown();
  await workers;
});
