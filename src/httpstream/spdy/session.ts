/**
 * The server side of a SPDY/3.1 session as Kubernetes clients use it (moby/spdystream): the
 * client opens every stream; the server answers each with an empty SYN_REPLY, moves data both
 * ways, half-closes with FIN, cancels with RST_STREAM, and echoes the client's pings.
 * spdystream does no flow control (it ignores WINDOW_UPDATE), so neither does this: a slow
 * consumer pauses the whole transport, as a blocked spdystream reader does.
 */
import {
  controlStreamId,
  dataFrame,
  FLAG_FIN,
  type Frame,
  FrameReader,
  GOAWAY,
  goAwayFrame,
  HEADERS,
  MAX_DATA_CHUNK,
  parseSynStream,
  PING,
  pingFrame,
  RST_CANCEL,
  RST_STREAM,
  rstStreamFrame,
  SYN_REPLY,
  SYN_STREAM,
  synReplyFrame,
} from "./frames.ts";
import { type HeaderBlock, HeaderDecoder, HeaderEncoder } from "./headers.ts";

/** The byte stream a session runs on (a raw socket, or the messages of a WebSocket). */
export interface ByteTransport {
  /** False when the transport buffers; the session then waits for drained(). */
  write(bytes: Buffer): boolean;
  end(): void;
  pause(): void;
  resume(): void;
}

export class SpdyStream {
  onData: (data: Buffer) => void = () => {};
  /** The client half-closed (FIN). */
  onEnd: () => void = () => {};
  /** The stream was cancelled (RST_STREAM) or the session ended. */
  onReset: () => void = () => {};
  /** The transport can take more after write() returned false. */
  onDrain: () => void = () => {};
  remoteEnded = false;
  localEnded = false;
  wasReset = false;

  constructor(
    readonly id: number,
    readonly headers: HeaderBlock,
    private readonly session: SpdyServerSession,
  ) {}

  /** First value of a header (names are lower-case in SPDY). */
  header(name: string): string | undefined {
    return this.headers.get(name.toLowerCase())?.[0];
  }

  write(data: Uint8Array): boolean {
    if (this.localEnded || this.wasReset) return true;
    let ok = true;
    for (let off = 0; off < data.length; off += MAX_DATA_CHUNK) ok = this.session.send(dataFrame(this.id, data.subarray(off, off + MAX_DATA_CHUNK), false));
    return ok;
  }

  /** Half-closes our side (an empty DATA frame with FIN). */
  end(): void {
    if (this.localEnded || this.wasReset) return;
    this.localEnded = true;
    this.session.send(dataFrame(this.id, new Uint8Array(0), true));
    this.session.settle(this);
  }

  reset(): void {
    if (this.wasReset) return;
    this.wasReset = true;
    if (!(this.localEnded && this.remoteEnded)) this.session.send(rstStreamFrame(this.id, RST_CANCEL));
    this.session.settle(this);
  }

  /** Stops reading the whole session until resume() (head-of-line, as spdystream blocks). */
  pause(): void {
    this.session.pauseFor(this);
  }

  resume(): void {
    this.session.resumeFor(this);
  }
}

export class SpdyServerSession {
  onStream: (stream: SpdyStream) => void = () => {};
  /** The session is over (GOAWAY, transport gone, or a protocol error). */
  onClose: () => void = () => {};

  private readonly reader = new FrameReader();
  private readonly decoder = new HeaderDecoder();
  private readonly encoder = new HeaderEncoder();
  private readonly streams = new Map<number, SpdyStream>();
  private readonly pausedBy = new Set<SpdyStream>();
  private chain: Promise<void> = Promise.resolve();
  private lastStreamId = 0;
  private closed = false;

  constructor(private readonly transport: ByteTransport) {}

  /** Bytes from the transport. */
  receive(chunk: Buffer): void {
    if (this.closed) return;
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch {
      this.close();
      return;
    }
    for (const frame of frames) {
      this.chain = this.chain.then(() => this.handle(frame)).catch(() => this.close());
    }
  }

