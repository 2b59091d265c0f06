/** Helpers shared by the store's tests: temporary stores and byte/string conversions. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Watch, WatchBatch } from "../types.ts";
import { SqliteBackend, type SqliteBackendOptions } from "./backend.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
export const bytes = (s: string): Uint8Array => encoder.encode(s);
export const text = (b: Uint8Array | undefined): string => (b ? decoder.decode(b) : "");

/** A fresh directory under the system temp folder, removed by `cleanup`. */
export function tempDir(prefix = "kts-store-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Opens a store in a fresh temporary directory; `close()` closes it and removes the directory. */
export function tempStore(opts: Partial<SqliteBackendOptions> = {}): SqliteBackend & { dir: string; dispose(): Promise<void> } {
  const { dir, cleanup } = tempDir();
  const store = SqliteBackend.open({ path: join(dir, "state.db"), ...opts });
  return Object.assign(store, {
    dir,
    async dispose() {
      await store.close();
      cleanup();
    },
  });
}

/** Reads batches from a watch until `count` events arrived (or the timeout passes). */
export async function collectEvents(watch: Watch, count: number, timeoutMs = 5000): Promise<WatchBatch[]> {
  const it = watch[Symbol.asyncIterator]();
  const batches: WatchBatch[] = [];
  let seen = 0;
  const deadline = Date.now() + timeoutMs;
  while (seen < count) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out with ${seen}/${count} events`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const next = await Promise.race([
      it.next(),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out with ${seen}/${count} events`)), left))),
    ]).finally(() => clearTimeout(timer));
    if (next.done) break;
    batches.push(next.value);
    seen += next.value.events.length;
  }
  return batches;
}
