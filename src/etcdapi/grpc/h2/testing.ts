/** Test helpers: frames built by hand, and a connection driven through an in-memory transport. */
import { Connection, type ConnectionOptions } from "./connection.ts";
import { CLIENT_PREFACE, FrameReader, FrameType, LARGEST_MAX_FRAME_SIZE } from "./frames.ts";
import { HpackDecoder } from "./hpack.ts";
import type { H2Stream } from "./stream.ts";

export interface Frame {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

export function frame(type: number, flags: number, streamId: number, payload: Uint8Array = new Uint8Array(0)): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(streamId, 5);
  return Buffer.concat([head, payload]);
}

export function settingsFrame(settings: Array<[number, number]> = []): Buffer {
  const payload = Buffer.alloc(settings.length * 6);
  settings.forEach(([id, value], i) => {
    payload.writeUInt16BE(id, i * 6);
    payload.writeUInt32BE(value, i * 6 + 2);
  });
  return frame(FrameType.SETTINGS, 0, 0, payload);
}

export function u32(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v, i * 4));
  return b;
}

/** Cuts a server's output into frames. */
export function parseFrames(bytes: Buffer): Frame[] {
  const frames: Frame[] = [];
  new FrameReader(LARGEST_MAX_FRAME_SIZE, { preface: false }).push(bytes, (type, flags, streamId, payload) =>
    frames.push({ type, flags, streamId, payload: Buffer.from(payload) }),
  );
  return frames;
}

/** Lets queued microtasks (the connection's output flush) run. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * A Connection with a fake socket: `send` feeds it bytes as a client would, `read` returns the
 * frames it wrote since the last read. The socket takes at most `writeLimit` bytes per write.
 */
export class FakeClient {
  readonly conn: Connection;
  readonly streams: H2Stream[] = [];
  readonly errors: Error[] = [];
  private written: Buffer[] = [];
  private readonly reader = new FrameReader(LARGEST_MAX_FRAME_SIZE, { preface: false });
  readonly decoder = new HpackDecoder();
  ended = false;
  terminated = false;
  writeLimit = Infinity;

  constructor(opts: Partial<ConnectionOptions> = {}, onStream?: (s: H2Stream) => void) {
    this.conn = new Connection(
      {
        write: (data, offset = 0, length = data.length - offset) => {
          if (this.ended || this.terminated) return -1;
          const n = Math.min(length, this.writeLimit);
          this.written.push(Buffer.from(data.subarray(offset, offset + n)));
          return n;
        },
        end: () => {
          this.ended = true;
        },
        terminate: () => {
          this.terminated = true;
        },
      },
      {
        onStream: (s) => {
          this.streams.push(s);
          onStream?.(s);
        },
        onProtocolError: (err) => this.errors.push(err),
        ...opts,
      },
    );
    this.conn.start();
  }

  /** Preface and an empty (or given) SETTINGS; the server's own SETTINGS are read and dropped. */
  async handshake(settings: Array<[number, number]> = []): Promise<void> {
    this.send(CLIENT_PREFACE, settingsFrame(settings));
    await this.read();
  }

  send(...chunks: Buffer[]): void {
    this.conn.receive(Buffer.concat(chunks));
  }

  async read(): Promise<Frame[]> {
    await nextTurn();
    const bytes = Buffer.concat(this.written);
    this.written = [];
    const frames: Frame[] = [];
    this.reader.push(bytes, (type, flags, streamId, payload) => frames.push({ type, flags, streamId, payload: Buffer.from(payload) }));
    return frames;
  }
}
