import { describe, expect, test } from "bun:test";
import { children, decodeOid, decodeTime, namedBits, oid, readItem, time, uint } from "./der.ts";
import { bytesToIp, canonicalIp, ipToBytes } from "./ip.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("DER encoding", () => {
  test("OIDs round-trip, multi-byte arcs included", () => {
    expect(hex(oid("1.2.840.10045.4.3.2"))).toBe("06082a8648ce3d040302");
    for (const id of ["2.5.29.17", "1.3.6.1.4.1.311.10.3.3", "2.16.840.1.113730.4.1", "2.5.29.37.0"]) expect(decodeOid(readItem(oid(id)).content)).toBe(id);
  });

  test("INTEGERs are minimal and positive", () => {
    expect(hex(uint(Uint8Array.of(0, 0, 5)))).toBe("020105");
    expect(hex(uint(Uint8Array.of(0x80)))).toBe("02020080");
    expect(hex(uint(Uint8Array.of(0)))).toBe("020100");
  });

  test("named bit strings drop trailing zero bits (KeyUsage digitalSignature|keyCertSign)", () => {
    expect(hex(namedBits([0, 5]))).toBe("03020284");
    expect(hex(namedBits([8]))).toBe("0303070080");
  });

  test("long lengths and nested reads", () => {
    const big = new Uint8Array(300).fill(7);
    const item = readItem(Uint8Array.of(0x30, 0x82, 0x01, 0x30, 0x04, 0x82, 0x01, 0x2c, ...big));
    expect(children(item.content)[0]!.content.length).toBe(300);
    expect(() => readItem(Uint8Array.of(0x30, 0x05, 0x01))).toThrow(/past its container/);
  });

  test("times: UTCTime until 2049, GeneralizedTime from 2050", () => {
    const a = new Date("2036-11-28T00:06:40Z");
    const b = new Date("2051-01-02T03:04:05Z");
    expect(new TextDecoder().decode(readItem(time(a)).content)).toBe("361128000640Z");
    expect(readItem(time(b)).tag).toBe(0x18);
    expect(decodeTime(readItem(time(a))).toISOString()).toBe(a.toISOString());
    expect(decodeTime(readItem(time(b))).toISOString()).toBe(b.toISOString());
  });
});

describe("IP addresses", () => {
  test("round-trip to canonical text", () => {
    expect(hex(ipToBytes("10.43.0.1"))).toBe("0a2b0001");
    expect(hex(ipToBytes("::1"))).toBe("00000000000000000000000000000001");
    expect(hex(ipToBytes("::ffff:1.2.3.4"))).toBe("00000000000000000000ffff01020304");
    expect(canonicalIp("2001:0db8:0:0:0:0:0:10")).toBe("2001:db8::10");
    expect(canonicalIp("::")).toBe("::");
    expect(bytesToIp(ipToBytes("1:0:0:2:0:0:0:3"))).toBe("1:0:0:2::3");
    expect(() => ipToBytes("10.0.0")).toThrow();
  });
});
