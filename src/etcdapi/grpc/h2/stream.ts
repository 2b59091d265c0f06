/**
 * One HTTP/2 stream as the server sees it: the request's headers, the client's DATA as it
 * arrives, and the response going out (headers, DATA held back by flow control, trailers).
 *
 * States (RFC 9113 5.1), tracked as two halves: `remoteOpen` (the client may still send) and
 * `localOpen` (we may still send). A stream is open with both, half-closed with one, and closed,
 * and forgotten by its connection, when both are done or either side resets it.
 */
import { StreamError, ErrorCode, type ErrorCodeValue } from "./frames.ts";
import { ReceiveWindow, SendWindow } from "./flow.ts";

/** Response bytes a stream may hold back before a producer is asked to wait (`write` -> false). */
export const STREAM_HIGH_WATER = 64 * 1024;

export interface RequestHeaders {
  method: string;
  path: string;
  scheme: string;
  authority: string;
  contentType: string;
  /** Every field as received, names and values alternating, pseudo-headers included. */
  fields: string[];
}

/** What the request's receiver hears of the client's side. */
export interface StreamListener {
  /** A piece of the request body: one DATA frame's payload, padding removed. */
  data(chunk: Buffer): void;
  /** The client finished sending (END_STREAM). */
  end(): void;
}

/** What a stream asks of its connection. */
export interface StreamHost {
  sendHeaders(stream: H2Stream, block: Uint8Array, endStream: boolean): void;
  /** Sends what flow control allows of the stream's queued data, then its end if due. */
  pump(stream: H2Stream): void;
  resetStream(streamId: number, code: ErrorCodeValue): void;
}

export class H2Stream {
  listener: StreamListener | undefined;
  /** Runs once when the stream is over, however it ended (see `closed`). */
  onClose: (() => void) | undefined;

  remoteOpen = true;
  localOpen = true;
  /** Over: both sides ended, reset by either side, or the connection is gone. */
  closed = false;
  /** Set when the client reset the stream or the connection died: the response was not delivered. */
  aborted = false;

  readonly sendWindow: SendWindow;
  readonly receiveWindow: ReceiveWindow;

  /** Response bytes waiting for flow-control window (or for the socket to drain). */
  private readonly queue: Uint8Array[] = [];
  /** How much of queue[0] has been sent. */
  private queueOffset = 0;
  queued = 0;
  /** What ends the response once the queue is empty: a trailer block, or an empty END_STREAM DATA. */
  ending: { trailers: Uint8Array | undefined } | undefined;
  private drainWaiters: Array<() => void> = [];

  constructor(
    readonly id: number,
    readonly request: RequestHeaders,
    private readonly host: StreamHost,
    peerInitialWindow: number,
    ourInitialWindow: number,
  ) {
    this.sendWindow = new SendWindow(peerInitialWindow);
    this.receiveWindow = new ReceiveWindow(ourInitialWindow);
  }

  /** Sends the response headers; with `endStream`, they are the whole response (e.g. trailers-only). */
  respond(block: Uint8Array, endStream: boolean): void {
    if (!this.localOpen || this.closed) return;
    this.host.sendHeaders(this, block, endStream);
  }

  /**
   * Queues response bytes (one piece, or two: a gRPC message's prefix and body, without joining
   * them) and sends what flow control allows. Returns false when the stream is over or too much
   * is held back: a producer should then wait for `drained()`.
   */
  write(head: Uint8Array, body?: Uint8Array): boolean {
    if (!this.localOpen || this.closed || this.ending) return false;
    this.queue.push(head);
    this.queued += head.length;
    if (body) {
      this.queue.push(body);
      this.queued += body.length;
    }
    this.host.pump(this);
    return this.queued < STREAM_HIGH_WATER;
  }

  /** Ends the response after the queued data: with trailers, or with an empty END_STREAM DATA frame. */
  end(trailers?: Uint8Array): void {
    if (!this.localOpen || this.closed || this.ending) return;
    this.ending = { trailers };
    this.host.pump(this);
  }

  /** Abandons the stream, telling the client with RST_STREAM. */
  reset(code: ErrorCodeValue = ErrorCode.CANCEL): void {
    if (!this.closed) this.host.resetStream(this.id, code);
  }

  get needsDrain(): boolean {
    return !this.closed && this.queued >= STREAM_HIGH_WATER;
  }

  /** Resolves once the held-back data is below the high-water mark again, or the stream is over. */
  drained(): Promise<void> {
    if (!this.needsDrain) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  // ---- for the connection ----

  /** Copies `n` queued bytes to `dst` at `offset` (a DATA frame's payload). */
  takeQueued(dst: Buffer, offset: number, n: number): void {
    this.queued -= n;
    while (n > 0) {
      const head = this.queue[0]!;
      const take = Math.min(n, head.length - this.queueOffset);
      dst.set(take === head.length ? head : head.subarray(this.queueOffset, this.queueOffset + take), offset);
      offset += take;
      n -= take;
      if (this.queueOffset + take === head.length) {
        this.queue.shift();
        this.queueOffset = 0;
      } else {
        this.queueOffset += take;
      }
    }
  }

  /** Called by the connection after sending some of the queue. */
  notifyDrained(): void {
    if (this.drainWaiters.length === 0 || this.needsDrain) return;
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  /** Called once by the connection when the stream is over. */
  markClosed(aborted: boolean): void {
    this.closed = true;
    this.aborted = aborted;
    this.localOpen = false;
    this.remoteOpen = false;
    this.queue.length = 0;
    this.queued = 0;
    this.notifyDrained();
    this.onClose?.();
  }
}

/** Headers a request may not carry in HTTP/2 (RFC 9113 8.2.2). */
const CONNECTION_SPECIFIC = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"]);
const UPPERCASE = /[A-Z]/;

/** Checks a request's header list (RFC 9113 8.3.1); a malformed one is a stream error. */
export function parseRequestHeaders(streamId: number, fields: string[]): RequestHeaders {
  const req: RequestHeaders = { method: "", path: "", scheme: "", authority: "", contentType: "", fields };
  const malformed = (why: string) => new StreamError(streamId, ErrorCode.PROTOCOL_ERROR, `malformed request: ${why}`);
  let regular = false;
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i]!;
    const value = fields[i + 1]!;
    if (name.charCodeAt(0) === 0x3a) {
      if (regular) throw malformed(`${name} after a regular header`);
      const key = name === ":method" ? "method" : name === ":path" ? "path" : name === ":scheme" ? "scheme" : name === ":authority" ? "authority" : undefined;
      if (!key) throw malformed(`unknown pseudo-header ${name}`);
      if (req[key] !== "") throw malformed(`repeated ${name}`);
      req[key] = value;
      continue;
    }
    regular = true;
    if (name === "content-type") req.contentType = value;
    else if (name === "te" && value !== "trailers") throw malformed(`te: ${value}`);
    else if (UPPERCASE.test(name)) throw malformed(`uppercase header name ${name}`);
    else if (CONNECTION_SPECIFIC.has(name)) throw malformed(`connection-specific header ${name}`);
  }
  if (req.method === "") throw malformed("no :method");
  if (req.method !== "CONNECT" && (req.path === "" || req.scheme === "")) throw malformed("no :path or :scheme");
  return req;
}
