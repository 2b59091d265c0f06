/**
 * Hostile and broken input: every failure must be a clean ApiError 400, never a crash, a hang
 * or an unbounded recursion.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ApiError } from "../api/errors.ts";
import { decodeObject, encodeObject, WatchStreamDecoder } from "./index.ts";
import { OBJECTS } from "./testdata/objects.ts";
import { Writer } from "./wire.ts";

const dir = join(import.meta.dir, "testdata");
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith(".pb"))
  .map((f) => new Uint8Array(readFileSync(join(dir, f))));

/** "ok" when it decoded, the 400 message when it failed cleanly; anything else fails the test. */
function attempt(bytes: Uint8Array): string {
  try {
    decodeObject(bytes);
    return "ok";
  } catch (e) {
    if (!(e instanceof ApiError)) throw new Error(`not an ApiError: ${String(e)}`);
    if (e.code !== 400) throw new Error(`code ${e.code}: ${e.message}`);
    return e.message;
  }
}

/** An envelope around a hand-built raw message. */
function envelope(apiVersion: string, kind: string, raw: Uint8Array): Uint8Array {
  const w = new Writer();
  w.raw(new Uint8Array([0x6b, 0x38, 0x73, 0x00]));
  w.byte(0x0a);
  const tm = w.fork();
  w.byte(0x0a);
  w.string(apiVersion);
  w.byte(0x12);
  w.string(kind);
  w.join(tm);
  w.byte(0x12);
  w.bytes(raw);
  return w.finish();
}
const h = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s/g, ""), "hex"));

