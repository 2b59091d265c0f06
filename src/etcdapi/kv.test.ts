/** KV service details through the lean client: options, transactions, error mapping, binary keys. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { GrpcCallError } from "./client.ts";
import { CompareResult, CompareTarget, SortOrder, SortTarget } from "./proto/messages.ts";
import type * as M from "./proto/messages.ts";
import { startTestCluster, type TestCluster } from "./testing.ts";

let c: TestCluster;
beforeAll(async () => {
  c = await startTestCluster();
});
afterAll(async () => {
  await c.dispose();
});

const b = (s: string) => Buffer.from(s);
const str = (u: Uint8Array | undefined | null) => (u ? Buffer.from(u).toString() : "");
const keys = (r: M.RangeResponse) => r.kvs.map((kv) => str(kv.key));

async function grpcError(p: Promise<unknown>): Promise<GrpcCallError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof GrpcCallError) return err;
    throw err;
  }
  throw new Error("expected the call to fail");
}

describe("Range options", () => {
  let base = 0;
  beforeAll(async () => {
    // /r/a v1 (rev base+1), /r/b (base+2), /r/c (base+3), /r/a v2 (base+4)
    base = (await c.client().range({ key: b("x") })).header!.revision;
    await c.client().put({ key: b("/r/a"), value: b("3") });
    await c.client().put({ key: b("/r/b"), value: b("1") });
    await c.client().put({ key: b("/r/c"), value: b("2") });
    await c.client().put({ key: b("/r/a"), value: b("0") });
  });
  const all = { key: b("/r/"), range_end: b("/r0") };

  test("limit, more and count", async () => {
    const res = await c.client().range({ ...all, limit: 2 });
    expect(keys(res)).toEqual(["/r/a", "/r/b"]);
    expect(res.more).toBe(true);
    expect(res.count).toBe(3);
    const counted = await c.client().range({ ...all, count_only: true });
    expect(counted.kvs).toEqual([]);
    expect(counted.count).toBe(3);
    const keysOnly = await c.client().range({ ...all, keys_only: true });
    expect(keysOnly.kvs.map((kv) => kv.value.length)).toEqual([0, 0, 0]);
  });

  test("sorting by every target, both orders, with a limit applied after sorting", async () => {
    const sorted = async (target: number, order: number, limit = 0) => keys(await c.client().range({ ...all, sort_target: target, sort_order: order, limit }));
    expect(await sorted(SortTarget.KEY, SortOrder.DESCEND)).toEqual(["/r/c", "/r/b", "/r/a"]);
    expect(await sorted(SortTarget.VALUE, SortOrder.ASCEND)).toEqual(["/r/a", "/r/b", "/r/c"]);
    expect(await sorted(SortTarget.MOD, SortOrder.DESCEND)).toEqual(["/r/a", "/r/c", "/r/b"]);
    expect(await sorted(SortTarget.CREATE, SortOrder.DESCEND, 2)).toEqual(["/r/c", "/r/b"]);
    expect(await sorted(SortTarget.VERSION, SortOrder.DESCEND, 1)).toEqual(["/r/a"]);
    // A target without an order sorts ascending, as etcd does.
    expect(await sorted(SortTarget.MOD, SortOrder.NONE)).toEqual(["/r/b", "/r/c", "/r/a"]);
    const limited = await c.client().range({ ...all, sort_target: SortTarget.MOD, sort_order: SortOrder.ASCEND, limit: 2 });
    expect(limited.more).toBe(true);
    expect(limited.count).toBe(3);
    const bad = await grpcError(c.client().range({ ...all, sort_order: 7 }));
    expect(bad.code).toBe(3);
  });

  test("min/max mod and create revision filters", async () => {
    expect(keys(await c.client().range({ ...all, min_mod_revision: base + 3 }))).toEqual(["/r/a", "/r/c"]);
    expect(keys(await c.client().range({ ...all, max_mod_revision: base + 2 }))).toEqual(["/r/b"]);
    expect(keys(await c.client().range({ ...all, min_create_revision: base + 2, max_create_revision: base + 2 }))).toEqual(["/r/b"]);
    const filtered = await c.client().range({ ...all, min_create_revision: base + 2, limit: 1 });
    expect(keys(filtered)).toEqual(["/r/b"]);
    expect(filtered.more).toBe(true);
  });

  test("reading at an older revision", async () => {
    const res = await c.client().range({ key: b("/r/a"), revision: base + 1 });
    expect(str(res.kvs[0]?.value)).toBe("3");
    expect(res.header?.revision).toBe(base + 4);
  });
});

describe("writes", () => {
  test("put and delete with prev_kv; binary keys round-trip", async () => {
    const key = Buffer.from([0x00, 0xff, 0x80, 0x2f]);
    const first = await c.client().put({ key, value: b("v1"), prev_kv: true });
    expect(first.prev_kv).toBeNull();
    const second = await c.client().put({ key, value: b("v2"), prev_kv: true });
    expect(str(second.prev_kv?.value)).toBe("v1");
    expect(second.header?.revision).toBe(first.header!.revision + 1);
    const got = await c.client().range({ key });
    expect(Buffer.from(got.kvs[0]!.key).equals(key)).toBe(true);
    const del = await c.client().deleteRange({ key, prev_kv: true });
    expect(del.deleted).toBe(1);
    expect(str(del.prev_kvs[0]?.value)).toBe("v2");
  });

  test("ignore_value and ignore_lease keep the current value or lease", async () => {
    await c.client().put({ key: b("/iv"), value: b("kept") });
    await c.client().put({ key: b("/iv"), ignore_value: true });
    expect(str((await c.client().range({ key: b("/iv") })).kvs[0]?.value)).toBe("kept");
    const missing = await grpcError(c.client().put({ key: b("/absent"), ignore_value: true }));
    expect(missing).toMatchObject({ code: 3, details: "etcdserver: key not found" });
    const both = await grpcError(c.client().put({ key: b("/iv"), value: b("x"), ignore_value: true }));
    expect(both).toMatchObject({ code: 3, details: "etcdserver: value is provided" });
  });

  test("errors carry etcd's codes and messages", async () => {
    expect(await grpcError(c.client().put({ key: b(""), value: b("v") }))).toMatchObject({ code: 3, details: "etcdserver: key is not provided" });
    expect(await grpcError(c.client().range({ key: b("") }))).toMatchObject({ code: 3, details: "etcdserver: key is not provided" });
    expect(await grpcError(c.client().put({ key: b("k"), value: b("v"), lease: 12345 }))).toMatchObject({
      code: 5,
      details: "etcdserver: requested lease not found",
    });
    expect(await grpcError(c.client().range({ key: b("k"), revision: 1_000_000 }))).toMatchObject({
      code: 11,
      details: "etcdserver: mvcc: required revision is a future revision",
    });
    const big = Buffer.alloc(1.5 * 1024 * 1024 + 10);
    expect(await grpcError(c.client().put({ key: b("big"), value: big }))).toMatchObject({ code: 3, details: "etcdserver: request is too large" });
  });
});

describe("Txn", () => {
  test("compares on every target, nested transactions, ranges with options inside", async () => {
    const p1 = await c.client().put({ key: b("/t/a"), value: b("1") });
    await c.client().put({ key: b("/t/b"), value: b("2") });
    const rev = p1.header!.revision;
    const res = await c.client().txn({
      compare: [
        { key: b("/t/a"), target: CompareTarget.MOD, result: CompareResult.EQUAL, mod_revision: rev },
        { key: b("/t/a"), target: CompareTarget.CREATE, result: CompareResult.LESS, create_revision: rev + 1 },
        { key: b("/t/a"), target: CompareTarget.VERSION, result: CompareResult.GREATER, version: 0 },
        { key: b("/t/a"), target: CompareTarget.VALUE, result: CompareResult.NOT_EQUAL, value: b("9") },
        { key: b("/t/a"), target: CompareTarget.LEASE, result: CompareResult.EQUAL, lease: 0 },
        // Over a range: every key must match.
        { key: b("/t/"), range_end: b("/t0"), target: CompareTarget.VERSION, result: CompareResult.EQUAL, version: 1 },
      ],
      success: [
        { request_range: { key: b("/t/"), range_end: b("/t0"), sort_order: SortOrder.DESCEND, limit: 1 } },
        {
          request_txn: {
            compare: [{ key: b("/t/missing"), target: CompareTarget.VERSION, result: CompareResult.EQUAL, version: 0 }],
            success: [{ request_put: { key: b("/t/c"), value: b("3"), prev_kv: true } }],
          },
        },
        { request_delete_range: { key: b("/t/b"), prev_kv: true } },
      ],
      failure: [{ request_put: { key: b("/t/failed"), value: b("x") } }],
    });
    expect(res.succeeded).toBe(true);
    expect(res.header?.revision).toBe(rev + 2);
    const [range, nested, del] = res.responses;
    expect(keys(range!.response_range!)).toEqual(["/t/b"]);
    expect(range!.response_range!.more).toBe(true);
    expect(nested!.response_txn!.succeeded).toBe(true);
    expect(nested!.response_txn!.responses[0]!.response_put).not.toBeNull();
    expect(del!.response_delete_range!.deleted).toBe(1);
    expect(keys((await c.client().range({ key: b("/t/"), range_end: b("/t0") })))).toEqual(["/t/a", "/t/c"]);

    const failed = await c.client().txn({
      compare: [{ key: b("/t/a"), target: CompareTarget.VALUE, result: CompareResult.EQUAL, value: b("nope") }],
      failure: [{ request_range: { key: b("/t/a") } }],
    });
    expect(failed.succeeded).toBe(false);
    expect(str(failed.responses[0]!.response_range!.kvs[0]!.value)).toBe("1");
  });

  test("invalid transactions are refused with etcd's messages", async () => {
    const dup = await grpcError(
      c.client().txn({ success: [{ request_put: { key: b("d"), value: b("1") } }, { request_put: { key: b("d"), value: b("2") } }] }),
    );
    expect(dup).toMatchObject({ code: 3, details: "etcdserver: duplicate key given in txn request" });
    const tooMany = await grpcError(c.client().txn({ success: Array.from({ length: 129 }, (_, i) => ({ request_range: { key: b(`k${i}`) } })) }));
    expect(tooMany).toMatchObject({ code: 3, details: "etcdserver: too many operations in txn request" });
    const empty = await grpcError(c.client().txn({ success: [{}] }));
    expect(empty.code).toBe(3);
  });
});

describe("Compact", () => {
  test("compaction errors map to OUT_OF_RANGE", async () => {
    const rev = (await c.client().put({ key: b("/c"), value: b("1") })).header!.revision;
    await c.client().compact({ revision: rev, physical: true });
    expect(await grpcError(c.client().compact({ revision: rev - 1 }))).toMatchObject({
      code: 11,
      details: "etcdserver: mvcc: required revision has been compacted",
    });
    expect(await grpcError(c.client().range({ key: b("/c"), revision: rev - 1 }))).toMatchObject({ code: 11 });
    expect(await grpcError(c.client().compact({ revision: rev + 100 }))).toMatchObject({
      code: 11,
      details: "etcdserver: mvcc: required revision is a future revision",
    });
  });
});
