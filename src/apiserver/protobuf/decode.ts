/**
 * Protobuf message -> the JSON object upstream would print for it.
 *
 * Upstream unmarshals into a Go struct and the JSON path marshals that struct, so decoding here
 * reproduces Go's json.Marshal on the result: fields in Go declaration order, zero values kept
 * where the tag lacks omitempty, structs always present (`status: {}`, `creationTimestamp: null`),
 * nil slices/maps/pointers omitted or printed as null. The same JSON sent by a JSON client
 * therefore reaches the store identically.
 */
import { REPEATED, SINGLE, T_BOOL, T_BYTES, T_INT32, T_INT64, T_MESSAGE, T_SPECIAL, T_STRING, type FieldDesc, type MessageDesc } from "./registry.ts";
import { ProtoError, Reader, WIRE_BYTES, WIRE_END_GROUP, WIRE_VARINT } from "./wire.ts";

type JSONObject = Record<string, unknown>;

/** Sets a key that came off the wire; "__proto__" must become a plain property, as JSON.parse makes it. */
function setKey(obj: JSONObject, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/** Reads one element of `f`'s type whose payload starts at r.pos. */
function readElement(r: Reader, end: number, f: FieldDesc, depth: number): unknown {
  switch (f.type) {
    case T_STRING:
      return r.string(end);
    case T_BOOL:
      return r.bool(end);
    case T_INT32:
      return r.int32(end);
    case T_INT64:
      return r.int64(end);
    case T_BYTES:
      return base64(r.bytes(end));
    case T_MESSAGE: {
      const e = r.lengthEnd(end);
      const v = decodeMessage(r, e, f.msg!, depth);
      r.pos = e;
      return v;
    }
    default: {
      const e = r.lengthEnd(end);
      const v = f.special!.decode(r, e, depth);
      r.pos = e;
      return v;
    }
  }
}

/** JSON of an element Go left at its zero value (a map entry without a value, say). */
function zeroElement(f: FieldDesc, depth: number): unknown {
  switch (f.type) {
    case T_STRING:
      return "";
    case T_BOOL:
      return false;
    case T_INT32:
    case T_INT64:
      return 0;
    case T_BYTES:
      return null;
    case T_MESSAGE:
      return zeroMessage(f.msg!, depth);
    default:
      return f.special!.zero();
  }
}

/** JSON of a message Go left at its zero value (an absent struct field). */
export function zeroMessage(m: MessageDesc, depth: number): unknown {
  return m.listOf !== null ? null : buildObject(m, NO_SLOTS, depth);
}
const NO_SLOTS: unknown[] = [];

function readMapEntry(r: Reader, end: number, f: FieldDesc, into: JSONObject, depth: number): void {
  const e = r.lengthEnd(end);
  let key = "";
  let value: unknown;
  let seen = false;
  while (r.pos < e) {
    const tag = r.uint(e);
    const no = Math.floor(tag / 8);
    const wt = tag & 7;
    if (no === 1 && wt === WIRE_BYTES) key = r.string(e);
    else if (no === 2 && wt === f.wire) {
      value = readElement(r, e, f, depth);
      seen = true;
    } else if (no === 1 || no === 2) throw new ProtoError(`proto: wrong wireType = ${wt} for field ${f.goName}`);
    else r.skip(wt, e);
  }
  r.pos = e;
  setKey(into, key, seen ? value : zeroElement(f, depth));
}

function isZeroScalar(v: unknown): boolean {
  return v === "" || v === 0 || v === false;
}

/** Decodes the message in [r.pos, end) to its JSON object (or list, for ExtraValue-like wrappers). */
export function decodeMessage(r: Reader, end: number, m: MessageDesc, depth: number): unknown {
  const fields = m.fields;
  const slots: unknown[] = new Array(fields.length);
  const byNo = m.byNo;
  while (r.pos < end) {
    const tag = r.uint(end);
    const no = tag < 0x100000000 ? tag >>> 3 : Math.floor(tag / 8);
    const wt = tag & 7;
    if (wt === WIRE_END_GROUP) throw new ProtoError(`proto: ${shortName(m)}: wiretype end group for non-group`);
    if (no <= 0) throw new ProtoError(`proto: ${shortName(m)}: illegal tag ${no} (wire type ${tag})`);
    const f = byNo[no];
    if (f === undefined) {
      r.skip(wt, end);
      continue;
    }
    if (f.shape === SINGLE) {
      if (wt !== f.wire) throw new ProtoError(`proto: wrong wireType = ${wt} for field ${f.goName}`);
      slots[f.slot] = readElement(r, end, f, depth);
    } else if (f.shape === REPEATED) {
      let list = slots[f.slot] as unknown[] | undefined;
      if (list === undefined) slots[f.slot] = list = [];
      if (wt === f.wire) list.push(readElement(r, end, f, depth));
      else if (wt === WIRE_BYTES && f.wire === WIRE_VARINT) {
        // Packed repeated scalars: gogo accepts them though it never writes them for proto2.
        const e = r.lengthEnd(end);
        while (r.pos < e) list.push(readElement(r, e, f, depth));
      } else throw new ProtoError(`proto: wrong wireType = ${wt} for field ${f.goName}`);
    } else {
      if (wt !== WIRE_BYTES) throw new ProtoError(`proto: wrong wireType = ${wt} for field ${f.goName}`);
      let map = slots[f.slot] as JSONObject | undefined;
      if (map === undefined) slots[f.slot] = map = {};
      readMapEntry(r, end, f, map, depth);
    }
  }
  if (m.listOf !== null) return slots[0] ?? null;
  return buildObject(m, slots, depth);
}

/** Lays decoded field values out as Go's json.Marshal would print the struct. */
function buildObject(m: MessageDesc, slots: unknown[], depth: number): JSONObject {
  const fields = m.fields;
  const out: JSONObject = {};
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    const v = slots[i];
    if (f.inline) {
      Object.assign(out, v === undefined ? zeroMessage(f.msg!, depth) : v);
      continue;
    }
    if (v === undefined) {
      // Absent: Go left the zero value. Nil-able things print null only without omitempty;
      // struct values are never omitted by omitempty.
      if (f.shape !== SINGLE || f.ptr || f.type === T_BYTES) {
        if (f.always) out[f.json] = null;
      } else if (f.type === T_MESSAGE) out[f.json] = zeroMessage(f.msg!, depth);
      else if (f.type === T_SPECIAL) out[f.json] = f.special!.zero();
      else if (f.always) out[f.json] = zeroElement(f, depth);
      continue;
    }
    // Present: a pointer prints even its zero; a value scalar is dropped by omitempty when zero,
    // and so is an empty []byte. Structs (IntOrString, Quantity, ...) never are.
    if (!f.always && !f.ptr && f.shape === SINGLE && f.type < T_MESSAGE && (f.type === T_BYTES ? v === "" : isZeroScalar(v))) continue;
    out[f.json] = v;
  }
  return out;
}

function shortName(m: MessageDesc): string {
  return m.name.slice(m.name.indexOf(".") + 1);
}
