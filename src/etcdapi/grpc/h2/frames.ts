/**
 * HTTP/2 framing (RFC 9113 section 4 and 6): frame types, flags, error codes, settings, the
 * reader that cuts a byte stream into frames, and writers for the frames a server sends.
 */
import type { Output } from "./output.ts";

/** What a client sends first, before its SETTINGS (RFC 9113 3.4). */
export const CLIENT_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

export const FRAME_HEADER_BYTES = 9;

export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

export const Flag = {
  END_STREAM: 0x1,
  /** SETTINGS and PING acknowledgements. */
  ACK: 0x1,
  END_HEADERS: 0x4,
  PADDED: 0x8,
  PRIORITY: 0x20,
} as const;

export const ErrorCode = {
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  SETTINGS_TIMEOUT: 0x4,
  STREAM_CLOSED: 0x5,
  FRAME_SIZE_ERROR: 0x6,
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  COMPRESSION_ERROR: 0x9,
  CONNECT_ERROR: 0xa,
  ENHANCE_YOUR_CALM: 0xb,
  INADEQUATE_SECURITY: 0xc,
  HTTP_1_1_REQUIRED: 0xd,
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

export const Setting = {
  HEADER_TABLE_SIZE: 0x1,
  ENABLE_PUSH: 0x2,
  MAX_CONCURRENT_STREAMS: 0x3,
  INITIAL_WINDOW_SIZE: 0x4,
  MAX_FRAME_SIZE: 0x5,
  MAX_HEADER_LIST_SIZE: 0x6,
} as const;

/** Frame payloads every peer must accept, and the largest any peer may allow. */
export const DEFAULT_MAX_FRAME_SIZE = 16_384;
export const LARGEST_MAX_FRAME_SIZE = 2 ** 24 - 1;

/** A protocol violation that ends the whole connection with GOAWAY. */
export class ConnectionError extends Error {
  constructor(
    readonly code: ErrorCodeValue,
    message: string,
  ) {
    super(message);
    this.name = "ConnectionError";
  }
}

/** A violation confined to one stream: it is reset, the connection goes on. */
export class StreamError extends Error {
  constructor(
    readonly streamId: number,
    readonly code: ErrorCodeValue,
    message: string,
  ) {
    super(message);
    this.name = "StreamError";
  }
}

export type FrameHandler = (type: number, flags: number, streamId: number, payload: Buffer) => void;

/**
 * Cuts received bytes into frames. Payloads are views into the received chunks (no copy)
 * unless a frame straddles chunks; then the pieces are joined once, when the frame is complete.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Bytes needed before anything more can be parsed. */
  private needed = CLIENT_PREFACE.length;
  private sawPreface: boolean;

  /**
   * `maxFrameSize` is our SETTINGS_MAX_FRAME_SIZE: larger frames are a FRAME_SIZE_ERROR. A server
   * expects the client preface first; tests read a server's frames without one.
   */
  constructor(
    private readonly maxFrameSize: number,
    opts: { preface: boolean } = { preface: true },
  ) {
    this.sawPreface = !opts.preface;
    if (this.sawPreface) this.needed = FRAME_HEADER_BYTES;
  }

  push(chunk: Buffer, onFrame: FrameHandler): void {
    let buf = chunk;
    if (this.buffered > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      if (this.buffered < this.needed) return;
      buf = Buffer.concat(this.chunks, this.buffered);
      this.chunks = [];
      this.buffered = 0;
    }
    let pos = 0;
    if (!this.sawPreface) {
      if (buf.length < CLIENT_PREFACE.length) {
        if (!CLIENT_PREFACE.subarray(0, buf.length).equals(buf)) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "not an HTTP/2 client preface");
        this.keep(buf, CLIENT_PREFACE.length);
        return;
      }
      if (!CLIENT_PREFACE.equals(buf.subarray(0, CLIENT_PREFACE.length))) {
        throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "not an HTTP/2 client preface");
      }
      this.sawPreface = true;
      pos = CLIENT_PREFACE.length;
    }
    for (;;) {
      const left = buf.length - pos;
      if (left < FRAME_HEADER_BYTES) {
        this.keep(buf.subarray(pos), FRAME_HEADER_BYTES);
        return;
      }
      const length = (buf[pos]! << 16) | (buf[pos + 1]! << 8) | buf[pos + 2]!;
      if (length > this.maxFrameSize) throw new ConnectionError(ErrorCode.FRAME_SIZE_ERROR, `frame of ${length} bytes exceeds ${this.maxFrameSize}`);
      if (left < FRAME_HEADER_BYTES + length) {
        this.keep(buf.subarray(pos), FRAME_HEADER_BYTES + length);
        return;
      }
      const type = buf[pos + 3]!;
      const flags = buf[pos + 4]!;
      const streamId = buf.readUInt32BE(pos + 5) & 0x7fff_ffff; // The reserved top bit is ignored.
      const start = pos + FRAME_HEADER_BYTES;
      pos = start + length;
      onFrame(type, flags, streamId, buf.subarray(start, pos));
    }
  }

  private keep(rest: Buffer, needed: number): void {
    this.needed = needed;
    if (rest.length > 0) {
      this.chunks.push(rest);
      this.buffered = rest.length;
    }
  }
}

