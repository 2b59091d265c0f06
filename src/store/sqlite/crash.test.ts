import { Database } from "bun:sqlite";
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { SqliteBackend } from "./backend.ts";
import { tempDir } from "./testing.ts";

const tmp = tempDir("kts-crash-");
afterAll(() => tmp.cleanup());
const dbPath = join(tmp.dir, "state.db");
const writerScript = join(import.meta.dir, "testdata", "crash-writer.ts");

/** Starts the writer, lets it run a random while, kills it with SIGKILL; returns what it acknowledged. */
async function runAndKill(round: number, sync: string): Promise<Map<string, number>> {
  const child = Bun.spawn([process.execPath, writerScript, dbPath, `r${round}`, sync], { stdout: "pipe", stderr: "inherit" });
  const acks = new Map<string, number>();
  const started = Promise.withResolvers<void>();
  const reader = (async () => {
    let buffered = "";
    for await (const chunk of child.stdout) {
      buffered += new TextDecoder().decode(chunk);
      const lines = buffered.split("\n");
      buffered = lines.pop()!; // a torn last line was not fully acknowledged
      for (const line of lines) {
        const [word, key, rev] = line.split(" ");
        if (word === "ack") acks.set(key!, Number(rev));
        if (word === "ready") started.resolve();
      }
    }
  })();
  await started.promise;
  await Bun.sleep(50 + Math.random() * 400);
  child.kill("SIGKILL");
  await child.exited;
  await reader;
  return acks;
}

test("every acknowledged write survives SIGKILL at random moments; revisions stay gap-free", async () => {
  const allAcks = new Map<string, number>();
  for (let round = 0; round < 12; round++) {
    const acks = await runAndKill(round, round % 2 === 0 ? "full" : "normal");
    expect(acks.size).toBeGreaterThan(0);
    for (const [k, v] of acks) allAcks.set(k, v);

    // Reopen after the crash: every acknowledged key is there at its acknowledged revision.
    const store = SqliteBackend.open({ path: dbPath });
    try {
      const { kvs } = await store.list("/crash/");
      const present = new Map(kvs.map((kv) => [kv.key, kv.modRevision]));
      const missing = [...allAcks].filter(([k, rev]) => present.get(k) !== rev);
      expect(missing).toEqual([]);
    } finally {
      await store.close();
    }
  }
  // The log holds one revision per create, with no holes, from 2 to the last.
  const db = new Database(dbPath, { readonly: true });
  const { n, lo, hi } = db.query<{ n: number; lo: number; hi: number }, []>("SELECT count(DISTINCT rev) AS n, min(rev) AS lo, max(rev) AS hi FROM log").get()!;
  db.close();
  expect(lo).toBe(2);
  expect(n).toBe(hi - lo + 1);
  expect(n).toBeGreaterThanOrEqual(allAcks.size);
}, 60_000);
