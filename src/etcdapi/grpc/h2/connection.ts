/**
 * The server side of one HTTP/2 connection (RFC 9113), cleartext with prior knowledge (h2c, what
 * gRPC clients use for http:// endpoints): preface and SETTINGS exchange, the stream state
 * machine, header blocks (HEADERS + CONTINUATION) through HPACK, flow control both ways, PING,
 * RST_STREAM and GOAWAY. Anything the peer gets wrong ends in a stream reset or a GOAWAY: never
 * an exception out of here, whatever bytes arrive.
 *
 * Output is serialised into one buffer and written once per event-loop turn (FlushScheduler).
 */
import {
  ConnectionError,
  DEFAULT_MAX_FRAME_SIZE,
  ErrorCode,
  type ErrorCodeValue,
  Flag,
  FrameReader,
  FrameType,
  LARGEST_MAX_FRAME_SIZE,
  Setting,
  StreamError,
  writeFrameHeader,
  writeGoaway,
  writeHeaders,
  writePingAck,
  writeRstStream,
  writeSettings,
  writeSettingsAck,
  writeWindowUpdate,
} from "./frames.ts";
import { DEFAULT_WINDOW, MAX_WINDOW, ReceiveWindow, SendWindow } from "./flow.ts";
import { DEFAULT_TABLE_SIZE, encodeHeaders, encodeTableSizeUpdate, HpackDecoder, HpackError } from "./hpack.ts";
import { FlushScheduler, Output } from "./output.ts";
import { H2Stream, parseRequestHeaders, type StreamHost } from "./stream.ts";

/** The socket under a connection; a Bun TCP socket is one. */
export interface Transport {
  /** Writes what it can now; returns the bytes taken (negative once closed). */
  write(data: Uint8Array, byteOffset?: number, byteLength?: number): number;
  /** Sends FIN after what was written. */
  end(): void;
  /** Closes at once. */
  terminate(): void;
}

export interface ConnectionOptions {
  /** A new request: attach `listener` and `onClose` to the stream before returning. */
  onStream(stream: H2Stream): void;
  /** Reports why a connection was ended or a stream reset by us (for logs). */
  onProtocolError?(err: ConnectionError | StreamError | Error): void;
  /** SETTINGS_MAX_CONCURRENT_STREAMS we advertise and enforce. */
  maxConcurrentStreams?: number;
  /** Receive window per stream and for the whole connection. */
  windowBytes?: number;
}

/** Largest decoded header list we accept (advertised as SETTINGS_MAX_HEADER_LIST_SIZE). */
export const MAX_HEADER_LIST_BYTES = 64 * 1024;
/** Largest compressed header block (HEADERS + CONTINUATIONs) we buffer before giving up on the peer. */
const MAX_HEADER_BLOCK_BYTES = 2 * MAX_HEADER_LIST_BYTES;
/** Output held in the connection buffer before stream data waits in its stream instead. */
const OUTPUT_HIGH_WATER = 256 * 1024;
/**
 * Output a client may leave unread before we give up on it. Stream data waits in its stream, so
 * only frames that are not flow-controlled (headers, PING and SETTINGS acks) pile up here: a
 * peer that keeps asking without reading would otherwise grow this without bound.
 */
const MAX_UNREAD_OUTPUT = 32 * 1024 * 1024;
/** How long a connection we gave up on may linger for its GOAWAY to be read. */
const LINGER_MS = 1000;

const flusher = new FlushScheduler();
const NO_PREFIX = new Uint8Array(0);
const HEADER_LIST_TOO_LARGE = encodeHeaders([[":status", "431"]]);

interface PendingHeaderBlock {
  streamId: number;
  endStream: boolean;
  /** A stream error found in the HEADERS frame, raised once the block has been decoded. */
  refusal: StreamError | undefined;
  fragments: Buffer[];
  bytes: number;
}

export class Connection implements StreamHost {
  private readonly reader = new FrameReader(DEFAULT_MAX_FRAME_SIZE);
  private readonly decoder = new HpackDecoder(DEFAULT_TABLE_SIZE);
  private readonly out = new Output();
  private readonly streams = new Map<number, H2Stream>();
  /** Streams with queued data that flow control or a full socket holds back. */
  private readonly blocked = new Set<H2Stream>();
  private readonly receiveWindow: ReceiveWindow;
  private readonly sendWindow = new SendWindow(DEFAULT_WINDOW);
  private readonly streamWindowBytes: number;
  private readonly maxConcurrentStreams: number;

