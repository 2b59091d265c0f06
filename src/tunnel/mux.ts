/**
 * Many streams over one WebSocket. Each binary message is one frame:
 *
 *   type (1 byte) | stream id (4 bytes, big-endian) | payload
 *
 * OPEN carries the request (JSON), DATA one message of the stream, END a half-close, RESET an
 * abort with a reason, CREDIT a window increment. Flow control is per stream and credit based:
 * a sender may have WINDOW bytes unacknowledged; the receiver returns credit as its consumer
 * takes data (not while paused), so one slow kubectl never makes the other end buffer without
 * bound, and other streams keep flowing.
 */
import type { WebSocket } from "../httpstream/index.ts";

const OPEN = 1;
const DATA = 2;
const END = 3;
const RESET = 4;
const CREDIT = 5;

/** Bytes a sender may have in flight per stream. */
export const WINDOW = 256 * 1024;
/** Credit is returned in batches of at least this much. */
const CREDIT_BATCH = WINDOW / 4;

function frame(type: number, id: number, payload?: Uint8Array): Buffer {
  const out = Buffer.alloc(5 + (payload?.length ?? 0));
  out[0] = type;
  out.writeUInt32BE(id, 1);
  if (payload) out.set(payload, 5);
  return out;
}

export class TunnelStream {
  /** One message of the stream. */
  onData: (data: Buffer) => void = () => {};
  /** The peer will send no more. */
  onEnd: () => void = () => {};
  /** The peer aborted the stream, or the connection went away. */
  onReset: (reason: string) => void = () => {};
  /** The send window reopened after write() returned false. */
  onDrain: () => void = () => {};

  private sendWindow = WINDOW;
  private readonly queue: Buffer[] = [];
  private endQueued = false;
  private needDrain = false;
  private pendingCredit = 0;
  private paused = false;
  localEnded = false;
  remoteEnded = false;
  done = false;

  constructor(
    readonly id: number,
    private readonly session: MuxSession,
  ) {}

  /** Sends one message; false when the window is used up (wait for onDrain). */
  write(data: Uint8Array): boolean {
    if (this.done || this.localEnded) return false;
    const payload = Buffer.from(data);
    // One message may overshoot the window (messages are not split); the next one waits.
    if (this.queue.length > 0 || this.sendWindow <= 0) {
      this.queue.push(payload);
      this.needDrain = true;
      return false;
    }
    this.sendWindow -= payload.length;
    this.session.sendFrame(frame(DATA, this.id, payload));
    if (this.sendWindow > 0) return true;
    this.needDrain = true;
    return false;
  }

  /** Half-closes: no more messages from this side (sent after anything still queued). */
  end(): void {
    if (this.done || this.localEnded || this.endQueued) return;
    if (this.queue.length > 0) {
      this.endQueued = true;
      return;
    }
    this.localEnded = true;
    this.session.sendFrame(frame(END, this.id));
    this.settle();
  }

  /** Aborts the stream both ways. */
  reset(reason = ""): void {
    if (this.done) return;
    this.session.sendFrame(frame(RESET, this.id, Buffer.from(reason)));
    this.finish();
  }

  /** Stops returning credit: the peer stops sending once its window is used. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.flushCredit(true);
  }

  /** @internal */
  received(type: number, payload: Buffer): void {
    switch (type) {
      case DATA:
        if (this.remoteEnded) return;
        this.pendingCredit += payload.length;
        this.onData(payload);
        this.flushCredit(false);
        return;
      case END:
        if (this.remoteEnded) return;
        this.remoteEnded = true;
        this.onEnd();
        this.settle();
        return;
      case RESET:
        this.finish();
        this.onReset(payload.toString() || "stream reset by peer");
        return;
      case CREDIT:
        this.sendWindow += payload.readUInt32BE(0);
        this.flushQueue();
        return;
    }
  }

  /** @internal The connection is gone. */
  lost(reason: string): void {
    if (this.done) return;
    this.finish();
    this.onReset(reason);
  }

  private flushCredit(force: boolean): void {
    if (this.paused || this.done || this.pendingCredit === 0) return;
    if (!force && this.pendingCredit < CREDIT_BATCH) return;
    const p = Buffer.alloc(4);
    p.writeUInt32BE(this.pendingCredit, 0);
    this.pendingCredit = 0;
    this.session.sendFrame(frame(CREDIT, this.id, p));
  }

