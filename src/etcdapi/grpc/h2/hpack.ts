/**
 * HPACK (RFC 7541): header compression for HTTP/2.
 *
 * The decoder is complete: static and dynamic tables, table size updates, Huffman-coded and raw
 * string literals, every field representation. Header text is kept as latin1 (one character per
 * octet), so string lengths are octet counts, which is what the table sizes are measured in.
 *
 * The encoder is stateless on purpose: it only uses static-table indexes and literals without
 * indexing, never the dynamic table nor Huffman coding. Header blocks can then be encoded once
 * (a gRPC server sends the same few blocks over and over) and sent on any connection.
 */
import { huffmanDecode, HuffmanError } from "./huffman.ts";

/** RFC 7541 Appendix A. Index 1 is the first entry. */
export const STATIC_TABLE: ReadonlyArray<readonly [name: string, value: string]> = [
  [":authority", ""],
  [":method", "GET"],
  [":method", "POST"],
  [":path", "/"],
  [":path", "/index.html"],
  [":scheme", "http"],
  [":scheme", "https"],
  [":status", "200"],
  [":status", "204"],
  [":status", "206"],
  [":status", "304"],
  [":status", "400"],
  [":status", "404"],
  [":status", "500"],
  ["accept-charset", ""],
  ["accept-encoding", "gzip, deflate"],
  ["accept-language", ""],
  ["accept-ranges", ""],
  ["accept", ""],
  ["access-control-allow-origin", ""],
  ["age", ""],
  ["allow", ""],
  ["authorization", ""],
  ["cache-control", ""],
  ["content-disposition", ""],
  ["content-encoding", ""],
  ["content-language", ""],
  ["content-length", ""],
  ["content-location", ""],
  ["content-range", ""],
  ["content-type", ""],
  ["cookie", ""],
  ["date", ""],
  ["etag", ""],
  ["expect", ""],
  ["expires", ""],
  ["from", ""],
  ["host", ""],
  ["if-match", ""],
  ["if-modified-since", ""],
  ["if-none-match", ""],
  ["if-range", ""],
  ["if-unmodified-since", ""],
  ["last-modified", ""],
  ["link", ""],
  ["location", ""],
  ["max-forwards", ""],
  ["proxy-authenticate", ""],
  ["proxy-authorization", ""],
  ["range", ""],
  ["referer", ""],
  ["refresh", ""],
  ["retry-after", ""],
  ["server", ""],
  ["set-cookie", ""],
  ["strict-transport-security", ""],
  ["transfer-encoding", ""],
  ["user-agent", ""],
  ["vary", ""],
  ["via", ""],
  ["www-authenticate", ""],
];

/** Per-entry overhead counted in table sizes (RFC 7541 4.1). */
const ENTRY_OVERHEAD = 32;
/** The table size HTTP/2 starts with on both sides (SETTINGS_HEADER_TABLE_SIZE default). */
export const DEFAULT_TABLE_SIZE = 4096;

/** A malformed header block: in HTTP/2 a connection error of type COMPRESSION_ERROR. */
export class HpackError extends Error {}

interface Entry {
  name: string;
  value: string;
  size: number;
}

/** The decoder's dynamic table: newest entry at the end of `entries`, HPACK index 62 at the end. */
export class DynamicTable {
  private entries: Entry[] = [];
  /** Sum of entry sizes. */
  size = 0;

  constructor(public maxSize: number) {}

  get length(): number {
    return this.entries.length;
  }

  /** Entry `i`, 0 = newest. */
  at(i: number): Entry | undefined {
    return this.entries[this.entries.length - 1 - i];
  }

  add(name: string, value: string): void {
    const size = name.length + value.length + ENTRY_OVERHEAD;
    // An entry larger than the whole table empties it and is not added (RFC 7541 4.4).
    this.evictTo(this.maxSize - size);
    if (size <= this.maxSize) {
      this.entries.push({ name, value, size });
      this.size += size;
    }
  }

  resize(maxSize: number): void {
    this.maxSize = maxSize;
    this.evictTo(maxSize);
  }

  private evictTo(limit: number): void {
    let drop = 0;
    while (this.size > limit && drop < this.entries.length) this.size -= this.entries[drop++]!.size;
    if (drop > 0) this.entries.splice(0, drop);
  }
}

export interface DecodedBlock {
  /** Names and values alternating: [name0, value0, name1, value1, ...]. */
  fields: string[];
  /** The decoded list's size (RFC 7540 6.5.2: octets of names and values plus 32 per field). */
  listSize: number;
}

export class HpackDecoder {
  readonly table: DynamicTable;

  /** `maxTableSize` is our SETTINGS_HEADER_TABLE_SIZE: the peer's size updates may not exceed it. */
  constructor(private readonly maxTableSize = DEFAULT_TABLE_SIZE) {
    this.table = new DynamicTable(maxTableSize);
  }