  // What the peer's SETTINGS told us.
  private peerInitialWindow = DEFAULT_WINDOW;
  private peerMaxFrameSize = DEFAULT_MAX_FRAME_SIZE;
  /** The dynamic table size our (table-less) encoder announced; the peer may lower its limit. */
  private encoderTableSize = DEFAULT_TABLE_SIZE;
  /** A table size update owed at the start of our next header block. */
  private tableSizeUpdate: Uint8Array = NO_PREFIX;

  private sawSettings = false;
  private headerBlock: PendingHeaderBlock | undefined;
  /** Highest stream id the peer has opened: lower ids are spent. */
  private lastStreamId = 0;
  private flushQueued = false;
  private awaitingDrain = false;
  /** We sent GOAWAY: no new streams, close once the last one ends. */
  private goingAway = false;
  /** The peer sent GOAWAY: it opens no new streams. */
  private peerGoingAway = false;
  /** Closing after GOAWAY: the socket ends once the output is written. */
  private finishing = false;
  /** The socket is gone or being torn down: nothing more is read or written. */
  private dead = false;

  constructor(
    private readonly transport: Transport,
    private readonly opts: ConnectionOptions,
  ) {
    this.streamWindowBytes = opts.windowBytes ?? DEFAULT_WINDOW;
    this.receiveWindow = new ReceiveWindow(this.streamWindowBytes);
    this.maxConcurrentStreams = opts.maxConcurrentStreams ?? 1000;
  }

  /** Sends the server preface: our SETTINGS, and the connection window opened to its full size. */
  start(): void {
    writeSettings(this.out, [
      [Setting.MAX_CONCURRENT_STREAMS, this.maxConcurrentStreams],
      [Setting.INITIAL_WINDOW_SIZE, this.streamWindowBytes],
      [Setting.MAX_HEADER_LIST_SIZE, MAX_HEADER_LIST_BYTES],
    ]);
    if (this.streamWindowBytes > DEFAULT_WINDOW) writeWindowUpdate(this.out, 0, this.streamWindowBytes - DEFAULT_WINDOW);
    this.scheduleFlush();
  }

  get openStreams(): number {
    return this.streams.size;
  }

  // ---- input ----

  receive(chunk: Buffer): void {
    if (this.dead) return;
    try {
      this.reader.push(chunk, this.onFrame);
    } catch (err) {
      if (err instanceof ConnectionError) {
        this.fail(err.code, err.message, err);
      } else {
        // A bug of ours, not the peer's: still only this connection pays for it.
        this.fail(ErrorCode.INTERNAL_ERROR, "internal error", err instanceof Error ? err : new Error(String(err)));
      }
    }
  }

  private readonly onFrame = (type: number, flags: number, streamId: number, payload: Buffer): void => {
    if (this.dead) return;
    try {
      this.dispatch(type, flags, streamId, payload);
    } catch (err) {
      if (!(err instanceof StreamError)) throw err;
      this.opts.onProtocolError?.(err);
      this.resetStream(err.streamId, err.code);
    }
  };

