/**
 * One gRPC call on an HTTP/2 stream: response headers, length-prefixed messages, trailers.
 * Headers are sent with the first message, so a call that fails before answering gets a
 * "trailers-only" response (the status in the only HEADERS frame), as gRPC servers do.
 */
import type { ServerHttp2Stream } from "node:http2";
import { encodeFrame } from "./framing.ts";
import { encodeGrpcMessage, Status, type StatusCode } from "./status.ts";

export interface CallStatus {
  code: StatusCode;
  message: string;
}

/** What a streaming handler sees of its call. */
export interface StreamCall<Res> {
  /** False once the call is over: finished, cancelled by the client, or the server is closing. */
  readonly active: boolean;
  /** Aborted when the call is over. */
  readonly signal: AbortSignal;
  /**
   * Sends one message. Returns false when it was dropped (call over) or the stream's send buffer
   * is full: a producer should then await `drained()` before producing more.
   */
  send(msg: Res): boolean;
  /** Resolves once the send buffer has room again, or the call is over. */
  drained(): Promise<void>;
  /** Ends the call: OK without an argument, otherwise the error's status. Later sends are dropped. */
  finish(err?: unknown): void;
  /** Runs `fn` once when the call is over for any reason (release watches, timers...). */
  onClose(fn: () => void): void;
}

export class ServerCall<Res> implements StreamCall<Res> {
  private headersSent = false;
  private finished = false;
  private closed = false;
  private trailers: Record<string, string> = { "grpc-status": "0" };
  /** Created on first use: most unary calls never look at their signal, and aborting costs. */
  private aborter: AbortController | undefined;
  private readonly closeHandlers: Array<() => void> = [];

  constructor(
    private readonly stream: ServerHttp2Stream,
    private readonly encode: (msg: Res) => Uint8Array,
    private readonly toStatus: (err: unknown) => CallStatus,
  ) {
    stream.once("close", () => {
      this.closed = true;
      this.runCloseHandlers();
    });
  }

  get signal(): AbortSignal {
    if (!this.aborter) {
      this.aborter = new AbortController();
      if (!this.active) this.aborter.abort();
    }
    return this.aborter.signal;
  }

  get active(): boolean {
    return !this.finished && !this.closed && !this.stream.destroyed;
  }

  onClose(fn: () => void): void {
    if (this.active) this.closeHandlers.push(fn);
    else fn();
  }

  send(msg: Res): boolean {
    if (!this.active) return false;
    const frame = encodeFrame(this.encode(msg));
    try {
      this.sendHeaders();
      return this.stream.write(frame);
    } catch {
      // The stream died under us (its 'close' has not been emitted yet): the call is over.
      return false;
    }
  }

  drained(): Promise<void> {
    if (!this.active || !this.stream.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.stream.off("drain", done);
        this.stream.off("close", done);
        resolve();
      };
      this.stream.on("drain", done);
      this.stream.on("close", done);
    });
  }

  /**
   * Sends a unary call's only message and ends it OK, in one write: headers, the message and
   * (after it) the trailers leave together instead of as separate stream writes.
   */
  reply(msg: Res): void {
    if (!this.active) return;
    this.finished = true;
    try {
      this.sendHeaders();
      this.stream.end(encodeFrame(this.encode(msg)));
    } catch {
      // The stream went away while we answered.
    }
    this.runCloseHandlers();
  }

  finish(err?: unknown): void {
    this.end(err === undefined ? { code: Status.OK, message: "" } : this.toStatus(err));
  }

  /** Ends the call with an explicit status. */
  end(status: CallStatus): void {
    if (!this.active) return;
    this.finished = true;
    const trailers: Record<string, string> = { "grpc-status": String(status.code) };
    if (status.message) trailers["grpc-message"] = encodeGrpcMessage(status.message);
    try {
      if (!this.headersSent) {
        this.headersSent = true;
        this.stream.respond({ ":status": 200, "content-type": "application/grpc", ...trailers }, { endStream: true });
      } else {
        this.trailers = trailers;
        this.stream.end();
      }
    } catch {
      // The stream went away while we answered: nobody is left to tell.
    }
    this.runCloseHandlers();
  }

  private sendHeaders(): void {
    if (this.headersSent) return;
    this.headersSent = true;
    this.stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
    this.stream.once("wantTrailers", () => {
      try {
        this.stream.sendTrailers(this.trailers);
      } catch {
        // Closed in the meantime.
      }
    });
  }

  private runCloseHandlers(): void {
    if (this.aborter && !this.aborter.signal.aborted) this.aborter.abort();
    for (const fn of this.closeHandlers.splice(0)) {
      try {
        fn();
      } catch {
        // A cleanup step failing must not keep the others from running.
      }
    }
  }
}
