/**
 * SPDY/3 header blocks: a count, then length-prefixed lower-case names and NUL-separated values,
 * zlib-compressed with one stream per direction for the whole session, primed with the SPDY
 * dictionary.
 *
 * Incoming blocks go through a real inflater (peers compress). Outgoing blocks are written as
 * zlib "stored" blocks, each followed by an empty one as a sync flush ends a block: valid zlib
 * that any inflater reads, produced synchronously so a reply frame can be written in order with
 * the data frames around it.
 */
import { constants, createInflate, type Inflate } from "node:zlib";
import { SPDY3_DICTIONARY } from "./dictionary.ts";

export type HeaderBlock = Map<string, string[]>;

export function encodeNameValues(headers: Iterable<[string, string[]]>): Buffer {
  const parts: Buffer[] = [];
  let count = 0;
  for (const [name, values] of headers) {
    count++;
    const n = Buffer.from(name.toLowerCase());
    const v = Buffer.from(values.join("\0"));
    const nl = Buffer.alloc(4);
    nl.writeUInt32BE(n.length, 0);
    const vl = Buffer.alloc(4);
    vl.writeUInt32BE(v.length, 0);
    parts.push(nl, n, vl, v);
  }
  const c = Buffer.alloc(4);
  c.writeUInt32BE(count, 0);
  return Buffer.concat([c, ...parts]);
}

export function decodeNameValues(block: Buffer): HeaderBlock {
  const out: HeaderBlock = new Map();
  let off = 0;
  const u32 = () => {
    if (off + 4 > block.length) throw new Error("truncated SPDY header block");
    const v = block.readUInt32BE(off);
    off += 4;
    return v;
  };
  const bytes = (n: number) => {
    if (off + n > block.length) throw new Error("truncated SPDY header block");
    const s = block.subarray(off, off + n).toString("latin1");
    off += n;
    return s;
  };
  const count = u32();
  for (let i = 0; i < count; i++) {
    const name = bytes(u32());
    const values = bytes(u32()).split("\0");
    out.set(name, [...(out.get(name) ?? []), ...values]);
  }
  return out;
}

/** Compresses outgoing header blocks (stored zlib blocks on one stream). */
export class HeaderEncoder {
  private started = false;

  encode(headers: Iterable<[string, string[]]>): Buffer {
    const raw = encodeNameValues(headers);
    const parts: Buffer[] = [];
    if (!this.started) {
      // CMF 0x78 (deflate, 32K window), FLG 0x01: no preset dictionary, check bits valid.
      parts.push(Buffer.from([0x78, 0x01]));
      this.started = true;
    }
    let off = 0;
    do {
      const piece = raw.subarray(off, off + 0xffff);
      const h = Buffer.alloc(5);
      h[0] = 0; // BFINAL 0, BTYPE 00 (stored), padded to the byte
      h.writeUInt16LE(piece.length, 1);
      h.writeUInt16LE(~piece.length & 0xffff, 3);
      parts.push(h, piece);
      off += piece.length;
    } while (off < raw.length);
    // An empty stored block: the sync-flush marker. Go's inflater hands out a stored block's
    // bytes only when the next block starts, so without it the reader would wait for more.
    parts.push(Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]));
    return Buffer.concat(parts);
  }
}

/** Inflates incoming header blocks in order, one zlib stream for the session. */
export class HeaderDecoder {
  private readonly inflate: Inflate = createInflate({ dictionary: SPDY3_DICTIONARY });
  private out: Buffer[] = [];
  private failed: Error | undefined;

  constructor() {
    this.inflate.on("data", (chunk: Buffer) => this.out.push(chunk));
    this.inflate.on("error", (err: Error) => (this.failed = err));
  }

  /** Callers must not overlap calls (the session decodes one frame at a time). */
  decode(compressed: Buffer): Promise<HeaderBlock> {
    return new Promise((resolve, reject) => {
      if (this.failed) return reject(this.failed);
      this.inflate.write(compressed);
      this.inflate.flush(constants.Z_SYNC_FLUSH, () => {
        if (this.failed) return reject(this.failed);
        const raw = Buffer.concat(this.out);
        this.out = [];
        try {
          resolve(decodeNameValues(raw));
        } catch (err) {
          reject(err as Error);
        }
      });
    });
  }

  close(): void {
    this.inflate.close();
  }
}