  private dispatch(type: number, flags: number, streamId: number, payload: Buffer): void {
    if (!this.sawSettings) {
      if (type !== FrameType.SETTINGS || flags & Flag.ACK) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "the client preface must end with SETTINGS");
      this.sawSettings = true;
    }
    if (this.headerBlock && type !== FrameType.CONTINUATION) {
      throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "header block interrupted by another frame");
    }
    switch (type) {
      case FrameType.DATA:
        return this.onData(flags, streamId, payload);
      case FrameType.HEADERS:
        return this.onHeaders(flags, streamId, payload);
      case FrameType.CONTINUATION:
        return this.onContinuation(flags, streamId, payload);
      case FrameType.PRIORITY:
        return this.onPriority(streamId, payload);
      case FrameType.RST_STREAM:
        return this.onRstStream(streamId, payload);
      case FrameType.SETTINGS:
        return this.onSettings(flags, streamId, payload);
      case FrameType.PING:
        return this.onPing(flags, streamId, payload);
      case FrameType.GOAWAY:
        return this.onGoaway(streamId, payload);
      case FrameType.WINDOW_UPDATE:
        return this.onWindowUpdate(streamId, payload);
      case FrameType.PUSH_PROMISE:
        throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "PUSH_PROMISE from a client");
      default:
        // Unknown frame types are ignored (RFC 9113 4.1).
        return;
    }
  }

  private onData(flags: number, streamId: number, payload: Buffer): void {
    if (streamId === 0) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "DATA on stream 0");
    const length = payload.length;
    // Padding counts against the windows too.
    if (!this.receiveWindow.receive(length)) throw new ConnectionError(ErrorCode.FLOW_CONTROL_ERROR, "DATA beyond the connection window");
    const data = unpad(payload, flags);
    const stream = this.streams.get(streamId);
    if (!stream || !stream.remoteOpen) {
      this.releaseConnectionWindow(length);
      if (streamId > this.lastStreamId) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "DATA on an idle stream");
      // A stream we already closed or reset: late data is dropped (RFC 9113 5.1, "closed").
      if (stream) throw new StreamError(streamId, ErrorCode.STREAM_CLOSED, "DATA after END_STREAM");
      return;
    }
    if (!stream.receiveWindow.receive(length)) {
      this.releaseConnectionWindow(length);
      throw new StreamError(streamId, ErrorCode.FLOW_CONTROL_ERROR, "DATA beyond the stream window");
    }
    if (data.length > 0) stream.listener?.data(data);
    this.releaseConnectionWindow(length);
    const endStream = (flags & Flag.END_STREAM) !== 0;
    if (stream.closed) return;
    if (endStream) {
      this.remoteEnded(stream);
      return;
    }
    const increment = stream.receiveWindow.release(length);
    if (increment > 0) {
      writeWindowUpdate(this.out, streamId, increment);
      this.scheduleFlush();
    }
  }

  private releaseConnectionWindow(bytes: number): void {
    const increment = this.receiveWindow.release(bytes);
    if (increment > 0) {
      writeWindowUpdate(this.out, 0, increment);
      this.scheduleFlush();
    }
  }

  private onHeaders(flags: number, streamId: number, payload: Buffer): void {
    if (streamId === 0) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "HEADERS on stream 0");
    let fragment = unpad(payload, flags);
    let refusal: StreamError | undefined;
    if (flags & Flag.PRIORITY) {
      if (fragment.length < 5) throw new ConnectionError(ErrorCode.FRAME_SIZE_ERROR, "HEADERS too short for its priority");
      // Priorities are advisory; we serve streams as they come.
      if ((fragment.readUInt32BE(0) & 0x7fff_ffff) === streamId) refusal = new StreamError(streamId, ErrorCode.PROTOCOL_ERROR, "stream depends on itself");
      fragment = fragment.subarray(5);
    }
    const endStream = (flags & Flag.END_STREAM) !== 0;
    if (flags & Flag.END_HEADERS) {
      this.onHeaderBlock(streamId, fragment, endStream, refusal);
      return;
    }
    this.headerBlock = { streamId, endStream, refusal, fragments: [fragment], bytes: fragment.length };
  }

  private onContinuation(flags: number, streamId: number, payload: Buffer): void {
    const block = this.headerBlock;
    if (!block || block.streamId !== streamId) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "unexpected CONTINUATION");
    block.fragments.push(payload);
    block.bytes += payload.length;
    if (block.bytes > MAX_HEADER_BLOCK_BYTES) throw new ConnectionError(ErrorCode.ENHANCE_YOUR_CALM, "header block too large");
    if (flags & Flag.END_HEADERS) {
      this.headerBlock = undefined;
      this.onHeaderBlock(streamId, Buffer.concat(block.fragments, block.bytes), block.endStream, block.refusal);
    }
  }

  private onHeaderBlock(streamId: number, block: Buffer, endStream: boolean, refusal: StreamError | undefined): void {
    // Decoded whatever becomes of the stream: the dynamic table must follow the peer's.
    let decoded;
    try {
      decoded = this.decoder.decode(block, MAX_HEADER_LIST_BYTES);
    } catch (err) {
      if (err instanceof HpackError) throw new ConnectionError(ErrorCode.COMPRESSION_ERROR, err.message);
      throw err;
    }
    if (refusal) {
      if (streamId > this.lastStreamId) this.lastStreamId = streamId;
      throw refusal;
    }
    const existing = this.streams.get(streamId);
    if (existing) {
      // Trailers from the client: they must end its side.
      if (!existing.remoteOpen) throw new StreamError(streamId, ErrorCode.STREAM_CLOSED, "HEADERS after END_STREAM");
      if (!endStream) throw new StreamError(streamId, ErrorCode.PROTOCOL_ERROR, "trailers without END_STREAM");
      this.remoteEnded(existing);
      return;
    }
    if (streamId <= this.lastStreamId) return; // A stream already over (perhaps reset by us).
    if (streamId % 2 === 0) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, `client opened even stream ${streamId}`);
    this.lastStreamId = streamId;
    if (this.goingAway) return; // Past our GOAWAY: the client knows it was not processed.
    if (decoded.listSize > MAX_HEADER_LIST_BYTES) {
      writeHeaders(this.out, streamId, this.takeTableSizeUpdate(), HEADER_LIST_TOO_LARGE, true, this.peerMaxFrameSize);
      if (!endStream) writeRstStream(this.out, streamId, ErrorCode.NO_ERROR);
      this.scheduleFlush();
      return;
    }
    if (this.streams.size >= this.maxConcurrentStreams) throw new StreamError(streamId, ErrorCode.REFUSED_STREAM, "too many concurrent streams");
    const request = parseRequestHeaders(streamId, decoded.fields);
    const stream = new H2Stream(streamId, request, this, this.peerInitialWindow, this.streamWindowBytes);
    stream.remoteOpen = !endStream;
    this.streams.set(streamId, stream);
    this.opts.onStream(stream);
    if (endStream && !stream.closed) stream.listener?.end();
  }

  private remoteEnded(stream: H2Stream): void {
    stream.remoteOpen = false;
    stream.listener?.end();
    if (!stream.localOpen && !stream.closed) this.closeStream(stream, false);
  }

  private onPriority(streamId: number, payload: Buffer): void {
    if (streamId === 0) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "PRIORITY on stream 0");
    if (payload.length !== 5) throw new StreamError(streamId, ErrorCode.FRAME_SIZE_ERROR, "PRIORITY frame of the wrong size");
    if ((payload.readUInt32BE(0) & 0x7fff_ffff) === streamId) throw new StreamError(streamId, ErrorCode.PROTOCOL_ERROR, "stream depends on itself");
  }

  private onRstStream(streamId: number, payload: Buffer): void {
    if (streamId === 0) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "RST_STREAM on stream 0");
    if (payload.length !== 4) throw new ConnectionError(ErrorCode.FRAME_SIZE_ERROR, "RST_STREAM frame of the wrong size");
    if (streamId > this.lastStreamId) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "RST_STREAM on an idle stream");
    const stream = this.streams.get(streamId);
    if (stream) this.closeStream(stream, true);
  }

  private onSettings(flags: number, streamId: number, payload: Buffer): void {
    if (streamId !== 0) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "SETTINGS on a stream");
    if (flags & Flag.ACK) {
      if (payload.length !== 0) throw new ConnectionError(ErrorCode.FRAME_SIZE_ERROR, "SETTINGS ACK with a payload");
      return;
    }
    if (payload.length % 6 !== 0) throw new ConnectionError(ErrorCode.FRAME_SIZE_ERROR, "SETTINGS frame of the wrong size");
    let windowGrew = false;
    for (let pos = 0; pos < payload.length; pos += 6) {
      const id = payload.readUInt16BE(pos);
      const value = payload.readUInt32BE(pos + 2);
      switch (id) {
        case Setting.HEADER_TABLE_SIZE:
          // Our encoder keeps no table, but must still announce a smaller limit (RFC 7541 4.2).
          if (value < this.encoderTableSize) {
            this.encoderTableSize = value;
            this.tableSizeUpdate = encodeTableSizeUpdate(value);
          }
          break;
        case Setting.ENABLE_PUSH:
          if (value > 1) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, `SETTINGS_ENABLE_PUSH ${value}`);
          break;
        case Setting.INITIAL_WINDOW_SIZE: {
          if (value > MAX_WINDOW) throw new ConnectionError(ErrorCode.FLOW_CONTROL_ERROR, `SETTINGS_INITIAL_WINDOW_SIZE ${value}`);
          const delta = value - this.peerInitialWindow;
          this.peerInitialWindow = value;
          for (const stream of this.streams.values()) {
            if (!stream.sendWindow.shift(delta)) throw new ConnectionError(ErrorCode.FLOW_CONTROL_ERROR, "stream window overflow");
          }
          if (delta > 0) windowGrew = true;
          break;
        }
        case Setting.MAX_FRAME_SIZE:
          if (value < DEFAULT_MAX_FRAME_SIZE || value > LARGEST_MAX_FRAME_SIZE) {
            throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, `SETTINGS_MAX_FRAME_SIZE ${value}`);
          }
          this.peerMaxFrameSize = value;
          break;
        default:
          // MAX_CONCURRENT_STREAMS limits pushes (we make none); MAX_HEADER_LIST_SIZE is advisory.
          break;
      }
    }
    writeSettingsAck(this.out);
    if (windowGrew) this.pumpBlocked();
    this.scheduleFlush();
  }

  private onPing(flags: number, streamId: number, payload: Buffer): void {
    if (streamId !== 0) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "PING on a stream");
    if (payload.length !== 8) throw new ConnectionError(ErrorCode.FRAME_SIZE_ERROR, "PING frame of the wrong size");
    if (flags & Flag.ACK) return;
    writePingAck(this.out, payload);
    this.scheduleFlush();
  }

  private onGoaway(streamId: number, payload: Buffer): void {
    if (streamId !== 0) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "GOAWAY on a stream");
    if (payload.length < 8) throw new ConnectionError(ErrorCode.FRAME_SIZE_ERROR, "GOAWAY frame too short");
    this.peerGoingAway = true;
    this.maybeFinish();
  }

  private onWindowUpdate(streamId: number, payload: Buffer): void {
    if (payload.length !== 4) throw new ConnectionError(ErrorCode.FRAME_SIZE_ERROR, "WINDOW_UPDATE frame of the wrong size");
    const increment = payload.readUInt32BE(0) & 0x7fff_ffff;
    if (streamId === 0) {
      const problem = this.sendWindow.grow(increment);
      if (problem !== undefined) throw new ConnectionError(problem, "invalid connection WINDOW_UPDATE");
      this.pumpBlocked();
      return;
    }
    const stream = this.streams.get(streamId);
    if (!stream) {
      if (streamId > this.lastStreamId) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "WINDOW_UPDATE on an idle stream");
      return;
    }
    const problem = stream.sendWindow.grow(increment);
    if (problem !== undefined) throw new StreamError(streamId, problem, "invalid stream WINDOW_UPDATE");
    if (stream.queued > 0 || stream.ending) this.pump(stream);
  }

  // ---- output (StreamHost) ----

  sendHeaders(stream: H2Stream, block: Uint8Array, endStream: boolean): void {
    if (this.dead) return;
    writeHeaders(this.out, stream.id, this.takeTableSizeUpdate(), block, endStream, this.peerMaxFrameSize);
    this.scheduleFlush();
    if (endStream) this.localEnded(stream);
  }

  pump(stream: H2Stream): void {
    if (this.dead || stream.closed) return;
    const out = this.out;
    while (stream.queued > 0) {
      const n = Math.min(stream.queued, stream.sendWindow.available, this.sendWindow.available, this.peerMaxFrameSize);
      if (n <= 0 || out.pending >= OUTPUT_HIGH_WATER) {
        this.blocked.add(stream);
        if (out.pending > 0) this.scheduleFlush();
        stream.notifyDrained();
        return;
      }
      writeFrameHeader(out, n, FrameType.DATA, 0, stream.id);
      stream.takeQueued(out.buf, out.end, n);
      out.end += n;
      stream.sendWindow.available -= n;
      this.sendWindow.available -= n;
    }
    this.blocked.delete(stream);
    stream.notifyDrained();
    const ending = stream.ending;
    if (ending) {
      if (ending.trailers) {
        writeHeaders(out, stream.id, this.takeTableSizeUpdate(), ending.trailers, true, this.peerMaxFrameSize);
      } else {
        writeFrameHeader(out, 0, FrameType.DATA, Flag.END_STREAM, stream.id);
      }
      this.localEnded(stream);
    }
    this.scheduleFlush();
  }

  resetStream(streamId: number, code: ErrorCodeValue): void {
    if (this.dead) return;
    writeRstStream(this.out, streamId, code);
    this.scheduleFlush();
    const stream = this.streams.get(streamId);
    if (stream) this.closeStream(stream, code !== ErrorCode.NO_ERROR);
  }

  private localEnded(stream: H2Stream): void {
    stream.localOpen = false;
    if (stream.remoteOpen) {
      // The response is complete but the client is still sending: ask it to stop (RFC 9113 8.1).
      writeRstStream(this.out, stream.id, ErrorCode.NO_ERROR);
    }
    this.closeStream(stream, false);
  }

  private closeStream(stream: H2Stream, aborted: boolean): void {
    if (stream.closed) return;
    this.streams.delete(stream.id);
    this.blocked.delete(stream);
    stream.markClosed(aborted);
    this.maybeFinish();
  }

  private pumpBlocked(): void {
    for (const stream of [...this.blocked]) {
      if (this.sendWindow.available <= 0 || this.out.pending >= OUTPUT_HIGH_WATER) return;
      this.pump(stream);
    }
  }

  private takeTableSizeUpdate(): Uint8Array {
    const prefix = this.tableSizeUpdate;
    if (prefix.length > 0) this.tableSizeUpdate = NO_PREFIX;
    return prefix;
  }

  private scheduleFlush(): void {
    if (this.flushQueued || this.dead) return;
    this.flushQueued = true;
    flusher.schedule(this);
  }

  /** Writes buffered output to the socket; then stream data that waited for room, and so on. */
  flush(): void {
    this.flushQueued = false;
    if (this.dead) return;
    if (this.awaitingDrain) {
      if (this.out.pending > MAX_UNREAD_OUTPUT) {
        this.opts.onProtocolError?.(new ConnectionError(ErrorCode.ENHANCE_YOUR_CALM, "client does not read its responses"));
        this.destroy();
      }
      return;
    }
    for (;;) {
      if (!this.out.flushTo(this.sink)) {
        this.awaitingDrain = true;
        return;
      }
      if (this.blocked.size === 0) break;
      this.pumpBlocked();
      if (this.out.pending === 0) break;
    }
    if (this.finishing) {
      this.dead = true;
      this.transport.end();
    }
  }

  private readonly sink = (buf: Buffer, offset: number, length: number): number => {
    const n = this.transport.write(buf, offset, length);
    if (n < 0) this.transportClosed();
    return n;
  };

  /** The socket can take more. */
  drained(): void {
    this.awaitingDrain = false;
    this.flush();
  }

  // ---- ending ----

  /** Graceful end (server shutdown): GOAWAY, then close once the open streams are done. */
  shutdown(): void {
    if (this.dead || this.goingAway) return;
    this.goingAway = true;
    writeGoaway(this.out, this.lastStreamId, ErrorCode.NO_ERROR, "");
    this.scheduleFlush();
    this.maybeFinish();
  }

  /** Closes the socket at once. */
  destroy(): void {
    if (this.dead) return;
    this.transport.terminate();
    this.transportClosed();
  }

  /** The socket closed under us (or the peer ended its side): every open stream is aborted. */
  transportClosed(): void {
    if (this.dead) return;
    this.dead = true;
    this.headerBlock = undefined;
    for (const stream of [...this.streams.values()]) this.closeStream(stream, true);
  }

  /** A connection error: GOAWAY with the reason, then close. */
  private fail(code: ErrorCodeValue, message: string, err: Error): void {
    if (this.dead) return;
    this.opts.onProtocolError?.(err);
    writeGoaway(this.out, this.lastStreamId, code, message);
    this.out.flushTo((buf, offset, length) => this.transport.write(buf, offset, length));
    this.transportClosed();
    this.transport.end();
    setTimeout(() => this.transport.terminate(), LINGER_MS).unref?.();
  }

  /** After GOAWAY either way, the connection ends with its last stream. */
  private maybeFinish(): void {
    if (this.dead || this.finishing || this.streams.size > 0 || !(this.goingAway || this.peerGoingAway)) return;
    this.finishing = true;
    this.scheduleFlush();
  }
}

/** A DATA or HEADERS payload without its padding (RFC 9113 6.1, 6.2). */
function unpad(payload: Buffer, flags: number): Buffer {
  if (!(flags & Flag.PADDED)) return payload;
  if (payload.length < 1) throw new ConnectionError(ErrorCode.FRAME_SIZE_ERROR, "padded frame without a pad length");
  const padding = payload[0]!;
  if (padding >= payload.length) throw new ConnectionError(ErrorCode.PROTOCOL_ERROR, "padding longer than the frame");
  return payload.subarray(1, payload.length - padding);
}
