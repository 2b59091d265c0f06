import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CorruptDatabaseError, StoreLockedError } from "../errors.ts";
import { SqliteBackend } from "./backend.ts";
import { restoreSnapshot } from "./snapshot.ts";
import { bytes, tempDir, text } from "./testing.ts";

let cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});
function dir(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

async function populated(path: string, n = 300): Promise<void> {
  const s = SqliteBackend.open({ path });
  for (let i = 0; i < n; i++) await s.create(`/registry/configmaps/default/cm-${i}`, bytes("x".repeat(500)));
  await s.close();
}

describe("data files", () => {
  test("data and revisions persist across close and reopen", async () => {
    const path = join(dir(), "state.db");
    const a = SqliteBackend.open({ path });
    await a.create("/p", bytes("kept"));
    const lease = await a.grantLease(3600);
    await a.create("/leased", bytes("v"), { lease: lease.id });
    await a.close();
    const b = SqliteBackend.open({ path });
    expect(b.currentRevision()).toBe(3);
    expect(text((await b.get("/p")).kv?.value)).toBe("kept");
    expect(b.listLeases()).toEqual([lease.id]);
    expect(b.leaseTimeToLive(lease.id).ttl).toBeGreaterThan(3500);
    expect((await b.create("/q", bytes("next"))).revision).toBe(4);
    await b.close();
  });

  test("a second open of the same store is refused while the first holds it", async () => {
    const path = join(dir(), "state.db");
    const a = SqliteBackend.open({ path });
    expect(() => SqliteBackend.open({ path })).toThrow(StoreLockedError);
    expect(() => SqliteBackend.open({ path })).toThrow(`database ${path} is in use by process ${process.pid}`);
    await a.close();
    const b = SqliteBackend.open({ path });
    await b.close();
  });

  test("a file that is not a database gives an error naming the file", () => {
    const path = join(dir(), "state.db");
    writeFileSync(path, "this is not sqlite at all, just some text that is long enough to have a header".repeat(20));
    expect(() => SqliteBackend.open({ path })).toThrow(CorruptDatabaseError);
    expect(() => SqliteBackend.open({ path })).toThrow(`database file ${path} is corrupt or not a kts store: it does not start with an SQLite header`);
  });

  test("a truncated database gives an error naming the file", async () => {
    const path = join(dir(), "state.db");
    await populated(path);
    truncateSync(path, Math.floor(statSync(path).size / 2) + 100);
    expect(() => SqliteBackend.open({ path })).toThrow(new RegExp(`database file ${path} is corrupt.*truncated`));
  });

  test("pages of garbage inside the file give a clear error, not a crash", async () => {
    const path = join(dir(), "state.db");
    await populated(path);
    const data = readFileSync(path);
    // Overwrite everything after the first page (the schema) with garbage.
    for (let i = 4096; i < data.length; i++) data[i] = (i * 7919) & 0xff;
    writeFileSync(path, data);
    let err: unknown;
    try {
      const s = SqliteBackend.open({ path });
      try {
        await s.list("/registry/");
      } finally {
        await s.close();
      }
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CorruptDatabaseError);
    expect((err as Error).message).toContain(path);
  });

  test("an SQLite file of some other program is refused", () => {
    const path = join(dir(), "state.db");
    const other = new Database(path, { create: true });
    other.run("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)");
    other.close();
    expect(() => SqliteBackend.open({ path })).toThrow(/not a kts store: it holds tables \(users\) but no kts metadata/);
  });
});

describe("snapshots", () => {
  test("a snapshot taken while writes continue is consistent and restores", async () => {
    const root = dir();
    const path = join(root, "state.db");
    const s = SqliteBackend.open({ path });
    for (let i = 0; i < 2000; i++) await s.create(`/k/${i}`, bytes(`v${i}`));
    const progress: number[] = [];
    // Keep writing while the snapshot runs; the snapshot must hold one point in time.
    let writing = true;
    const writer = (async () => {
      let i = 0;
      while (writing) await s.create(`/during/${i++}`, bytes("w"));
    })();
    const snap = await s.snapshot(join(root, "snaps", "snap-1"), (p) => progress.push(p.done));
    writing = false;
    await writer;
    expect(progress.length).toBeGreaterThan(0);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const afterSnapshot = s.currentRevision();
    expect(afterSnapshot).toBeGreaterThan(snap.revision);
    await s.close();

    // The snapshot is a plain SQLite file (no WAL) holding exactly revisions up to snap.revision.
    const file = join(root, "snaps", "snap-1");
    expect(existsSync(`${file}-wal`)).toBe(false);
    const restored = restoreSnapshot(file, path);
    expect(restored.revision).toBe(snap.revision);
    expect(restored.keptAs).toBeDefined();
    expect(existsSync(restored.keptAs!)).toBe(true);
    const back = SqliteBackend.open({ path });
    expect(back.currentRevision()).toBe(snap.revision);
    expect((await back.count("/k/")).count).toBe(2000);
    expect((await back.count("/during/")).count).toBe(snap.revision - 2001);
    await back.close();
  });

  test("restore refuses while the store is open, and refuses a damaged snapshot", async () => {
    const root = dir();
    const path = join(root, "state.db");
    const s = SqliteBackend.open({ path });
    await s.create("/a", bytes("1"));
    await s.snapshot(join(root, "good"));
    expect(() => restoreSnapshot(join(root, "good"), path)).toThrow(StoreLockedError);
    await s.close();

    const bad = join(root, "bad");
    const data = readFileSync(join(root, "good"));
    writeFileSync(bad, data.subarray(0, 100));
    expect(() => restoreSnapshot(bad, path)).toThrow(CorruptDatabaseError);
    // An etcd-style stream (database + SHA-256 trailer) is checked against its hash.
    const withHash = join(root, "with-hash");
    writeFileSync(withHash, Buffer.concat([data, createHash("sha256").update(data).digest()]));
    expect(restoreSnapshot(withHash, path).revision).toBe(2);
    const tampered = Buffer.concat([data, createHash("sha256").update("other").digest()]);
    writeFileSync(withHash, tampered);
    expect(() => restoreSnapshot(withHash, path)).toThrow(/SHA-256 trailer does not match/);
    // Nothing was lost by the refused restores.
    const after = SqliteBackend.open({ path });
    expect(text((await after.get("/a")).kv?.value)).toBe("1");
    await after.close();
  });
});
