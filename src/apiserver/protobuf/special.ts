/**
 * Types whose protobuf message and JSON form differ: meta/v1 Time, MicroTime, Duration,
 * FieldsV1, resource.Quantity, intstr.IntOrString and runtime.RawExtension. Each codec
 * mirrors the upstream Go type's Marshal/Unmarshal and MarshalJSON/UnmarshalJSON pair.
 */
import { formatGoDuration, parseGoDuration } from "./go-duration.ts";
import { formatTime, parseTime, ZERO_TIME_SECONDS } from "./go-time.ts";
import { EncodeError, ProtoError, Reader, WIRE_BYTES, WIRE_END_GROUP, WIRE_VARINT, Writer } from "./wire.ts";

export interface SpecialCodec {
  name: string;
  /** JSON of the Go zero value (a value field that protobuf left absent). */
  zero(): unknown;
  /** Reads the payload [r.pos, end) into its JSON form. `depth` counts nested envelopes. */
  decode(r: Reader, end: number, depth: number): unknown;
  /** Writes the payload for a JSON value (null/undefined = the Go zero value). */
  encode(w: Writer, value: unknown, path: string): void;
}

/**
 * Decodes a whole enveloped object found inside a RawExtension (watch events carry one).
 * Installed by ./codec.ts, which owns envelopes; kept as a hook to avoid an import cycle.
 */
export const embedded: { decode: (bytes: Uint8Array, depth: number) => unknown } = {
  decode: () => {
    throw new Error("embedded decoder not installed");
  },
};

/** Reads the fields of a small message, handing each (field, wire type) to `on`; unknown fields are skipped by it. */
function eachField(r: Reader, end: number, msg: string, on: (no: number, wt: number) => void): void {
  while (r.pos < end) {
    const tag = r.uint(end);
    const no = Math.floor(tag / 8);
    const wt = tag & 7;
    if (wt === WIRE_END_GROUP) throw new ProtoError(`proto: ${msg}: wiretype end group for non-group`);
    if (no <= 0) throw new ProtoError(`proto: ${msg}: illegal tag ${no} (wire type ${tag})`);
    on(no, wt);
  }
}

function wrongWire(wt: number, field: string): ProtoError {
  return new ProtoError(`proto: wrong wireType = ${wt} for field ${field}`);
}

// ---- Time / MicroTime ---------------------------------------------------------------------

function readTimestamp(r: Reader, end: number): [number, number] {
  let seconds = 0;
  let nanos = 0;
  eachField(r, end, "Timestamp", (no, wt) => {
    if (no === 1 || no === 2) {
      if (wt !== WIRE_VARINT) throw wrongWire(wt, no === 1 ? "Seconds" : "Nanos");
      if (no === 1) seconds = r.int64(end);
      else nanos = r.int32(end);
    } else r.skip(wt, end);
  });
  return [seconds, nanos];
}

function writeTimestamp(w: Writer, seconds: number, nanos: number): void {
  w.byte(0x08);
  w.int(seconds);
  w.byte(0x10);
  w.int(nanos);
}

function timeCodec(name: string, micro: boolean): SpecialCodec {
  return {
    name,
    zero: () => null,
    decode(r, end) {
      // An empty payload is the zero time (Go's Time.Unmarshal); Time drops nanoseconds, MicroTime keeps microseconds.
      if (r.pos === end) return null;
      const [seconds, nanos] = readTimestamp(r, end);
      if (seconds === ZERO_TIME_SECONDS && (!micro || Math.trunc(nanos / 1000) === 0)) return null;
      return formatTime(seconds, micro ? Math.trunc(nanos / 1000) : null);
    },
    encode(w, value, path) {
      if (value === null || value === undefined) return;
      if (typeof value !== "string") throw new EncodeError(`${path}: expected an RFC 3339 time string, got ${typeof value}`);
      const [seconds, nanos] = parseTime(value);
      const micros = Math.trunc(nanos / 1000);
      if (seconds === ZERO_TIME_SECONDS && (!micro || micros === 0)) return;
      writeTimestamp(w, seconds, micro ? micros * 1000 : 0);
    },
  };
}

// ---- Duration -------------------------------------------------------------------------------

const durationCodec: SpecialCodec = {
  name: "Duration",
  zero: () => "0s",
  decode(r, end) {
    let nanos = 0n;
    eachField(r, end, "Duration", (no, wt) => {
      if (no !== 1) return r.skip(wt, end);
      if (wt !== WIRE_VARINT) throw wrongWire(wt, "Duration");
      const lo = r.varint64(end);
      nanos = BigInt.asIntN(64, (BigInt(r.hi) << 32n) | BigInt(lo));
    });
    return formatGoDuration(nanos);
  },
  encode(w, value, path) {
    let nanos = 0n;
    if (value !== null && value !== undefined) {
      if (typeof value !== "string") throw new EncodeError(`${path}: expected a duration string, got ${typeof value}`);
      try {
        nanos = parseGoDuration(value);
      } catch (e) {
        throw new EncodeError(`${path}: ${(e as Error).message}`);
      }
    }
    w.byte(0x08);
    // Go writes int64 varints as uint64(v): negatives in two's complement.
    writeBigVarint(w, BigInt.asUintN(64, nanos));
  },
};

