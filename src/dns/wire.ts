/**
 * The DNS wire format (RFC 1035, EDNS0 from RFC 6891): reading queries, walking responses from
 * an upstream resolver, and writing responses with name compression. Only what a cluster DNS
 * server needs; rdata of types it does not produce is never decoded.
 */

export const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, OPT: 41, IXFR: 251, AXFR: 252, ANY: 255 } as const;
export const CLASS_IN = 1;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

export const HEADER_SIZE = 12;
/** Flag bits of the header's second 16-bit word. */
export const FLAG = { QR: 0x8000, AA: 0x0400, TC: 0x0200, RD: 0x0100, RA: 0x0080 } as const;
/** The UDP payload size a client without EDNS may receive. */
export const CLASSIC_UDP_SIZE = 512;
/** What this server advertises and accepts at most over UDP (the DNS flag day 2020 value). */
export const EDNS_UDP_SIZE = 1232;

export interface Question {
  /** As the client wrote it (case kept, no trailing dot). */
  name: string;
  type: number;
  class: number;
}

export interface Edns {
  udpSize: number;
  /** The DNSSEC OK bit, echoed back. */
  do: boolean;
  version: number;
}

export interface Query {
  id: number;
  flags: number;
  opcode: number;
  question: Question;
  /** Byte offset just past the question (where a response's answers begin). */
  questionEnd: number;
  edns?: Edns;
}

export class WireError extends Error {}

/** Reads a name at `offset`, following compression pointers; returns it and the offset past it. */
export function readName(buf: Uint8Array, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let pos = offset;
  let end = -1;
  let jumps = 0;
  let length = 0;
  for (;;) {
    if (pos >= buf.length) throw new WireError("name runs past the message");
    const len = buf[pos]!;
    if (len === 0) {
      pos++;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= buf.length) throw new WireError("truncated compression pointer");
      if (++jumps > 64) throw new WireError("compression loop");
      if (end < 0) end = pos + 2;
      pos = ((len & 0x3f) << 8) | buf[pos + 1]!;
      continue;
    }
    if (len > 63) throw new WireError("bad label length");
    if (pos + 1 + len > buf.length) throw new WireError("label runs past the message");
    length += len + 1;
    if (length > 255) throw new WireError("name too long");
    labels.push(labelText(buf, pos + 1, len));
    pos += 1 + len;
  }
  return { name: labels.join("."), end: end < 0 ? pos : end };
}

/** A label as text; bytes outside printable ASCII and dots are escaped as \DDD (RFC 4343). */
function labelText(buf: Uint8Array, start: number, len: number): string {
  let s = "";
  for (let i = start; i < start + len; i++) {
    const c = buf[i]!;
    if (c > 0x20 && c < 0x7f && c !== 0x2e && c !== 0x5c) s += String.fromCharCode(c);
    else s += `\\${String(c).padStart(3, "0")}`;
  }
  return s;
}

/** Offset just past the name at `offset` (pointers are not followed). */
export function skipName(buf: Uint8Array, offset: number): number {
  let pos = offset;
  for (;;) {
    if (pos >= buf.length) throw new WireError("name runs past the message");
    const len = buf[pos]!;
    if (len === 0) return pos + 1;
    if ((len & 0xc0) === 0xc0) return pos + 2;
    pos += 1 + len;
  }
}

function u16(buf: Uint8Array, at: number): number {
  return (buf[at]! << 8) | buf[at + 1]!;
}

function u32(buf: Uint8Array, at: number): number {
  return ((buf[at]! << 24) >>> 0) + (buf[at + 1]! << 16) + (buf[at + 2]! << 8) + buf[at + 3]!;
}

/**
 * Reads a query: header, exactly one question, and an OPT record if there is one. Throws
 * WireError for anything malformed (the caller answers FORMERR when the header is readable).
 */
export function parseQuery(buf: Uint8Array): Query {
  if (buf.length < HEADER_SIZE) throw new WireError("message shorter than a header");
  const flags = u16(buf, 2);
  if (flags & FLAG.QR) throw new WireError("not a query");
  const qdcount = u16(buf, 4);
  if (qdcount !== 1) throw new WireError(`${qdcount} questions`);
  const { name, end } = readName(buf, HEADER_SIZE);
  if (end + 4 > buf.length) throw new WireError("truncated question");
  const question = { name, type: u16(buf, end), class: u16(buf, end + 2) };
  const questionEnd = end + 4;
  const query: Query = { id: u16(buf, 0), flags, opcode: (flags >> 11) & 0xf, question, questionEnd };
  // EDNS: an OPT pseudo-record in the additional section (answer and authority are empty in queries).
  let pos = questionEnd;
  const rrs = u16(buf, 6) + u16(buf, 8) + u16(buf, 10);
  for (let i = 0; i < rrs && pos < buf.length; i++) {
    const nameEnd = skipName(buf, pos);
    if (nameEnd + 10 > buf.length) throw new WireError("truncated record");
    const type = u16(buf, nameEnd);
    const rdlen = u16(buf, nameEnd + 8);
    if (type === TYPE.OPT) {
      query.edns = { udpSize: Math.max(CLASSIC_UDP_SIZE, u16(buf, nameEnd + 2)), version: buf[nameEnd + 5]!, do: (buf[nameEnd + 6]! & 0x80) !== 0 };
    }
    pos = nameEnd + 10 + rdlen;
  }
  return query;
}