  /** The transport can take more. */
  drained(): void {
    for (const s of this.streams.values()) s.onDrain();
  }

  /** The transport is gone: every open stream is reset. */
  transportClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.teardown();
  }

  /** Says goodbye (GOAWAY) and ends the transport. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.transport.write(goAwayFrame(this.lastStreamId));
    this.transport.end();
    this.teardown();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** @internal */
  send(frame: Buffer): boolean {
    if (this.closed) return true;
    return this.transport.write(frame);
  }

  /** @internal Forgets a stream both sides are done with. */
  settle(stream: SpdyStream): void {
    if (stream.wasReset || (stream.localEnded && stream.remoteEnded)) {
      this.streams.delete(stream.id);
      this.resumeFor(stream);
    }
  }

  /** @internal */
  pauseFor(stream: SpdyStream): void {
    if (this.pausedBy.size === 0) this.transport.pause();
    this.pausedBy.add(stream);
  }

  /** @internal */
  resumeFor(stream: SpdyStream): void {
    if (!this.pausedBy.delete(stream)) return;
    if (this.pausedBy.size === 0 && !this.closed) this.transport.resume();
  }

  private teardown(): void {
    this.decoder.close();
    const open = [...this.streams.values()];
    this.streams.clear();
    this.pausedBy.clear();
    for (const s of open) {
      s.wasReset = true;
      s.onReset();
    }
    this.onClose();
  }

  private async handle(frame: Frame): Promise<void> {
    if (this.closed) return;
    if (!frame.control) return this.handleData(frame.streamId, frame.flags, frame.data);
    switch (frame.type) {
      case SYN_STREAM:
        return this.handleSynStream(frame.flags, frame.payload);
      case HEADERS:
      case SYN_REPLY:
        // Decoded to keep the shared zlib stream in step; a server has no use for them.
        await this.decoder.decode(frame.payload.subarray(4));
        return;
      case RST_STREAM:
        return this.handleReset(controlStreamId(frame.payload));
      case PING:
        // Client pings have odd ids; echo them. Ours (even) would be answers, and we send none.
        if (frame.payload.readUInt32BE(0) % 2 === 1) this.send(pingFrame(frame.payload.readUInt32BE(0)));
        return;
      case GOAWAY:
        this.close();
        return;
      default:
        // SETTINGS, WINDOW_UPDATE (spdystream ignores flow control) and unknown types.
        return;
    }
  }

  private async handleSynStream(flags: number, payload: Buffer): Promise<void> {
    const { streamId, headerBlock } = parseSynStream(payload);
    const headers = await this.decoder.decode(headerBlock);
    if (this.closed) return;
    if (streamId <= this.lastStreamId || streamId % 2 === 0) {
      this.send(rstStreamFrame(streamId, 1));
      return;
    }
    this.lastStreamId = streamId;
    const stream = new SpdyStream(streamId, headers, this);
    this.streams.set(streamId, stream);
    this.send(synReplyFrame(streamId, this.encoder.encode([]), false));
    this.onStream(stream);
    if (flags & FLAG_FIN) this.remoteEnd(stream);
  }

  private handleData(streamId: number, flags: number, data: Buffer): void {
    const stream = this.streams.get(streamId);
    if (!stream || stream.remoteEnded) return;
    if (data.length > 0) stream.onData(data);
    if (flags & FLAG_FIN) this.remoteEnd(stream);
  }

  private remoteEnd(stream: SpdyStream): void {
    if (stream.remoteEnded) return;
    stream.remoteEnded = true;
    stream.onEnd();
    this.settle(stream);
  }

  private handleReset(streamId: number): void {
    const stream = this.streams.get(streamId);
    if (!stream) return;
    stream.wasReset = true;
    this.streams.delete(streamId);
    this.resumeFor(stream);
    stream.onReset();
  }
}