  /**
   * Decodes one complete header block. Stops collecting fields (but keeps decoding, since the
   * dynamic table must stay in step with the peer's) once the list passes `maxListSize`.
   */
  decode(block: Buffer, maxListSize = Infinity): DecodedBlock {
    const fields: string[] = [];
    let listSize = 0;
    let pos = 0;
    let sawField = false;
    const end = block.length;
    const int = (prefixBits: number): number => {
      const r = decodeInteger(block, pos, prefixBits);
      pos = r.next;
      return r.value;
    };
    const str = (): string => {
      if (pos >= end) throw new HpackError("truncated string literal");
      const huffman = (block[pos]! & 0x80) !== 0;
      const length = int(7);
      if (length > end - pos) throw new HpackError("string literal longer than the block");
      const start = pos;
      pos += length;
      if (!huffman) return block.toString("latin1", start, pos);
      try {
        return huffmanDecode(block, start, pos);
      } catch (err) {
        if (err instanceof HuffmanError) throw new HpackError(err.message);
        throw err;
      }
    };
    const emit = (name: string, value: string): void => {
      listSize += name.length + value.length + ENTRY_OVERHEAD;
      if (listSize <= maxListSize) fields.push(name, value);
    };

    while (pos < end) {
      const b = block[pos]!;
      if (b & 0x80) {
        // Indexed header field (6.1).
        const [name, value] = this.lookup(int(7));
        emit(name, value);
        sawField = true;
      } else if (b & 0x40) {
        // Literal with incremental indexing (6.2.1): index 0 means a literal name follows.
        const index = int(6);
        const name = index === 0 ? str() : this.lookup(index)[0];
        const value = str();
        this.table.add(name, value);
        emit(name, value);
        sawField = true;
      } else if (b & 0x20) {
        // Dynamic table size update (6.3): only before the first field of a block (4.2).
        if (sawField) throw new HpackError("dynamic table size update after a header field");
        const size = int(5);
        if (size > this.maxTableSize) throw new HpackError(`dynamic table size update to ${size} exceeds ${this.maxTableSize}`);
        this.table.resize(size);
      } else {
        // Literal without indexing (0000) or never indexed (0001) (6.2.2, 6.2.3).
        const index = int(4);
        const name = index === 0 ? str() : this.lookup(index)[0];
        emit(name, str());
        sawField = true;
      }
    }
    return { fields, listSize };
  }

  private lookup(index: number): readonly [string, string] {
    if (index === 0) throw new HpackError("header index 0");
    if (index <= STATIC_TABLE.length) return STATIC_TABLE[index - 1]!;
    const entry = this.table.at(index - STATIC_TABLE.length - 1);
    if (!entry) throw new HpackError(`header index ${index} is beyond the dynamic table`);
    return [entry.name, entry.value];
  }
}

/** Integers past this are no header length or index anyone sends: refuse rather than overflow. */
const MAX_INTEGER = 2 ** 32 - 1;

/** Decodes an integer with an N-bit prefix (RFC 7541 5.1) starting at block[pos]. */
export function decodeInteger(block: Uint8Array, pos: number, prefixBits: number): { value: number; next: number } {
  const mask = (1 << prefixBits) - 1;
  let value = block[pos++]! & mask;
  if (value < mask) return { value, next: pos };
  let scale = 1;
  for (;;) {
    if (pos >= block.length) throw new HpackError("truncated integer");
    const b = block[pos++]!;
    value += (b & 0x7f) * scale;
    scale *= 128;
    if (value > MAX_INTEGER) throw new HpackError("integer overflow");
    if ((b & 0x80) === 0) return { value, next: pos };
  }
}

/** Encodes an integer with an N-bit prefix; `flags` fills the octet's bits above the prefix. */
export function encodeInteger(out: number[], value: number, prefixBits: number, flags: number): void {
  const mask = (1 << prefixBits) - 1;
  if (value < mask) {
    out.push(flags | value);
    return;
  }
  out.push(flags | mask);
  value -= mask;
  while (value >= 128) {
    out.push((value % 128) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
}

const staticExact = new Map<string, number>();
const staticName = new Map<string, number>();
STATIC_TABLE.forEach(([name, value], i) => {
  staticExact.set(`${name}\0${value}`, i + 1);
  if (!staticName.has(name)) staticName.set(name, i + 1);
});

/**
 * Encodes a header list with static-table indexes where name and value match, otherwise as
 * literals without indexing (with an indexed name when the static table has it). Names must be
 * lowercase; names and values are taken as latin1.
 */
export function encodeHeaders(fields: ReadonlyArray<readonly [name: string, value: string]>): Buffer {
  const out: number[] = [];
  for (const [name, value] of fields) {
    const exact = staticExact.get(`${name}\0${value}`);
    if (exact !== undefined) {
      encodeInteger(out, exact, 7, 0x80);
      continue;
    }
    const nameIndex = staticName.get(name);
    if (nameIndex !== undefined) {
      encodeInteger(out, nameIndex, 4, 0x00);
    } else {
      out.push(0x00);
      encodeString(out, name);
    }
    encodeString(out, value);
  }
  return Buffer.from(out);
}

/** A dynamic table size update (RFC 7541 6.3), sent at the start of a header block. */
export function encodeTableSizeUpdate(size: number): Buffer {
  const out: number[] = [];
  encodeInteger(out, size, 5, 0x20);
  return Buffer.from(out);
}

function encodeString(out: number[], s: string): void {
  encodeInteger(out, s.length, 7, 0x00); // H = 0: raw octets.
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i) & 0xff);
}