/** The rcode and header flags of a message, and the ID, without parsing the rest. */
export function header(buf: Uint8Array): { id: number; flags: number; rcode: number; qdcount: number; ancount: number; nscount: number; arcount: number } {
  const flags = u16(buf, 2);
  return { id: u16(buf, 0), flags, rcode: flags & 0xf, qdcount: u16(buf, 4), ancount: u16(buf, 6), nscount: u16(buf, 8), arcount: u16(buf, 10) };
}

export interface ResourceRecordInfo {
  section: "answer" | "authority" | "additional";
  type: number;
  ttl: number;
  /** Offset of the 32-bit TTL field (rewritten when serving from a cache). */
  ttlOffset: number;
  /** SOA only: the MINIMUM field (negative-caching TTL, RFC 2308). */
  soaMinimum?: number;
}

/** Walks a response's records (an upstream's answer before it is cached). */
export function walkRecords(buf: Uint8Array): ResourceRecordInfo[] {
  const h = header(buf);
  let pos = HEADER_SIZE;
  for (let i = 0; i < h.qdcount; i++) pos = skipName(buf, pos) + 4;
  const out: ResourceRecordInfo[] = [];
  const sections: Array<[ResourceRecordInfo["section"], number]> = [
    ["answer", h.ancount],
    ["authority", h.nscount],
    ["additional", h.arcount],
  ];
  for (const [section, count] of sections) {
    for (let i = 0; i < count; i++) {
      const nameEnd = skipName(buf, pos);
      if (nameEnd + 10 > buf.length) throw new WireError("truncated record");
      const type = u16(buf, nameEnd);
      const rdlen = u16(buf, nameEnd + 8);
      const rr: ResourceRecordInfo = { section, type, ttl: u32(buf, nameEnd + 4), ttlOffset: nameEnd + 4 };
      if (type === TYPE.SOA) {
        const rdata = nameEnd + 10;
        const after = skipName(buf, skipName(buf, rdata));
        if (after + 20 <= buf.length) rr.soaMinimum = u32(buf, after + 16);
      }
      out.push(rr);
      pos = nameEnd + 10 + rdlen;
      if (pos > buf.length) throw new WireError("record runs past the message");
    }
  }
  return out;
}

export type RData =
  | { type: 1; address: string }
  | { type: 28; address: string }
  | { type: 2 | 5 | 12; target: string }
  | { type: 33; priority: number; weight: number; port: number; target: string }
  | { type: 16; texts: string[] }
  | { type: 6; mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number };

export interface ResourceRecord {
  name: string;
  ttl: number;
  data: RData;
}

/** A message being written; names are compressed against earlier ones (case-insensitively). */
export class MessageWriter {
  private buf = new Uint8Array(512);
  private len = 0;
  private readonly names = new Map<string, number>();

