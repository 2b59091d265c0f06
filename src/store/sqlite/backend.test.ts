import { afterEach, describe, expect, test } from "bun:test";
import { CompactedError, FutureRevisionError, InvalidArgumentError, LeaseNotFoundError, MAX_VALUE_BYTES, ValueTooLargeError } from "../errors.ts";
import { RANGE_ALL, prefixEnd } from "../keys.ts";
import { bytes, collectEvents, tempStore, text } from "./testing.ts";

let stores: Array<{ dispose(): Promise<void> }> = [];
function store(opts?: Parameters<typeof tempStore>[0]) {
  const s = tempStore(opts);
  stores.push(s);
  return s;
}
afterEach(async () => {
  for (const s of stores) await s.dispose();
  stores = [];
});

describe("create, get, update, delete", () => {
  test("a new store is at revision 1 and each write takes the next revision", async () => {
    const s = store();
    expect(s.currentRevision()).toBe(1);
    const a = await s.create("/a", bytes("1"));
    expect(a).toMatchObject({ succeeded: true, revision: 2 });
    expect(a.kv).toMatchObject({ key: "/a", createRevision: 2, modRevision: 2, version: 1, lease: 0 });
    const b = await s.create("/b", bytes("1"));
    expect(b.revision).toBe(3);
    expect(s.currentRevision()).toBe(3);
  });

  test("create of an existing key fails and returns the current value", async () => {
    const s = store();
    await s.create("/a", bytes("first"));
    const again = await s.create("/a", bytes("second"));
    expect(again.succeeded).toBe(false);
    expect(text(again.kv?.value)).toBe("first");
    expect(s.currentRevision()).toBe(2);
  });

  test("update is a compare-and-swap on the mod revision", async () => {
    const s = store();
    const created = await s.create("/a", bytes("v1"));
    const ok = await s.update("/a", bytes("v2"), created.revision);
    expect(ok.succeeded).toBe(true);
    expect(ok.kv).toMatchObject({ createRevision: 2, modRevision: 3, version: 2 });
    const stale = await s.update("/a", bytes("v3"), created.revision);
    expect(stale.succeeded).toBe(false);
    expect(stale.kv?.modRevision).toBe(3);
    expect(text((await s.get("/a")).kv?.value)).toBe("v2");
    const missing = await s.update("/nope", bytes("x"), 2);
    expect(missing).toEqual({ succeeded: false, revision: 3 });
  });

  test("delete removes the key; a conditional delete checks the mod revision", async () => {
    const s = store();
    const c = await s.create("/a", bytes("v"));
    expect((await s.delete("/a", { modRevision: 99 })).succeeded).toBe(false);
    const d = await s.delete("/a", { modRevision: c.revision });
    expect(d).toMatchObject({ succeeded: true, revision: 3 });
    expect(text(d.kv?.value)).toBe("v");
    expect((await s.get("/a")).kv).toBeUndefined();
    expect((await s.delete("/a")).succeeded).toBe(false);
    // Re-creating starts a new generation: version 1, new create revision.
    const again = await s.create("/a", bytes("w"));
    expect(again.kv).toMatchObject({ createRevision: 4, version: 1 });
  });

  test("values over 1.5 MiB are refused with a clear error and nothing is written", async () => {
    const s = store();
    const big = new Uint8Array(MAX_VALUE_BYTES + 1);
    expect(() => s.create("/big", big)).toThrow(ValueTooLargeError);
    expect(() => s.create("/big", big)).toThrow(/over the limit of 1572864 bytes/);
    expect(() => s.txn({ compare: [], success: [{ put: { key: "/big", value: big } }], failure: [] })).toThrow(ValueTooLargeError);
    expect(s.currentRevision()).toBe(1);
    expect((await s.create("/ok", new Uint8Array(MAX_VALUE_BYTES))).succeeded).toBe(true);
  });

  test("reads at an older revision see the value of that time", async () => {
    const s = store();
    await s.create("/a", bytes("v1")); // rev 2
    await s.update("/a", bytes("v2"), 2); // rev 3
    await s.delete("/a"); // rev 4
    expect(text((await s.get("/a", { revision: 2 })).kv?.value)).toBe("v1");
    expect(text((await s.get("/a", { revision: 3 })).kv?.value)).toBe("v2");
    expect((await s.get("/a", { revision: 4 })).kv).toBeUndefined();
    expect(() => s.get("/a", { revision: 5 })).toThrow(FutureRevisionError);
  });
});

