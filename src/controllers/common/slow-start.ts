/**
 * Upstream's slowStartBatch: do `count` calls in batches of 1, 2, 4, ... running each batch
 * concurrently, and stop after a batch with a failure — so a quota or webhook that refuses
 * every pod costs a handful of failed requests, not hundreds. Returns the successes and the
 * first error.
 */
export async function slowStartBatch(count: number, initialBatch: number, fn: (index: number) => Promise<void>): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  let index = 0;
  for (let batch = Math.min(remaining, initialBatch); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn(index++)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    successes += results.length - results.filter((r) => r.status === "rejected").length;
    if (failed) return { successes, error: failed.reason };
    remaining -= batch;
  }
  return { successes };
}