  get length(): number {
    return this.len;
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.len++] = v & 0xff;
  }

  u16(v: number): void {
    this.ensure(2);
    this.buf[this.len++] = (v >> 8) & 0xff;
    this.buf[this.len++] = v & 0xff;
  }

  u32(v: number): void {
    this.u16((v >>> 16) & 0xffff);
    this.u16(v & 0xffff);
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  setU16(at: number, v: number): void {
    this.buf[at] = (v >> 8) & 0xff;
    this.buf[at + 1] = v & 0xff;
  }

  /** Makes `name` (already written at `offset`) available as a compression target. */
  remember(name: string, offset: number): void {
    const labels = splitLabels(name);
    let at = offset;
    for (let i = 0; i < labels.length && at < 0x4000; i++) {
      const key = labels.slice(i).join(".").toLowerCase();
      if (!this.names.has(key)) this.names.set(key, at);
      at += 1 + labelBytes(labels[i]!).length;
    }
  }

  name(name: string): void {
    const labels = splitLabels(name);
    for (let i = 0; i < labels.length; i++) {
      const key = labels.slice(i).join(".").toLowerCase();
      const ptr = this.names.get(key);
      if (ptr !== undefined) {
        this.u16(0xc000 | ptr);
        return;
      }
      if (this.len < 0x4000) this.names.set(key, this.len);
      const b = labelBytes(labels[i]!);
      if (b.length > 63) throw new WireError(`label too long in ${name}`);
      this.u8(b.length);
      this.bytes(b);
    }
    this.u8(0);
  }

  record(rr: ResourceRecord): void {
    this.name(rr.name);
    const d = rr.data;
    this.u16(d.type);
    this.u16(CLASS_IN);
    this.u32(rr.ttl);
    const lenAt = this.len;
    this.u16(0);
    const start = this.len;
    switch (d.type) {
      case TYPE.A:
        this.bytes(ipv4Bytes(d.address));
        break;
      case TYPE.AAAA:
        this.bytes(ipv6Bytes(d.address));
        break;
      case TYPE.NS:
      case TYPE.CNAME:
      case TYPE.PTR:
        this.name(d.target);
        break;
      case TYPE.SRV:
        this.u16(d.priority);
        this.u16(d.weight);
        this.u16(d.port);
        // RFC 2782: the SRV target is not compressed.
        this.uncompressedName(d.target);
        break;
      case TYPE.TXT:
        for (const t of d.texts) {
          const b = new TextEncoder().encode(t).subarray(0, 255);
          this.u8(b.length);
          this.bytes(b);
        }
        break;
      case TYPE.SOA:
        this.name(d.mname);
        this.name(d.rname);
        this.u32(d.serial);
        this.u32(d.refresh);
        this.u32(d.retry);
        this.u32(d.expire);
        this.u32(d.minimum);
        break;
    }
    this.setU16(lenAt, this.len - start);
  }

  private uncompressedName(name: string): void {
    for (const label of splitLabels(name)) {
      const b = labelBytes(label);
      this.u8(b.length);
      this.bytes(b);
    }
    this.u8(0);
  }

  /** The OPT pseudo-record a response to an EDNS query carries. */
  opt(udpSize: number, dnssecOk: boolean): void {
    this.u8(0);
    this.u16(TYPE.OPT);
    this.u16(udpSize);
    this.u8(0); // extended rcode
    this.u8(0); // version
    this.u16(dnssecOk ? 0x8000 : 0);
    this.u16(0);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** Labels of a name written as text ("" and "." are the root: no labels). */
export function splitLabels(name: string): string[] {
  const n = name.endsWith(".") ? name.slice(0, -1) : name;
  return n === "" ? [] : n.split(".");
}

const encoder = new TextEncoder();

/** Label bytes, undoing the \DDD escapes readName makes. */
function labelBytes(label: string): Uint8Array {
  if (!label.includes("\\")) return encoder.encode(label);
  const out: number[] = [];
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i);
    if (c === 0x5c && /^\d{3}$/.test(label.slice(i + 1, i + 4))) {
      out.push(Number(label.slice(i + 1, i + 4)));
      i += 3;
    } else out.push(c & 0xff);
  }
  return Uint8Array.from(out);
}

export function ipv4Bytes(ip: string): Uint8Array {
  const parts = ip.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new WireError(`not an IPv4 address: ${ip}`);
  return Uint8Array.from(parts);
}

export function ipv6Bytes(ip: string): Uint8Array {
  const groups = expandIpv6(ip);
  if (!groups) throw new WireError(`not an IPv6 address: ${ip}`);
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** The eight 16-bit groups of an IPv6 address (with :: and an embedded IPv4 tail), or undefined. */
export function expandIpv6(ip: string): number[] | undefined {
  let text = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = ipv4Bytes(v4[1]!);
    text = `${text.slice(0, -v4[1]!.length)}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const parse = (s: string) => (s === "" ? [] : s.split(":").map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? Number.parseInt(g, 16) : Number.NaN)));
  const head = parse(halves[0]!);
  let groups = head;
  if (halves.length === 2) {
    const rest = parse(halves[1]!);
    const fill = 8 - head.length - rest.length;
    if (fill < 1) return undefined;
    groups = [...head, ...new Array<number>(fill).fill(0), ...rest];
  }
  if (groups.length !== 8 || groups.some(Number.isNaN)) return undefined;
  return groups;
}

/** The A, AAAA and CNAME records of a response's answer section (to continue a CNAME chain). */
export function readAddressAnswers(buf: Uint8Array): ResourceRecord[] {
  const h = header(buf);
  let pos = HEADER_SIZE;
  for (let i = 0; i < h.qdcount; i++) pos = skipName(buf, pos) + 4;
  const out: ResourceRecord[] = [];
  for (let i = 0; i < h.ancount; i++) {
    const { name, end } = readName(buf, pos);
    if (end + 10 > buf.length) throw new WireError("truncated record");
    const type = u16(buf, end);
    const ttl = u32(buf, end + 4);
    const rdlen = u16(buf, end + 8);
    const rdata = end + 10;
    if (type === TYPE.A && rdlen === 4) out.push({ name, ttl, data: { type: TYPE.A, address: Array.from(buf.subarray(rdata, rdata + 4)).join(".") } });
    else if (type === TYPE.AAAA && rdlen === 16) {
      const groups: string[] = [];
      for (let g = 0; g < 8; g++) groups.push(u16(buf, rdata + 2 * g).toString(16));
      out.push({ name, ttl, data: { type: TYPE.AAAA, address: groups.join(":") } });
    } else if (type === TYPE.CNAME) out.push({ name, ttl, data: { type: TYPE.CNAME, target: readName(buf, rdata).name } });
    pos = rdata + rdlen;
  }
  return out;
}