describe("list, range and count", () => {
  async function fill(s: ReturnType<typeof store>, n: number, prefix = "/registry/configmaps/default/") {
    for (let i = 0; i < n; i++) await s.create(`${prefix}cm-${String(i).padStart(3, "0")}`, bytes(`v${i}`));
  }

  test("list pages through a prefix with limit and continuation, pinned to the first page's revision", async () => {
    const s = store();
    await fill(s, 25);
    await s.create("/registry/configmaps/other/x", bytes("other"));
    const seen: string[] = [];
    let page = await s.list("/registry/configmaps/default/", { limit: 10 });
    expect(page.remaining).toBe(15);
    const rev = page.revision;
    seen.push(...page.kvs.map((kv) => kv.key));
    // A write between pages must not show up in a list pinned to the first page's revision.
    await s.create("/registry/configmaps/default/cm-100", bytes("late"));
    while (page.continueFrom) {
      page = await s.list("/registry/configmaps/default/", { limit: 10, from: page.continueFrom, revision: rev });
      seen.push(...page.kvs.map((kv) => kv.key));
    }
    expect(seen).toHaveLength(25);
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(25);
    expect(page.remaining).toBe(0);
    const all = await s.list("/registry/configmaps/default/");
    expect(all.kvs).toHaveLength(26);
    expect(all.continueFrom).toBeUndefined();
  });

  test("count counts a prefix; keysOnly and countOnly ranges", async () => {
    const s = store();
    await fill(s, 7);
    await fill(s, 3, "/registry/secrets/default/");
    expect((await s.count("/registry/configmaps/")).count).toBe(7);
    expect((await s.count("/registry/")).count).toBe(10);
    const keys = await s.range({ key: "/registry/", end: prefixEnd("/registry/"), keysOnly: true, limit: 4 });
    expect(keys.kvs).toHaveLength(4);
    expect(keys.more).toBe(true);
    expect(keys.count).toBe(10);
    expect(keys.kvs.every((kv) => kv.value.byteLength === 0 && kv.modRevision > 0)).toBe(true);
    const counted = await s.range({ key: "/registry/secrets/", end: prefixEnd("/registry/secrets/"), countOnly: true });
    expect(counted).toMatchObject({ kvs: [], count: 3 });
  });

  test("range with the open end \\0 covers every key at or after the start", async () => {
    const s = store();
    for (const k of ["a", "b", "c", "\xff\xfe"]) await s.create(k, bytes(k));
    expect((await s.range({ key: "b", end: RANGE_ALL })).kvs.map((kv) => kv.key)).toEqual(["b", "c", "\xff\xfe"]);
    expect((await s.range({ key: "\0", end: RANGE_ALL })).count).toBe(4);
    expect((await s.range({ key: "a", end: "c" })).kvs.map((kv) => kv.key)).toEqual(["a", "b"]);
  });

  test("historical lists skip keys deleted or not yet created at that revision", async () => {
    const s = store();
    await s.create("/p/a", bytes("a1")); // 2
    await s.create("/p/b", bytes("b1")); // 3
    await s.update("/p/a", bytes("a2"), 2); // 4
    await s.delete("/p/b"); // 5
    await s.create("/p/c", bytes("c1")); // 6
    const at3 = await s.list("/p/", { revision: 3 });
    expect(at3.kvs.map((kv) => [kv.key, text(kv.value)])).toEqual([
      ["/p/a", "a1"],
      ["/p/b", "b1"],
    ]);
    const at5 = await s.list("/p/", { revision: 5 });
    expect(at5.kvs.map((kv) => [kv.key, text(kv.value)])).toEqual([["/p/a", "a2"]]);
    const page = await s.list("/p/", { revision: 3, limit: 1 });
    expect(page).toMatchObject({ remaining: 1, continueFrom: "/p/a\0" });
  });
});

