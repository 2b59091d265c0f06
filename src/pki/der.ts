/**
 * Just enough ASN.1 DER to build X.509 certificates and read PKCS#10 requests: encoders for the
 * handful of universal types certificates use, and a reader that walks tag-length-value items.
 * Everything is byte arrays; higher layers give the structures meaning.
 */

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return [0x80 | out.length, ...out];
}

/** One tag-length-value item. */
export function tlv(tag: number, content: Uint8Array): Uint8Array {
  const len = lengthBytes(content.length);
  const out = new Uint8Array(1 + len.length + content.length);
  out[0] = tag;
  out.set(len, 1);
  out.set(content, 1 + len.length);
  return out;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export const seq = (...items: Uint8Array[]): Uint8Array => tlv(TAG.SEQUENCE, concat(items));

/** A SET OF; DER wants the members sorted by their encodings. */
export function setOf(...items: Uint8Array[]): Uint8Array {
  const sorted = [...items].sort(compareBytes);
  return tlv(TAG.SET, concat(sorted));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** A non-negative INTEGER from its big-endian magnitude (minimal, with a 0x00 pad when the top bit is set). */
export function uint(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const bytes = magnitude.subarray(start);
  const pad = bytes[0]! & 0x80 ? [0] : [];
  return tlv(TAG.INTEGER, concat([Uint8Array.from(pad), bytes]));
}

export const smallInt = (n: number): Uint8Array => uint(Uint8Array.of(n));

export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split(".").map(Number);
  const body: number[] = [arcs[0]! * 40 + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const chunk: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    body.push(...chunk);
  }
  return tlv(TAG.OID, Uint8Array.from(body));
}

export const octets = (b: Uint8Array): Uint8Array => tlv(TAG.OCTET_STRING, b);
export const bits = (b: Uint8Array, unused = 0): Uint8Array => tlv(TAG.BIT_STRING, concat([Uint8Array.of(unused), b]));
export const boolean = (v: boolean): Uint8Array => tlv(TAG.BOOLEAN, Uint8Array.of(v ? 0xff : 0));
export const nullValue = (): Uint8Array => tlv(TAG.NULL, new Uint8Array());

/** Go marshals a string as PrintableString when it can and UTF8String otherwise; so do we. */
export function directoryString(s: string): Uint8Array {
  const printable = /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s);
  return tlv(printable ? TAG.PRINTABLE_STRING : TAG.UTF8_STRING, new TextEncoder().encode(s));
}

/** UTCTime through 2049, GeneralizedTime after, as RFC 5280 requires; whole seconds, UTC. */
export function time(d: Date): Uint8Array {
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-T:]/g, "") + "Z";
  const year = d.getUTCFullYear();
  if (year >= 1950 && year < 2050) return tlv(TAG.UTC_TIME, new TextEncoder().encode(digits.slice(2)));
  return tlv(TAG.GENERALIZED_TIME, new TextEncoder().encode(digits));
}

/** [n] EXPLICIT: the inner encoding wrapped in a constructed context tag. */
export const explicit = (n: number, inner: Uint8Array): Uint8Array => tlv(0xa0 | n, inner);
/** [n] IMPLICIT over a primitive: the content with a context tag instead of its own. */
export const implicitPrimitive = (n: number, content: Uint8Array): Uint8Array => tlv(0x80 | n, content);

/** A KeyUsage-style BIT STRING from bit positions (bit 0 is the most significant of the first byte). */
export function namedBits(positions: readonly number[]): Uint8Array {
  if (positions.length === 0) return bits(new Uint8Array());
  const highest = Math.max(...positions);
  const bytes = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const p of positions) bytes[p >> 3]! |= 0x80 >> (p & 7);
  return bits(bytes, 7 - (highest & 7));
}

/** One decoded item: `raw` is the whole encoding, `content` the value bytes. */
export interface Item {
  tag: number;
  raw: Uint8Array;
  content: Uint8Array;
}

export class DerError extends Error {}

/** Reads the item starting at `at`; throws DerError on truncated or non-DER lengths. */
export function readItem(buf: Uint8Array, at = 0): Item {
  if (at + 2 > buf.length) throw new DerError("truncated DER item");
  const tag = buf[at]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError("multi-byte DER tags are not supported");
  let len = buf[at + 1]!;
  let header = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new DerError("unsupported DER length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[at + 2 + i]!;
    header += n;
  }
  const end = at + header + len;
  if (end > buf.length) throw new DerError("DER item runs past its container");
  return { tag, raw: buf.subarray(at, end), content: buf.subarray(at + header, end) };
}

/** The items directly inside a constructed item's content. */
export function children(content: Uint8Array): Item[] {
  const out: Item[] = [];
  for (let at = 0; at < content.length; ) {
    const item = readItem(content, at);
    out.push(item);
    at += item.raw.length;
  }
  return out;
}

/** Reads one item and checks its tag. */
export function expect(item: Item | undefined, tag: number, what: string): Item {
  if (!item || item.tag !== tag) throw new DerError(`malformed ${what}`);
  return item;
}

export function decodeOid(content: Uint8Array): string {
  if (content.length === 0) throw new DerError("empty OID");
  const first = content[0]!;
  const arcs = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  let v = 0;
  for (const b of content.subarray(1)) {
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(v);
      v = 0;
    }
  }
  return arcs.join(".");
}

/** The value bytes of a BIT STRING with no unused bits (keys, signatures). */
export function bitStringBytes(item: Item): Uint8Array {
  if (item.tag !== TAG.BIT_STRING || item.content[0] !== 0) throw new DerError("malformed BIT STRING");
  return item.content.subarray(1);
}

export function decodeTime(item: Item): Date {
  const s = new TextDecoder().decode(item.content);
  const m = /^(\d{2}|\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m || (item.tag !== TAG.UTC_TIME && item.tag !== TAG.GENERALIZED_TIME)) throw new DerError("malformed time");
  let year = Number(m[1]);
  if (item.tag === TAG.UTC_TIME) year += year < 50 ? 2000 : 1900;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}
