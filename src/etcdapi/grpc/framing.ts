/**
 * gRPC length-prefixed message framing: each message is a 1-byte compressed flag, a 4-byte
 * big-endian length, then the message bytes. HTTP/2 DATA chunks cut across messages freely, so
 * the decoder reassembles them and may yield several messages from one chunk.
 */
import { GrpcError, Status } from "./status.ts";

const PREFIX_BYTES = 5;

export function encodeFrame(message: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(PREFIX_BYTES + message.byteLength);
  frame[0] = 0;
  frame.writeUInt32BE(message.byteLength, 1);
  frame.set(message, PREFIX_BYTES);
  return frame;
}

export class FrameDecoder {
  /** Received chunks not yet consumed; together they hold the start of the next message. */
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxMessageBytes: number) {}

  /**
   * Feeds one chunk; returns the messages it completed. Throws RESOURCE_EXHAUSTED as soon as a
   * prefix announces a message over the limit, before buffering it, and UNIMPLEMENTED for a
   * compressed message (kts never advertises a compression algorithm). Chunks of a large message
   * are joined once, when the message is complete, not on every chunk.
   */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: Buffer[] = [];
    while (this.buffered >= PREFIX_BYTES) {
      if (this.chunks[0]!.length < PREFIX_BYTES) this.join();
      const head = this.chunks[0]!;
      const length = head.readUInt32BE(1);
      if (head[0] !== 0) throw new GrpcError(Status.UNIMPLEMENTED, "compressed gRPC messages are not supported");
      if (length > this.maxMessageBytes) {
        throw new GrpcError(Status.RESOURCE_EXHAUSTED, `grpc: received message larger than max (${length} vs. ${this.maxMessageBytes})`);
      }
      const end = PREFIX_BYTES + length;
      if (this.buffered < end) break;
      if (head.length < end) this.join();
      const buf = this.chunks[0]!;
      out.push(buf.subarray(PREFIX_BYTES, end));
      if (buf.length > end) {
        this.chunks[0] = buf.subarray(end);
      } else {
        this.chunks.shift();
      }
      this.buffered -= end;
    }
    return out;
  }

  /** Whether a message has started but not finished (a stream that ends now was cut short). */
  get partial(): boolean {
    return this.buffered > 0;
  }

  private join(): void {
    this.chunks = [Buffer.concat(this.chunks)];
  }
}