describe("concurrent compare-and-swap", () => {
  test("N writers incrementing one key end at exactly N (no lost update)", async () => {
    const s = store();
    await s.create("/counter", bytes("0"));
    const writers = 16;
    const perWriter = 25;
    let conflicts = 0;
    const increment = async () => {
      for (;;) {
        const { kv } = await s.get("/counter");
        const res = await s.update("/counter", bytes(String(Number(text(kv!.value)) + 1)), kv!.modRevision);
        if (res.succeeded) return;
        conflicts++;
      }
    };
    await Promise.all(
      Array.from({ length: writers }, async () => {
        for (let i = 0; i < perWriter; i++) await increment();
      }),
    );
    const final = await s.get("/counter");
    expect(text(final.kv?.value)).toBe(String(writers * perWriter));
    expect(final.kv?.version).toBe(writers * perWriter + 1);
    expect(conflicts).toBeGreaterThan(0); // the writers really raced
    // Concurrent writes were grouped into shared transactions.
    const stats = s.writerStats();
    expect(stats.batches).toBeLessThan(stats.jobs);
  });

  test("full durability flushes the WAL before answering, one flush for many concurrent commits", async () => {
    const s = store({ sync: "full" });
    const w = s.watch({ key: "/d/", end: prefixEnd("/d/") });
    await s.create("/d/first", bytes("1"));
    expect(s.writerStats().flushes).toBe(1);
    // A watcher hears of a change only once it is durable, like its writer.
    expect((await collectEvents(w, 1))[0]!.events[0]!.kv.key).toBe("/d/first");
    await Promise.all(Array.from({ length: 200 }, (_, i) => s.create(`/d/${i}`, bytes("v"))));
    const stats = s.writerStats();
    expect(stats.flushes).toBeGreaterThan(1);
    expect(stats.flushes).toBeLessThan(stats.jobs);
    const normal = store({ sync: "normal" });
    await normal.create("/x", bytes("1"));
    expect(normal.writerStats().flushes).toBe(0);
    w.close();
  });

  test("a batch where one job fails commits the others", async () => {
    const s = store();
    const results = await Promise.allSettled([
      s.create("/x", bytes("1")),
      s.txn({ compare: [], success: [{ put: { key: "/y", value: bytes("1"), lease: 12345 } }], failure: [] }),
      s.create("/z", bytes("1")),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(LeaseNotFoundError);
    expect((await s.get("/y")).kv).toBeUndefined();
    // Revisions stay gap-free: the failed job took none.
    expect((await s.get("/x")).kv?.modRevision).toBe(2);
    expect((await s.get("/z")).kv?.modRevision).toBe(3);
  });
});

describe("transactions", () => {
  test("a transaction failing after its first write is undone alone; writes committed with it stay, revisions stay gap-free", async () => {
    const s = store();
    // Submitted in one turn of the event loop, so all three share one group commit.
    const before = s.create("/before", bytes("1"));
    const failing = s.txn({ compare: [], success: [{ put: { key: "/partial", value: bytes("x") } }, { put: { key: "/bad", value: bytes("y"), lease: 424242 } }], failure: [] });
    const after = s.create("/after", bytes("2"));
    expect(await before).toMatchObject({ succeeded: true, revision: 2 });
    await expect(failing).rejects.toBeInstanceOf(LeaseNotFoundError);
    expect(await after).toMatchObject({ succeeded: true, revision: 3 });
    expect((await s.get("/partial")).kv).toBeUndefined();
    expect(s.currentRevision()).toBe(3);
    const { kvs } = await s.list("/");
    expect(kvs.map((kv) => [kv.key, kv.modRevision])).toEqual([["/after", 3], ["/before", 2]]);
  });

  test("compares on every target choose the branch; all writes share one revision", async () => {
    const s = store();
    await s.create("/a", bytes("va")); // 2
    await s.create("/b", bytes("vb")); // 3
    const res = await s.txn({
      compare: [
        { key: "/a", target: "mod", result: "=", operand: 2 },
        { key: "/a", target: "version", result: ">", operand: 0 },
        { key: "/b", target: "create", result: "<", operand: 10 },
        { key: "/b", target: "value", result: "=", operand: bytes("vb") },
        { key: "/b", target: "lease", result: "=", operand: 0 },
        { key: "/missing", target: "create", result: "=", operand: 0 },
      ],
      success: [
        { put: { key: "/a", value: bytes("va2"), prevKv: true } },
        { deleteRange: { key: "/b", prevKv: true } },
        { put: { key: "/c", value: bytes("vc") } },
        { range: { key: "/", end: "0" } },
      ],
      failure: [],
    });
    expect(res.succeeded).toBe(true);
    expect(res.revision).toBe(4);
    const [put, del, , range] = res.responses;
    expect(text((put as { put: { prevKv?: { value: Uint8Array } } }).put.prevKv?.value)).toBe("va");
    expect((del as { deleteRange: { deleted: number } }).deleteRange.deleted).toBe(1);
    // A range inside the transaction sees the transaction's own writes.
    const seen = (range as { range: { kvs: Array<{ key: string; modRevision: number }> } }).range.kvs;
    expect(seen.map((kv) => kv.key)).toEqual(["/a", "/c"]);
    expect(seen.every((kv) => kv.modRevision === 4)).toBe(true);
    expect(s.currentRevision()).toBe(4);
  });

  test("a failed compare runs the failure branch; a value compare on a missing key is false", async () => {
    const s = store();
    const res = await s.txn({
      compare: [{ key: "/none", target: "value", result: "!=", operand: bytes("x") }],
      success: [{ put: { key: "/s", value: bytes("s") } }],
      failure: [{ put: { key: "/f", value: bytes("f") } }, { range: { key: "/f" } }],
    });
    expect(res.succeeded).toBe(false);
    expect((await s.get("/s")).kv).toBeUndefined();
    expect(text((await s.get("/f")).kv?.value)).toBe("f");
  });

  test("compares over a key range must hold for every key", async () => {
    const s = store();
    await s.create("/r/1", bytes("x"));
    await s.create("/r/2", bytes("y"));
    const txn = (value: string) =>
      s.txn({ compare: [{ key: "/r/", end: prefixEnd("/r/"), target: "value", result: "=", operand: bytes(value) }], success: [], failure: [] });
    expect((await txn("x")).succeeded).toBe(false);
    await s.update("/r/2", bytes("x"), 3);
    expect((await txn("x")).succeeded).toBe(true);
  });

  test("nested transactions, read-only transactions take no revision", async () => {
    const s = store();
    await s.create("/n", bytes("1"));
    const res = await s.txn({
      compare: [],
      success: [{ txn: { compare: [{ key: "/n", target: "version", result: "=", operand: 1 }], success: [{ put: { key: "/n2", value: bytes("2") } }], failure: [] } }],
      failure: [],
    });
    expect((res.responses[0] as { txn: { succeeded: boolean } }).txn.succeeded).toBe(true);
    expect(res.revision).toBe(3);
    const readOnly = await s.txn({ compare: [], success: [{ range: { key: "/n" } }], failure: [] });
    expect(readOnly.revision).toBe(3);
    expect(s.currentRevision()).toBe(3);
  });

  test("duplicate keys and oversized transactions are rejected before anything is written", () => {
    const s = store();
    const put = (key: string) => ({ put: { key, value: bytes("v") } });
    expect(() => s.txn({ compare: [], success: [put("/d"), put("/d")], failure: [] })).toThrow(/duplicate key/);
    expect(() => s.txn({ compare: [], success: [put("/d/1"), { deleteRange: { key: "/d/", end: "/d0" } }], failure: [] })).toThrow(InvalidArgumentError);
    expect(() => s.txn({ compare: [], success: Array.from({ length: 129 }, (_, i) => put(`/k${i}`)), failure: [] })).toThrow(/too many operations/);
    expect(s.currentRevision()).toBe(1);
  });

  test("ignoreValue and ignoreLease keep the current value and lease", async () => {
    const s = store();
    const lease = await s.grantLease(60);
    await s.create("/i", bytes("keep"), { lease: lease.id });
    await s.txn({ compare: [], success: [{ put: { key: "/i", value: new Uint8Array(), ignoreValue: true, ignoreLease: true } }], failure: [] });
    const { kv } = await s.get("/i");
    expect(text(kv?.value)).toBe("keep");
    expect(kv?.lease).toBe(lease.id);
    expect(kv?.version).toBe(2);
    await expect(s.txn({ compare: [], success: [{ put: { key: "/absent", value: new Uint8Array(), ignoreValue: true } }], failure: [] })).rejects.toThrow(
      /not found/,
    );
  });
});

describe("watch", () => {
  test("live events arrive in order with prevKv, filtered by range", async () => {
    const s = store();
    const w = s.watch({ key: "/w/", end: prefixEnd("/w/"), prevKv: true });
    await s.create("/w/a", bytes("1"));
    await s.create("/other", bytes("x"));
    await s.update("/w/a", bytes("2"), 2);
    await s.delete("/w/a");
    const events = (await collectEvents(w, 3)).flatMap((b) => b.events);
    expect(events.map((e) => [e.type, e.kv.key, e.kv.modRevision])).toEqual([
      ["put", "/w/a", 2],
      ["put", "/w/a", 4],
      ["delete", "/w/a", 5],
    ]);
    expect(events[0]!.prevKv).toBeUndefined();
    expect(text(events[1]!.prevKv?.value)).toBe("1");
    expect(text(events[2]!.prevKv?.value)).toBe("2");
    w.close();
  });

  test("a watch without prevKv gets none, and a single-key watch sees only that key", async () => {
    const s = store();
    const w = s.watch({ key: "/k" });
    await s.create("/k2", bytes("no"));
    await s.create("/k", bytes("1"));
    await s.update("/k", bytes("2"), 3);
    const events = (await collectEvents(w, 2)).flatMap((b) => b.events);
    expect(events.map((e) => e.kv.key)).toEqual(["/k", "/k"]);
    expect(events.every((e) => e.prevKv === undefined)).toBe(true);
    w.close();
  });

  test("resumes from any retained revision: replay then live, no gaps or duplicates", async () => {
    const s = store();
    for (let i = 0; i < 50; i++) await s.create(`/r/${i}`, bytes(String(i)));
    const w = s.watch({ key: "/r/", end: prefixEnd("/r/"), startRevision: 20 });
    for (let i = 50; i < 60; i++) await s.create(`/r/${i}`, bytes(String(i)));
    const revs = (await collectEvents(w, 42)).flatMap((b) => b.events.map((e) => e.kv.modRevision));
    expect(revs).toEqual(Array.from({ length: 42 }, (_, i) => 20 + i));
    w.close();
  });

  test("all events of one revision arrive in one batch", async () => {
    const s = store();
    const w = s.watch({ key: "/t/", end: prefixEnd("/t/") });
    await s.txn({ compare: [], success: [1, 2, 3].map((i) => ({ put: { key: `/t/${i}`, value: bytes("v") } })), failure: [] });
    const [batch] = await collectEvents(w, 3);
    expect(batch!.events.map((e) => [e.kv.key, e.kv.modRevision])).toEqual([
      ["/t/1", 2],
      ["/t/2", 2],
      ["/t/3", 2],
    ]);
    // Replayed from the log, the same revision again arrives whole.
    const replay = s.watch({ key: "/t/", end: prefixEnd("/t/"), startRevision: 2 });
    const [again] = await collectEvents(replay, 3);
    expect(again!.events).toHaveLength(3);
    w.close();
    replay.close();
  });

  test("a slow watcher is caught up from the log and loses nothing", async () => {
    const s = store({ watchQueueLimit: 10 });
    const w = s.watch({ key: "/s/", end: prefixEnd("/s/"), prevKv: true });
    // Write far more than the watcher may queue, without reading it.
    await Promise.all(Array.from({ length: 500 }, (_, i) => s.create(`/s/${i}`, bytes(String(i)))));
    for (let i = 0; i < 20; i++) await s.update(`/s/${i}`, bytes(`u${i}`), (await s.get(`/s/${i}`)).kv!.modRevision);
    const events = (await collectEvents(w, 520)).flatMap((b) => b.events);
    expect(events).toHaveLength(520);
    const revs = events.map((e) => e.kv.modRevision);
    expect(revs).toEqual([...revs].sort((a, b) => a - b));
    expect(new Set(revs).size).toBe(520);
    expect(text(events[519]!.prevKv?.value)).toBe("19");
    w.close();
  });

  test("watching from a compacted revision fails with CompactedError", async () => {
    const s = store();
    for (let i = 0; i < 10; i++) await s.create(`/c/${i}`, bytes("v"));
    await s.compact(8);
    const w = s.watch({ key: "/c/", end: prefixEnd("/c/"), startRevision: 5 });
    const it = w[Symbol.asyncIterator]();
    const err = await it.next().catch((e) => e);
    expect(err).toBeInstanceOf(CompactedError);
    expect(err).toMatchObject({ requestedRevision: 5, compactRevision: 8 });
    // At the compact revision itself the history is still complete.
    const ok = s.watch({ key: "/c/", end: prefixEnd("/c/"), startRevision: 8 });
    expect((await collectEvents(ok, 4)).flatMap((b) => b.events.map((e) => e.kv.modRevision))).toEqual([8, 9, 10, 11]);
    ok.close();
  });

  test("a watcher left behind by compaction is told so explicitly", async () => {
    const s = store({ watchQueueLimit: 2 });
    const w = s.watch({ key: "/l/", end: prefixEnd("/l/") });
    for (let i = 0; i < 10; i++) await s.create(`/l/${i}`, bytes("v")); // overflows: now reading from the log
    await s.compact(s.currentRevision());
    await expect(w[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(CompactedError);
  });

  test("progress requests report the current revision once caught up", async () => {
    const s = store();
    await s.create("/p", bytes("v"));
    const w = s.watch({ key: "/nothing" });
    w.requestProgress();
    const { value } = await w[Symbol.asyncIterator]().next();
    expect(value).toEqual({ revision: 2, events: [] });
    w.close();
  });

  test("closing a watch ends its iteration and frees it", async () => {
    const s = store();
    const w = s.watch({ key: "/x" });
    expect(s.watcherCount).toBe(1);
    const pending = w[Symbol.asyncIterator]().next();
    w.close();
    expect((await pending).done).toBe(true);
    expect(s.watcherCount).toBe(0);
  });
});

describe("compaction", () => {
  test("reads below the compacted revision fail; the latest values survive", async () => {
    const s = store();
    await s.create("/a", bytes("a1")); // 2
    await s.update("/a", bytes("a2"), 2); // 3
    await s.create("/b", bytes("b1")); // 4
    await s.delete("/b"); // 5
    await s.create("/c", bytes("c1")); // 6
    await s.compact(5);
    expect(s.compactRevision()).toBe(5);
    expect(() => s.get("/a", { revision: 4 })).toThrow(CompactedError);
    expect(() => s.list("/", { revision: 3 })).toThrow(/has been compacted/);
    expect(text((await s.get("/a", { revision: 5 })).kv?.value)).toBe("a2");
    expect((await s.list("/")).kvs.map((kv) => kv.key)).toEqual(["/a", "/c"]);
    await expect(s.compact(4)).rejects.toBeInstanceOf(CompactedError);
    await expect(s.compact(100)).rejects.toBeInstanceOf(FutureRevisionError);
    // A later compaction removes what an earlier one kept once it is superseded.
    await s.update("/a", bytes("a3"), 3); // 7
    await s.compact(7);
    expect((await s.get("/a", { revision: 7 })).kv?.version).toBe(3);
  });

  test("the files stay bounded under endless updates", async () => {
    const s = store({ compaction: { retentionMs: 0, intervalMs: 0 } });
    const value = new Uint8Array(1000).fill(120);
    const round = async () => {
      for (let i = 0; i < 2000; i++) await s.txn({ compare: [], success: [{ put: { key: `/u/${i % 100}`, value } }], failure: [] });
      await s.compact(s.currentRevision());
    };
    await round();
    const after1 = s.status().dbSize;
    for (let r = 0; r < 4; r++) await round();
    const after5 = s.status();
    // Live data is 100 keys x 1 KB; five rounds of 2000 updates must not grow the files.
    expect(after5.dbSize).toBeLessThanOrEqual(after1 * 1.1);
    expect(after5.walSize).toBe(0);
    expect(after5.dbSize).toBeLessThan(100 * 1000 * 4);
  });

  test("automatic compaction keeps the retention window", async () => {
    const s = store({ compaction: { retentionMs: 300, intervalMs: 100 } });
    await s.create("/auto", bytes("1"));
    const early = s.currentRevision();
    await Bun.sleep(50);
    expect(s.compactRevision()).toBe(0);
    for (let i = 0; i < 5; i++) await s.update("/auto", bytes(String(i)), s.currentRevision());
    const deadline = Date.now() + 5000;
    while (s.compactRevision() < early && Date.now() < deadline) await Bun.sleep(50);
    expect(s.compactRevision()).toBeGreaterThanOrEqual(early);
    expect(text((await s.get("/auto")).kv?.value)).toBe("4");
  });
});

describe("leases", () => {
  test("revoking a lease deletes its keys in one revision", async () => {
    const s = store();
    const lease = await s.grantLease(60);
    expect(lease.ttl).toBe(60);
    await s.create("/l/1", bytes("1"), { lease: lease.id });
    await s.create("/l/2", bytes("2"), { lease: lease.id });
    await s.create("/l/3", bytes("3"));
    expect(s.leaseTimeToLive(lease.id, true).keys).toEqual(["/l/1", "/l/2"]);
    expect(s.listLeases()).toEqual([lease.id]);
    const w = s.watch({ key: "/l/", end: prefixEnd("/l/") });
    const { revision } = await s.revokeLease(lease.id);
    const [batch] = await collectEvents(w, 2);
    expect(batch!.events.map((e) => [e.type, e.kv.key, e.kv.modRevision])).toEqual([
      ["delete", "/l/1", revision],
      ["delete", "/l/2", revision],
    ]);
    expect((await s.list("/l/")).kvs.map((kv) => kv.key)).toEqual(["/l/3"]);
    expect(s.leaseTimeToLive(lease.id).ttl).toBe(-1);
    await expect(s.revokeLease(lease.id)).rejects.toBeInstanceOf(LeaseNotFoundError);
    w.close();
  });

  test("an expired lease takes its keys with it; keep-alive extends it", async () => {
    const s = store();
    const short = await s.grantLease(1);
    const kept = await s.grantLease(1);
    await s.create("/e/short", bytes("x"), { lease: short.id });
    await s.create("/e/kept", bytes("x"), { lease: kept.id });
    const deadline = Date.now() + 4000;
    while ((await s.get("/e/short")).kv && Date.now() < deadline) {
      await s.keepAliveLease(kept.id);
      await Bun.sleep(100);
    }
    expect((await s.get("/e/short")).kv).toBeUndefined();
    expect((await s.get("/e/kept")).kv).toBeDefined();
    await expect(s.keepAliveLease(short.id)).rejects.toBeInstanceOf(LeaseNotFoundError);
  });

  test("a put naming an unknown lease fails", async () => {
    const s = store();
    await expect(s.create("/x", bytes("v"), { lease: 42 })).rejects.toBeInstanceOf(LeaseNotFoundError);
    expect(s.currentRevision()).toBe(1);
  });
});
