/**
 * The floor under one put at one client, with one flush per put: what this machine charges for
 * the parts of a put that no store code can avoid, measured in the same run as the put figures.
 *
 *   - a no-op gRPC call (Cluster/MemberList, h2load, 1 client): the round trip of the RPC layer,
 *     for kts and for etcd (both answer from memory);
 *   - fdatasync after a 4 KiB append, on the same filesystem as the databases: one flush;
 *   - the store alone, in this process (no RPC): sequential awaited puts of the benchmark's key
 *     and value to a SqliteBackend, with and without a flush per commit.
 *
 * A put at one client cannot take less than the RPC round trip plus the store's work plus one
 * flush (the flush must end before the answer, and at one client nothing else overlaps it).
 */
import { closeSync, fdatasyncSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { SqliteBackend, type SyncMode } from "../../src/store/index.ts";

export interface StoreFloor {
  /** Mean microseconds of a no-op gRPC call per target name. */
  noopRpcUs: Map<string, number>;
  fdatasyncUs: number;
  storeFullUs: number;
  storeNormalUs: number;
}

/**
 * Mean µs of one 4 KiB write + fdatasync, `n` times, in `dir`. The writes go over a file already
 * written and flushed, as SQLite reuses its WAL file from the start after each checkpoint: the
 * flush then carries data only (a write that grows the file also flushes its size, which costs
 * about half as much again here).
 */
export function measureFdatasync(dir: string, n = 3000): number {
  const path = join(dir, "fdatasync-probe");
  const fd = openSync(path, "w");
  const page = Buffer.alloc(4096, 0x61);
  const pages = 256;
  try {
    for (let i = 0; i < pages; i++) writeSync(fd, page);
    fdatasyncSync(fd);
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      writeSync(fd, page, 0, page.length, (i % pages) * page.length);
      fdatasyncSync(fd);
    }
    return ((performance.now() - start) * 1000) / n;
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
}

/** Mean µs of a sequential, awaited put to an in-process store. */
export async function measureStorePut(dir: string, sync: SyncMode, key: string, value: Uint8Array, n = 10000): Promise<number> {
  const path = join(dir, `floor-${sync}`, "state.db");
  const store = SqliteBackend.open({ path, sync });
  const put = () => store.txn({ compare: [], success: [{ put: { key, value } }], failure: [] });
  try {
    for (let i = 0; i < 500; i++) await put();
    const start = performance.now();
    for (let i = 0; i < n; i++) await put();
    return ((performance.now() - start) * 1000) / n;
  } finally {
    await store.close();
    rmSync(join(dir, `floor-${sync}`), { recursive: true, force: true });
  }
}
