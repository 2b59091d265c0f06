/**
 * JSON object -> protobuf message, byte-for-byte as gogo-protobuf's generated Marshal writes the
 * Go struct that upstream's JSON decoder would build: ascending field numbers, non-pointer
 * scalars and structs always written (zero values included), pointers/slices/maps only when
 * set, map entries sorted by key.
 */
import { MAP, REPEATED, SINGLE, T_BOOL, T_BYTES, T_INT32, T_INT64, T_MESSAGE, T_SPECIAL, T_STRING, type FieldDesc, type MessageDesc } from "./registry.ts";
import { EncodeError, Writer } from "./wire.ts";

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

function where(m: MessageDesc, f: FieldDesc): string {
  return `${m.name}.${f.json}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function fromBase64(s: string): Uint8Array {
  const b = Buffer.from(s, "base64");
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Writes one element of `f`'s type as field `no` (tag included); null/undefined means Go's zero value. */
function writeElement(w: Writer, m: MessageDesc, f: FieldDesc, no: number, v: unknown): void {
  w.tag(no, f.wire);
  switch (f.type) {
    case T_STRING:
      if (typeof v === "string") w.string(v);
      else if (v === null || v === undefined) w.byte(0);
      else throw new EncodeError(`${where(m, f)}: expected string, got ${typeof v}`);
      return;
    case T_BOOL:
      if (typeof v !== "boolean" && v !== null && v !== undefined) throw new EncodeError(`${where(m, f)}: expected boolean, got ${typeof v}`);
      w.byte(v ? 1 : 0);
      return;
    case T_INT32:
    case T_INT64: {
      const n = v ?? 0;
      if (typeof n !== "number" || !Number.isInteger(n)) throw new EncodeError(`${where(m, f)}: expected integer, got ${JSON.stringify(v)}`);
      if (f.type === T_INT32 && (n < INT32_MIN || n > INT32_MAX)) throw new EncodeError(`${where(m, f)}: ${n} overflows int32`);
      w.int(n);
      return;
    }
    case T_BYTES:
      if (typeof v === "string") w.bytes(fromBase64(v));
      else if (v === null || v === undefined) w.byte(0);
      else throw new EncodeError(`${where(m, f)}: expected base64 string, got ${typeof v}`);
      return;
    case T_MESSAGE: {
      const mark = w.fork();
      encodeMessage(w, f.msg!, v);
      w.join(mark);
      return;
    }
    case T_SPECIAL: {
      const mark = w.fork();
      f.special!.encode(w, v, where(m, f));
      w.join(mark);
      return;
    }
  }
}

function writeMapEntry(w: Writer, m: MessageDesc, f: FieldDesc, key: string, v: unknown): void {
  w.tag(f.no, 2);
  const mark = w.fork();
  w.byte(0x0a);
  w.string(key);
  // gogo skips a nil []byte value; every other value type is always written.
  if (!(f.type === T_BYTES && (v === null || v === undefined))) writeElement(w, m, f, 2, v);
  w.join(mark);
}

/** Writes the fields of message `m` for JSON value `obj` (null/undefined = the zero struct). */
export function encodeMessage(w: Writer, m: MessageDesc, obj: unknown): void {
  if (m.listOf !== null) {
    if (obj === null || obj === undefined) return;
    if (!Array.isArray(obj)) throw new EncodeError(`${m.name}: expected a list, got ${typeof obj}`);
    for (const v of obj) writeElement(w, m, m.listOf, 1, v);
    return;
  }
  if (obj !== null && obj !== undefined && !isObject(obj)) throw new EncodeError(`${m.name}: expected an object, got ${Array.isArray(obj) ? "array" : typeof obj}`);
  const o = (obj ?? {}) as Record<string, unknown>;
  const fields = m.wireOrder;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (f.inline) {
      w.tag(f.no, 2);
      const mark = w.fork();
      encodeMessage(w, f.msg!, o);
      w.join(mark);
      continue;
    }
    const v = o[f.json];
    if (f.shape === SINGLE) {
      // nil pointers and nil []byte are not written; everything else is, zero or not.
      if ((v === undefined || v === null) && (f.ptr || f.type === T_BYTES)) continue;
      writeElement(w, m, f, f.no, v);
    } else if (v === undefined || v === null) {
      continue;
    } else if (f.shape === REPEATED) {
      if (!Array.isArray(v)) throw new EncodeError(`${where(m, f)}: expected a list, got ${typeof v}`);
      for (let j = 0; j < v.length; j++) writeElement(w, m, f, f.no, v[j]);
    } else if (f.shape === MAP) {
      if (!isObject(v)) throw new EncodeError(`${where(m, f)}: expected an object, got ${typeof v}`);
      // Go sorts keys bytewise; UTF-16 order agrees except between astral and U+E000..U+FFFF characters.
      const keys = Object.keys(v).sort();
      for (const k of keys) writeMapEntry(w, m, f, k, v[k]);
    }
  }
}