// ---- writers ----

export function writeFrameHeader(out: Output, length: number, type: number, flags: number, streamId: number): void {
  const buf = out.reserve(FRAME_HEADER_BYTES + length);
  let p = out.end;
  buf[p++] = length >>> 16;
  buf[p++] = (length >>> 8) & 0xff;
  buf[p++] = length & 0xff;
  buf[p++] = type;
  buf[p++] = flags;
  buf.writeUInt32BE(streamId, p);
  out.end = p + 4;
}

export function writeSettings(out: Output, settings: ReadonlyArray<readonly [id: number, value: number]>): void {
  writeFrameHeader(out, settings.length * 6, FrameType.SETTINGS, 0, 0);
  for (const [id, value] of settings) {
    out.buf.writeUInt16BE(id, out.end);
    out.buf.writeUInt32BE(value, out.end + 2);
    out.end += 6;
  }
}

export function writeSettingsAck(out: Output): void {
  writeFrameHeader(out, 0, FrameType.SETTINGS, Flag.ACK, 0);
}

export function writePingAck(out: Output, opaque: Uint8Array): void {
  writeFrameHeader(out, 8, FrameType.PING, Flag.ACK, 0);
  out.append(opaque);
}

export function writeGoaway(out: Output, lastStreamId: number, code: ErrorCodeValue, debug: string): void {
  const debugBytes = Buffer.from(debug.slice(0, 256), "utf8");
  writeFrameHeader(out, 8 + debugBytes.length, FrameType.GOAWAY, 0, 0);
  out.buf.writeUInt32BE(lastStreamId, out.end);
  out.buf.writeUInt32BE(code, out.end + 4);
  out.end += 8;
  out.append(debugBytes);
}

export function writeRstStream(out: Output, streamId: number, code: ErrorCodeValue): void {
  writeFrameHeader(out, 4, FrameType.RST_STREAM, 0, streamId);
  out.buf.writeUInt32BE(code, out.end);
  out.end += 4;
}

export function writeWindowUpdate(out: Output, streamId: number, increment: number): void {
  writeFrameHeader(out, 4, FrameType.WINDOW_UPDATE, 0, streamId);
  out.buf.writeUInt32BE(increment, out.end);
  out.end += 4;
}

/**
 * A header block as HEADERS plus as many CONTINUATION frames as the peer's frame size needs.
 * `prefix` (a table size update, usually empty) goes in front of the block.
 */
export function writeHeaders(out: Output, streamId: number, prefix: Uint8Array, block: Uint8Array, endStream: boolean, maxFrameSize: number): void {
  const total = prefix.length + block.length;
  const endFlag = endStream ? Flag.END_STREAM : 0;
  if (total <= maxFrameSize) {
    writeFrameHeader(out, total, FrameType.HEADERS, endFlag | Flag.END_HEADERS, streamId);
    if (prefix.length > 0) out.append(prefix);
    out.append(block);
    return;
  }
  const whole = Buffer.concat([prefix, block]);
  for (let pos = 0; pos < total; pos += maxFrameSize) {
    const piece = whole.subarray(pos, pos + maxFrameSize);
    const last = pos + maxFrameSize >= total;
    const type = pos === 0 ? FrameType.HEADERS : FrameType.CONTINUATION;
    writeFrameHeader(out, piece.length, type, (pos === 0 ? endFlag : 0) | (last ? Flag.END_HEADERS : 0), streamId);
    out.append(piece);
  }
}
