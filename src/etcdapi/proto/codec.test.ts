import { describe, expect, test } from "bun:test";
import { etcdCodecs } from "./codec.ts";

describe("etcd codecs", () => {
  const c = etcdCodecs();

  test("64-bit integers decode as numbers, including negative and large ones; absent ones read 0", () => {
    for (const n of [0, 1, 127, 128, 2 ** 31, 2 ** 49 - 1, 2 ** 49, 2 ** 53 - 1, -1, -(2 ** 40)]) {
      const res = c.WatchResponse.decode(c.WatchResponse.encode({ watch_id: n }));
      expect(res.watch_id).toBe(n);
    }
    const header = c.RangeResponse.decode(c.RangeResponse.encode({ header: { cluster_id: 2 ** 52 + 1 } })).header!;
    expect(header.cluster_id).toBe(2 ** 52 + 1);
    expect(header.revision).toBe(0);
    expect(typeof header.member_id).toBe("number");
  });

  test("absent bytes read as an empty Uint8Array; oneofs and sub-messages as null", () => {
    const req = c.RangeRequest.decode(c.RangeRequest.encode({ key: Buffer.from("k") }));
    expect(req.range_end).toBeInstanceOf(Uint8Array);
    expect(req.range_end.length).toBe(0);
    const op = c.WatchRequest.decode(c.WatchRequest.encode({ progress_request: {} }));
    expect(op.create_request).toBeNull();
    expect(op.progress_request).not.toBeNull();
  });

  test("field numbers match etcd's wire format", () => {
    // KeyValue{key=1, create_revision=2, mod_revision=3, version=4, value=5, lease=6} inside RangeResponse.kvs=2
    const bytes = c.RangeResponse.encode({
      kvs: [{ key: Buffer.from("k"), create_revision: 2, mod_revision: 3, version: 4, value: Buffer.from("v"), lease: 6 }],
    });
    expect(Buffer.from(bytes).toString("hex")).toBe("12" + "0e" + "0a016b" + "1002" + "1803" + "2004" + "2a0176" + "3006");
    // Compare.range_end is field 64: tag (64 << 3 | 2) = 0x202 -> varint 82 04.
    const txn = c.TxnRequest.encode({ compare: [{ key: Buffer.from("a"), range_end: Buffer.from("b") }] });
    expect(Buffer.from(txn).toString("hex")).toBe("0a" + "07" + "1a0161" + "82040162");
  });
});