function writeBigVarint(w: Writer, v: bigint): void {
  while (v >= 0x80n) {
    w.byte(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  w.byte(Number(v));
}

// ---- Quantity -------------------------------------------------------------------------------

/** resource.ParseQuantity's first check; its error text is what upstream reports. */
const QUANTITY = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;

const quantityCodec: SpecialCodec = {
  name: "Quantity",
  zero: () => "0",
  decode(r, end) {
    let s: string | null = null;
    eachField(r, end, "Quantity", (no, wt) => {
      if (no !== 1) return r.skip(wt, end);
      if (wt !== WIRE_BYTES) throw wrongWire(wt, "String_");
      s = r.string(end);
    });
    if (s === null) return "0";
    if (!QUANTITY.test(s)) throw new ProtoError(`quantities must match the regular expression '${QUANTITY.source}'`);
    // Upstream re-prints the canonical form; clients already send canonical strings, so keep it.
    return s;
  },
  encode(w, value, path) {
    let s: string;
    if (value === null || value === undefined) s = "0";
    else if (typeof value === "string") s = value;
    else if (typeof value === "number") s = String(value);
    else throw new EncodeError(`${path}: expected a quantity, got ${typeof value}`);
    w.byte(0x0a);
    w.string(s);
  },
};

// ---- IntOrString ----------------------------------------------------------------------------

const intOrStringCodec: SpecialCodec = {
  name: "IntOrString",
  zero: () => 0,
  decode(r, end) {
    let type = 0;
    let intVal = 0;
    let strVal = "";
    eachField(r, end, "IntOrString", (no, wt) => {
      if (no === 1 || no === 2) {
        if (wt !== WIRE_VARINT) throw wrongWire(wt, no === 1 ? "Type" : "IntVal");
        if (no === 1) type = r.int64(end);
        else intVal = r.int32(end);
      } else if (no === 3) {
        if (wt !== WIRE_BYTES) throw wrongWire(wt, "StrVal");
        strVal = r.string(end);
      } else r.skip(wt, end);
    });
    if (type === 0) return intVal;
    if (type === 1) return strVal;
    throw new ProtoError("impossible IntOrString.Type");
  },
  encode(w, value, path) {
    let type = 0;
    let intVal = 0;
    let strVal = "";
    if (typeof value === "string") {
      type = 1;
      strVal = value;
    } else if (typeof value === "number") intVal = value;
    else if (value !== null && value !== undefined) throw new EncodeError(`${path}: expected an int or string, got ${typeof value}`);
    w.byte(0x08);
    w.int(type);
    w.byte(0x10);
    w.int(intVal);
    w.byte(0x1a);
    w.string(strVal);
  },
};

// ---- FieldsV1 / RawExtension: JSON carried as bytes ------------------------------------------

const utf8 = new TextDecoder();
const utf8Encoder = new TextEncoder();

/** encoding/json's nesting limit; deeper JSON would also fail upstream when it is marshaled. */
const MAX_JSON_DEPTH = 10000;

/** Rejects JSON nested deeper than Go accepts, so hostile input cannot build absurdly deep values. */
function checkJSONDepth(bytes: Uint8Array, what: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) throw new ProtoError(`${what}: invalid character '${String.fromCharCode(c)}' exceeded max depth`);
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
}

function parseEmbeddedJSON(bytes: Uint8Array, what: string): unknown {
  checkJSONDepth(bytes, what);
  try {
    return JSON.parse(utf8.decode(bytes));
  } catch (e) {
    throw new ProtoError(`${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function readBytesField(r: Reader, end: number, msg: string, field: string): Uint8Array | null {
  let raw: Uint8Array | null = null;
  eachField(r, end, msg, (no, wt) => {
    if (no !== 1) return r.skip(wt, end);
    if (wt !== WIRE_BYTES) throw wrongWire(wt, field);
    raw = r.bytes(end);
  });
  return raw;
}

function writeJSONBytes(w: Writer, value: unknown): void {
  if (value === null || value === undefined) return;
  w.byte(0x0a);
  w.bytes(utf8Encoder.encode(JSON.stringify(value)));
}

const fieldsV1Codec: SpecialCodec = {
  name: "FieldsV1",
  zero: () => null,
  decode(r, end) {
    const raw = readBytesField(r, end, "FieldsV1", "Raw");
    return raw === null ? null : parseEmbeddedJSON(raw, "metav1.FieldsV1");
  },
  encode: (w, value) => writeJSONBytes(w, value),
};

/** The protobuf envelope's magic prefix, "k8s\0". */
export const ENVELOPE_MAGIC = new Uint8Array([0x6b, 0x38, 0x73, 0x00]);

export function hasEnvelopeMagic(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x6b && b[1] === 0x38 && b[2] === 0x73 && b[3] === 0x00;
}

const rawExtensionCodec: SpecialCodec = {
  name: "RawExtension",
  zero: () => null,
  decode(r, end, depth) {
    const raw = readBytesField(r, end, "RawExtension", "Raw");
    if (raw === null) return null;
    // Watch events embed a whole protobuf-enveloped object; stored fields (ControllerRevision.data) hold JSON.
    if (hasEnvelopeMagic(raw)) return embedded.decode(raw, depth + 1);
    return parseEmbeddedJSON(raw, "runtime.RawExtension");
  },
  encode: (w, value) => writeJSONBytes(w, value),
};

export const SPECIALS: Readonly<Record<string, SpecialCodec>> = {
  Time: timeCodec("Time", false),
  MicroTime: timeCodec("MicroTime", true),
  Duration: durationCodec,
  Quantity: quantityCodec,
  IntOrString: intOrStringCodec,
  FieldsV1: fieldsV1Codec,
  RawExtension: rawExtensionCodec,
};
