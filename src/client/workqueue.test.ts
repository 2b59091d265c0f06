import { expect, test } from "bun:test";
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

test("failures come back with growing delays; shutdown releases waiting workers", async () => {
  const q = new WorkQueue();
  const seen: number[] = [];
  let attempts = 0;
  const workers = runWorkers(
    q,
    2,
    async () => {
      seen.push(Date.now());
      if (++attempts < 4) throw new Error("not yet");
    },
    () => {},
  );
  q.add("retry");
  const deadline = Date.now() + 2000;
  while (attempts < 4 && Date.now() < deadline) await Bun.sleep(5);
  expect(attempts).toBe(4);
  q.shutdown();
  await workers;
});
