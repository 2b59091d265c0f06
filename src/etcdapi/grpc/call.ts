/**
 * One gRPC call on an HTTP/2 stream: response headers, length-prefixed messages, trailers.
 * Headers are sent with the first message, so a call that fails before answering gets a
 * "trailers-only" response (the status in the only HEADERS frame), as gRPC servers do.
 */
import { encodeHeaders } from "./h2/hpack.ts";
import type { H2Stream } from "./h2/stream.ts";
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

// Header blocks are encoded once: the encoder keeps no per-connection state.
const GRPC_RESPONSE: ReadonlyArray<readonly [string, string]> = [
  [":status", "200"],
  ["content-type", "application/grpc"],
];
const RESPONSE_HEADERS = encodeHeaders(GRPC_RESPONSE);
const OK_TRAILERS = encodeHeaders([["grpc-status", "0"]]);
const OK_TRAILERS_ONLY = encodeHeaders([...GRPC_RESPONSE, ["grpc-status", "0"]]);

function statusFields(status: CallStatus): Array<[string, string]> {
  const fields: Array<[string, string]> = [["grpc-status", String(status.code)]];
  if (status.message) fields.push(["grpc-message", encodeGrpcMessage(status.message)]);
  return fields;
}

/** The 5-byte gRPC message prefix: not compressed, then the length (big-endian). */
function messagePrefix(length: number): Buffer {
  const prefix = Buffer.allocUnsafe(5);
  prefix[0] = 0;
  prefix.writeUInt32BE(length, 1);
  return prefix;
}

export class ServerCall implements StreamCall<Uint8Array> {
  private headersSent = false;
  private finished = false;
  /** Created on first use: most unary calls never look at their signal, and aborting costs. */
  private aborter: AbortController | undefined;
  private closeHandlers: Array<() => void> = [];

  constructor(
    private readonly stream: H2Stream,
    private readonly toStatus: (err: unknown) => CallStatus,
  ) {
    stream.onClose = () => this.runCloseHandlers();
  }

  get signal(): AbortSignal {
    if (!this.aborter) {
      this.aborter = new AbortController();
      if (!this.active) this.aborter.abort();
    }
    return this.aborter.signal;
  }

  get active(): boolean {
    return !this.finished && !this.stream.closed;
  }

  onClose(fn: () => void): void {
    if (this.active) this.closeHandlers.push(fn);
    else fn();
  }

  send(msg: Uint8Array): boolean {
    if (!this.active) return false;
    this.sendHeaders();
    return this.stream.write(messagePrefix(msg.length), msg);
  }

  drained(): Promise<void> {
    return this.active ? this.stream.drained() : Promise.resolve();
  }

  /** Sends a unary call's only message and ends it OK: headers, message and trailers leave together. */
  reply(msg: Uint8Array): void {
    if (!this.active) return;
    this.finished = true;
    this.sendHeaders();
    this.stream.write(messagePrefix(msg.length), msg);
    this.stream.end(OK_TRAILERS);
    this.runCloseHandlers();
  }

  finish(err?: unknown): void {
    this.end(err === undefined ? { code: Status.OK, message: "" } : this.toStatus(err));
  }

  /** Ends the call with an explicit status. */
  end(status: CallStatus): void {
    if (!this.active) return;
    this.finished = true;
    const ok = status.code === Status.OK && !status.message;
    if (!this.headersSent) {
      this.headersSent = true;
      this.stream.respond(ok ? OK_TRAILERS_ONLY : encodeHeaders([...GRPC_RESPONSE, ...statusFields(status)]), true);
    } else {
      this.stream.end(ok ? OK_TRAILERS : encodeHeaders(statusFields(status)));
    }
    this.runCloseHandlers();
  }

  private sendHeaders(): void {
    if (this.headersSent) return;
    this.headersSent = true;
    this.stream.respond(RESPONSE_HEADERS, false);
  }

  private runCloseHandlers(): void {
    if (this.aborter && !this.aborter.signal.aborted) this.aborter.abort();
    const handlers = this.closeHandlers;
    if (handlers.length === 0) return;
    this.closeHandlers = [];
    for (const fn of handlers) {
      try {
        fn();
      } catch {
        // A cleanup step failing must not keep the others from running.
      }
    }
  }
}