  private flushQueue(): void {
    while (this.queue.length > 0 && this.sendWindow > 0) {
      const next = this.queue.shift()!;
      this.sendWindow -= next.length;
      this.session.sendFrame(frame(DATA, this.id, next));
    }
    if (this.queue.length > 0) return;
    if (this.endQueued) {
      this.endQueued = false;
      this.end();
    }
    if (this.needDrain && this.sendWindow > 0) {
      this.needDrain = false;
      this.onDrain();
    }
  }

  private settle(): void {
    if (this.localEnded && this.remoteEnded) this.finish();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.queue.length = 0;
    this.session.forget(this.id);
  }
}

export interface MuxOptions {
  /** The server opens streams with odd ids, the agent (if ever) with even ones. */
  isServer: boolean;
  /** A stream the peer opened, with its request. */
  onOpen?: (stream: TunnelStream, request: unknown) => void;
  /** The connection is gone; every stream was reset. */
  onClose?: (reason: string) => void;
  /** Silence longer than this ends the connection (pings go out at a third of it). */
  idleTimeoutMs?: number;
}

export class MuxSession {
  private readonly streams = new Map<number, TunnelStream>();
  private nextId: number;
  private closed = false;
  private lastHeard = Date.now();
  private readonly keepalive: ReturnType<typeof setInterval>;

  constructor(
    private readonly ws: WebSocket,
    private readonly opts: MuxOptions,
  ) {
    this.nextId = opts.isServer ? 1 : 2;
    const idle = opts.idleTimeoutMs ?? 60_000;
    ws.onMessage = (data, binary) => this.receive(data, binary);
    ws.onPong = () => (this.lastHeard = Date.now());
    ws.onClose = (code, reason) => this.shutdown(`tunnel closed (${code}${reason ? ` ${reason}` : ""})`);
    this.keepalive = setInterval(() => {
      if (Date.now() - this.lastHeard > idle) {
        ws.destroy();
        this.shutdown("tunnel idle timeout");
      } else ws.ping();
    }, Math.max(10, Math.floor(idle / 3)));
    this.keepalive.unref();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get openStreams(): number {
    return this.streams.size;
  }

  /** Opens a stream carrying `request` to the peer. */
  open(request: unknown): TunnelStream {
    if (this.closed) throw new Error("tunnel is closed");
    const id = this.nextId;
    this.nextId += 2;
    const stream = new TunnelStream(id, this);
    this.streams.set(id, stream);
    this.sendFrame(frame(OPEN, id, Buffer.from(JSON.stringify(request))));
    return stream;
  }

  close(reason = "closing"): void {
    if (this.closed) return;
    this.ws.close(1000, reason);
    this.shutdown(reason);
  }

  /** @internal */
  sendFrame(bytes: Buffer): void {
    if (!this.closed) this.ws.send(bytes);
  }

  /** @internal */
  forget(id: number): void {
    this.streams.delete(id);
  }

  private receive(data: Buffer, binary: boolean): void {
    this.lastHeard = Date.now();
    if (!binary || data.length < 5) return;
    const type = data[0]!;
    const id = data.readUInt32BE(1);
    const payload = data.subarray(5);
    if (type === OPEN) return this.accept(id, payload);
    const stream = this.streams.get(id);
    if (stream) stream.received(type, payload);
    else if (type !== RESET && type !== CREDIT) this.sendFrame(frame(RESET, id, Buffer.from("unknown stream")));
  }

  private accept(id: number, payload: Buffer): void {
    let request: unknown;
    try {
      request = JSON.parse(payload.toString());
    } catch {
      this.sendFrame(frame(RESET, id, Buffer.from("malformed request")));
      return;
    }
    const stream = new TunnelStream(id, this);
    this.streams.set(id, stream);
    if (this.opts.onOpen) this.opts.onOpen(stream, request);
    else stream.reset("this end accepts no streams");
  }

  private shutdown(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepalive);
    const open = [...this.streams.values()];
    this.streams.clear();
    for (const s of open) s.lost(reason);
    this.opts.onClose?.(reason);
  }
}