/** Small deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("truncated and mutated bodies", () => {
  test("every truncation of every kubectl capture fails cleanly (or is still a valid prefix)", () => {
    let failed = 0;
    let total = 0;
    for (const f of fixtures) {
      for (let n = 0; n < f.length; n++) {
        total++;
        if (attempt(f.subarray(0, n)) !== "ok") failed++;
      }
    }
    // Exactly three cuts leave a valid envelope: right after typeMeta (no raw: the zero object, as in
    // Go), before the trailing `1a 00 22 00`, and between its halves.
    expect(failed).toBe(total - 3 * fixtures.length);
  });

  test("random byte mutations of real and representative objects never crash", () => {
    const next = rng(42);
    const inputs = [...fixtures, ...OBJECTS.map((o) => encodeObject(o))];
    const outcomes = new Map<string, number>();
    for (const input of inputs) {
      for (let i = 0; i < 150; i++) {
        const b = input.slice();
        const flips = 1 + Math.floor(next() * 4);
        for (let j = 0; j < flips; j++) b[4 + Math.floor(next() * (b.length - 4))] = Math.floor(next() * 256);
        const r = attempt(b);
        const key = r === "ok" ? "ok" : r.replace(/\d+/g, "N").slice(0, 40);
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      }
    }
    expect(outcomes.size).toBeGreaterThan(3);
  });

  test("random bytes after the magic never crash", () => {
    const next = rng(7);
    for (let i = 0; i < 3000; i++) {
      const b = new Uint8Array(4 + Math.floor(next() * 64));
      b.set([0x6b, 0x38, 0x73, 0x00]);
      for (let j = 4; j < b.length; j++) b[j] = Math.floor(next() * 256);
      attempt(b);
    }
  });
});

describe("specific malformations", () => {
  test("truncated varints", () => {
    expect(attempt(envelope("v1", "Pod", h("0a")))).toBe("unexpected EOF");
    expect(attempt(envelope("v1", "Pod", h("12 02 08")))).toBe("unexpected EOF");
    expect(attempt(envelope("v1", "Pod", h("12 03 20 ff ff")))).toBe("unexpected EOF");
    expect(attempt(h("6b387300 0a 80"))).toBe("unexpected EOF");
    expect(attempt(envelope("v1", "Pod", h("12 0b 20 ffffffffffffffffffff01")))).toBe("proto: integer overflow");
  });

  test("wrong wire types name the field", () => {
    expect(attempt(envelope("v1", "Pod", h("08 01")))).toBe("proto: wrong wireType = 0 for field Metadata");
    expect(attempt(envelope("v1", "Pod", h("12 02 10 01")))).toBe("proto: wrong wireType = 0 for field Containers");
    // PodSpec.restartPolicy (3) as varint
    expect(attempt(envelope("v1", "Pod", h("12 02 18 01")))).toBe("proto: wrong wireType = 0 for field RestartPolicy");
    // ObjectMeta.labels map entry as varint
    expect(attempt(envelope("v1", "Pod", h("0a 02 58 01")))).toBe("proto: wrong wireType = 0 for field Labels");
    // fixed32 where ObjectMeta.generation (7, varint) belongs
    expect(attempt(envelope("v1", "Pod", h("0a 05 3d 01020304")))).toBe("proto: wrong wireType = 5 for field Generation");
    expect(attempt(h("6b387300 08 01"))).toBe("proto: wrong wireType = 0 for field TypeMeta");
  });

  test("illegal tags and stray end-groups", () => {
    expect(attempt(envelope("v1", "Pod", h("00")))).toBe("proto: Pod: illegal tag 0 (wire type 0)");
    expect(attempt(envelope("v1", "Pod", h("0c")))).toBe("proto: Pod: wiretype end group for non-group");
    expect(attempt(envelope("v1", "Pod", h("ff01 00")))).toBe("proto: illegal wireType 7");
  });

  test("lengths beyond the message", () => {
    expect(attempt(envelope("v1", "Pod", h("0a 7f 00")))).toBe("unexpected EOF");
    expect(attempt(envelope("v1", "Pod", h("0a ffffffff0f")))).toBe("unexpected EOF");
    expect(attempt(envelope("v1", "Pod", h("0a ffffffffffffffff8001")))).toBe("proto: negative length found during unmarshaling");
    expect(attempt(h("6b387300 12 05 0a"))).toBe("unexpected EOF");
  });

  test("unknown fields are skipped, groups included, however deep", () => {
    const depth = 100000;
    // fb01 = start group of unknown field 31, fc01 = its end group.
    const w = new Writer();
    for (let i = 0; i < depth; i++) w.raw(h("fb01"));
    for (let i = 0; i < depth; i++) w.raw(h("fc01"));
    w.raw(h("0a 03 0a 01 70"));
    const obj = decodeObject(envelope("v1", "Pod", w.finish())) as { metadata: { name: string } };
    expect(obj.metadata.name).toBe("p");
    const unbalanced = new Writer();
    for (let i = 0; i < 1000; i++) unbalanced.raw(h("fb01"));
    expect(attempt(envelope("v1", "Pod", unbalanced.finish()))).toBe("unexpected EOF");
  });

  test("envelopes nested in RawExtensions stop at a fixed depth", () => {
    let inner = encodeObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } });
    for (let i = 0; i < 3; i++) {
      const w = new Writer();
      w.raw(h("0a 05"));
      w.raw(new Uint8Array(Buffer.from("ADDED")));
      w.byte(0x12);
      const m = w.fork();
      w.byte(0x0a);
      w.bytes(inner);
      w.join(m);
      inner = envelope("v1", "WatchEvent", w.finish());
    }
    expect(attempt(inner)).toBe("ok");
    for (let i = 0; i < 20; i++) {
      const w = new Writer();
      w.byte(0x12);
      const m = w.fork();
      w.byte(0x0a);
      w.bytes(inner);
      w.join(m);
      inner = envelope("v1", "WatchEvent", w.finish());
    }
    expect(attempt(inner)).toBe("protobuf envelopes nested too deeply");
  });

  test("deeply nested JSON inside FieldsV1 is refused like Go's encoding/json", () => {
    const json = "[".repeat(20000) + "]".repeat(20000);
    const fields = new Writer();
    fields.byte(0x0a);
    fields.bytes(new Uint8Array(Buffer.from(json)));
    const mfe = new Writer();
    mfe.byte(0x3a); // ManagedFieldsEntry.fieldsV1 = 7
    mfe.bytes(fields.finish());
    const meta = new Writer();
    meta.raw(h("8a01")); // ObjectMeta.managedFields = 17
    meta.bytes(mfe.finish());
    const pod = new Writer();
    pod.byte(0x0a);
    pod.bytes(meta.finish());
    expect(attempt(envelope("v1", "Pod", pod.finish()))).toBe("metav1.FieldsV1: invalid character '[' exceeded max depth");
  });

  test("bad values inside special types", () => {
    const quantity = (s: string) => {
      const q = new Writer();
      q.byte(0x0a);
      q.string(s);
      const rr = new Writer();
      rr.raw(h("12")); // ResourceRequirements.requests = 2 (map)
      const entry = new Writer();
      entry.byte(0x0a);
      entry.string("cpu");
      entry.byte(0x12);
      entry.bytes(q.finish());
      rr.bytes(entry.finish());
      const c = new Writer();
      c.raw(h("0a 01 63 42")); // Container.name "c", resources = 8
      c.bytes(rr.finish());
      const spec = new Writer();
      spec.byte(0x12);
      spec.bytes(c.finish());
      const pod = new Writer();
      pod.byte(0x12);
      pod.bytes(spec.finish());
      return envelope("v1", "Pod", pod.finish());
    };
    expect(attempt(quantity("250m"))).toBe("ok");
    expect(attempt(quantity("lots"))).toStartWith("quantities must match the regular expression");
  });

  test("a watch stream with a corrupt frame fails cleanly", () => {
    const d = new WatchStreamDecoder();
    const bad = new Uint8Array([0, 0, 0, 3, 0x0a, 0x05, 0x41]);
    expect(() => d.push(bad)).toThrow(ApiError);
  });
});
