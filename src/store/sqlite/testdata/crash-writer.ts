/**
 * Child process of the crash test: writes continuously to the store at argv[2] and prints one
 * line per acknowledged write ("ack <key> <revision>") until it is killed.
 */
import { SqliteBackend } from "../backend.ts";

const [path, tag, sync] = [process.argv[2]!, process.argv[3]!, (process.argv[4] ?? "full") as "full" | "normal"];
const store = SqliteBackend.open({ path, sync, compaction: { retentionMs: 3_600_000, intervalMs: 0 } });
const value = new TextEncoder().encode("x".repeat(200));
let n = 0;
process.stdout.write(`ready ${store.currentRevision()}\n`);

async function writer(id: number): Promise<never> {
  for (;;) {
    const key = `/crash/${tag}/${id}/${n++}`;
    const res = await store.create(key, value);
    process.stdout.write(`ack ${key} ${res.revision}\n`);
  }
}
await Promise.all(Array.from({ length: 8 }, (_, i) => writer(i)));
