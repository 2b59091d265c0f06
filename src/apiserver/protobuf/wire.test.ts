import { describe, expect, test } from "bun:test";
import { ProtoError, Reader, Writer } from "./wire.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const bytes = (h: string) => new Uint8Array(Buffer.from(h, "hex"));

function written(f: (w: Writer) => void): string {
  const w = new Writer(4);
  f(w);
  return hex(w.finish());
}

describe("varints", () => {
  test("unsigned values encode like Go's encodeVarint", () => {
    expect(written((w) => w.uint(0))).toBe("00");
    expect(written((w) => w.uint(127))).toBe("7f");
    expect(written((w) => w.uint(128))).toBe("8001");
    expect(written((w) => w.uint(300))).toBe("ac02");
    expect(written((w) => w.uint(2 ** 32))).toBe("8080808010");
    expect(written((w) => w.uint(Number.MAX_SAFE_INTEGER))).toBe("ffffffffffffff0f");
  });

  test("negative ints sign-extend to ten bytes, as Go's uint64(int32(v))", () => {
    expect(written((w) => w.int(-1))).toBe("ffffffffffffffffff01");
    expect(written((w) => w.int(-2))).toBe("feffffffffffffffff01");
    expect(written((w) => w.int(-2147483648))).toBe("80808080f8ffffffff01");
    expect(written((w) => w.int(-(2 ** 40)))).toBe("8080808080e0ffffff01");
  });

  test("reader inverts writer across the int32/int64 range", () => {
    const values = [0, 1, 127, 128, 16383, 16384, 2 ** 31 - 1, -1, -128, -(2 ** 31), 2 ** 40, -(2 ** 40), 2 ** 53 - 1, -(2 ** 53 - 1), 1700000000];
    for (const v of values) {
      const w = new Writer();
      w.int(v);
      const b = w.finish();
      const r = new Reader(b);
      expect(r.int64(b.length)).toBe(v);
      expect(r.pos).toBe(b.length);
      if (v >= -(2 ** 31) && v < 2 ** 31) expect(new Reader(b).int32(b.length)).toBe(v);
    }
  });

  test("int32 keeps the low 32 bits of a wider varint, like Go", () => {
    // 2^32 + 5 read as int32 is 5.
    const w = new Writer();
    w.uint(2 ** 32 + 5);
    const b = w.finish();
    expect(new Reader(b).int32(b.length)).toBe(5);
  });

  test("truncated varint is unexpected EOF; an 11-byte varint overflows", () => {
    expect(() => new Reader(bytes("80")).uint(1)).toThrow(new ProtoError("unexpected EOF"));
    expect(() => new Reader(bytes("")).uint(0)).toThrow("unexpected EOF");
    expect(() => new Reader(bytes("ffffffffffffffffffff01")).uint(11)).toThrow("proto: integer overflow");
  });

  test("a varint may not run past the end of its enclosing message", () => {
    const r = new Reader(bytes("ff01"));
    expect(() => r.uint(1)).toThrow("unexpected EOF");
  });
});

describe("length-delimited", () => {
  test("strings round-trip, including multi-byte UTF-8 and lengths over 127", () => {
    for (const s of ["", "a", "héllo wörld", "日本語", "emoji 😀 pair", "x".repeat(42), "y".repeat(43), "z".repeat(300), "ü".repeat(100)]) {
      const w = new Writer(2);
      w.string(s);
      const b = w.finish();
      const r = new Reader(b);
      expect(r.string(b.length)).toBe(s);
      expect(r.pos).toBe(b.length);
    }
    expect(written((w) => w.string("abc"))).toBe("03616263");
    expect(written((w) => w.string("x".repeat(128))).slice(0, 4)).toBe("8001");
  });

  test("fork/join moves payloads whose length needs more than one byte", () => {
    for (const n of [0, 127, 128, 16383, 16384, 70000]) {
      const w = new Writer(8);
      w.byte(0x0a);
      const mark = w.fork();
      w.raw(new Uint8Array(n).fill(7));
      w.join(mark);
      w.byte(0x10);
      const b = w.finish();
      const r = new Reader(b, 1);
      const end = r.lengthEnd(b.length);
      expect(end - r.pos).toBe(n);
      expect(b[end]).toBe(0x10);
      expect(b.length).toBe(end + 1);
    }
  });

  test("a length past the end is unexpected EOF; a negative length is rejected", () => {
    expect(() => new Reader(bytes("0561")).string(2)).toThrow("unexpected EOF");
    expect(() => new Reader(bytes("ffffffffffffffff8001")).lengthEnd(10)).toThrow("proto: negative length found during unmarshaling");
  });

  test("bytes are copied out of the input", () => {
    const input = bytes("03010203");
    const out = new Reader(input).bytes(4);
    input[1] = 9;
    expect([...out]).toEqual([1, 2, 3]);
  });
});

describe("skipping unknown fields", () => {
  test("each wire type is skipped to the right place", () => {
    // varint, fixed64, bytes, fixed32
    const cases: Array<[number, string]> = [
      [0, "ac02"],
      [1, "0102030405060708"],
      [2, "03616263"],
      [5, "01020304"],
    ];
    for (const [wt, payload] of cases) {
      const b = bytes(payload + "ff");
      const r = new Reader(b);
      r.skip(wt, b.length);
      expect(r.pos).toBe(b.length - 1);
    }
  });

  test("groups are skipped with nesting, without recursion", () => {
    // start group (field 1), varint field 2, nested start (field 3), end (3), end (1)
    const b = bytes("0b" + "1005" + "1b" + "1c" + "0c" + "ff");
    const r = new Reader(b, 1);
    r.skip(3, b.length);
    expect(r.pos).toBe(b.length - 1);
    // 100k nested groups: no stack growth.
    const deep = new Uint8Array(200001);
    deep.fill(0x0b, 0, 100000);
    deep.fill(0x0c, 100000, 200000);
    const rd = new Reader(deep, 1);
    rd.skip(3, deep.length);
    expect(rd.pos).toBe(200000);
  });

  test("bad groups and wire types fail cleanly", () => {
    expect(() => new Reader(bytes("0b")).skip(3, 1)).toThrow("unexpected EOF");
    expect(() => new Reader(bytes("")).skip(4, 0)).toThrow("proto: unexpected end of group");
    expect(() => new Reader(bytes("00")).skip(6, 1)).toThrow("proto: illegal wireType 6");
    expect(() => new Reader(bytes("0102")).skip(1, 2)).toThrow("unexpected EOF");
  });
});
