/**
 * A small gRPC server on its own HTTP/2 transport (./h2) over Bun's raw TCP sockets: cleartext
 * HTTP/2 with prior knowledge, what gRPC clients use for http:// endpoints. It serves exactly
 * what the etcd API needs: unary calls, server streaming with backpressure, and long-lived
 * bidirectional streams, with clean handling of cancelled calls and dead connections. It replaced
 * a node:http2 server whose per-call stream machinery cost more than the etcd calls themselves.
 */
import type { Socket, TCPSocketListener } from "bun";
import type { Logger } from "../../log/index.ts";
import { type CallStatus, ServerCall, type StreamCall } from "./call.ts";
import { FrameDecoder } from "./framing.ts";
import { Connection } from "./h2/connection.ts";
import { ConnectionError } from "./h2/frames.ts";
import { encodeHeaders } from "./h2/hpack.ts";
import type { H2Stream } from "./h2/stream.ts";
import { GrpcError, Status } from "./status.ts";

export interface Decoder<T> {
  decode(buf: Uint8Array): T;
}
export interface Encoder<T> {
  encode(msg: T): Uint8Array;
}

export interface UnaryContext {
  /** Size of the encoded request message. */
  readonly requestBytes: number;
  /** Aborted if the client cancels or the server closes. */
  readonly signal: AbortSignal;
}

/** Listeners a bidirectional handler returns for the client's messages. */
export interface BidiHandlers<Req> {
  message(req: Req): void;
  /** The client half-closed its side; the call may go on sending. */
  end?(): void;
}

type RawCall = ServerCall;

/** A registered RPC, with its message types erased (the helpers below keep handlers typed). */
export type Method =
  | { kind: "unary"; run(message: Buffer, ctx: UnaryContext): Promise<Uint8Array> }
  | { kind: "server-stream"; start(message: Buffer, call: RawCall): void }
  | { kind: "bidi"; open(call: RawCall): BidiHandlers<Buffer> };

export function unary<Req, Res>(
  req: Decoder<Req>,
  res: Encoder<Res>,
  handle: (req: Req, ctx: UnaryContext) => Promise<Res> | Res,
): Method {
  return { kind: "unary", run: async (message, ctx) => res.encode(await handle(decodeRequest(req, message), ctx)) };
}

export function serverStream<Req, Res>(req: Decoder<Req>, res: Encoder<Res>, handle: (req: Req, call: StreamCall<Res>) => Promise<void>): Method {
  return {
    kind: "server-stream",
    start(message, raw) {
      const call = typedCall(raw, res);
      let decoded: Req;
      try {
        decoded = decodeRequest(req, message);
      } catch (err) {
        call.finish(err);
        return;
      }
      handle(decoded, call).then(
        () => call.finish(),
        (err: unknown) => call.finish(err),
      );
    },
  };
}

export function bidi<Req, Res>(req: Decoder<Req>, res: Encoder<Res>, open: (call: StreamCall<Res>) => BidiHandlers<Req>): Method {
  return {
    kind: "bidi",
    open(raw) {
      const call = typedCall(raw, res);
      const handlers = open(call);
      return {
        message(buf) {
          let decoded: Req;
          try {
            decoded = decodeRequest(req, buf);
          } catch (err) {
            call.finish(err);
            return;
          }
          handlers.message(decoded);
        },
        end: () => handlers.end?.(),
      };
    },
  };
}

function decodeRequest<T>(codec: Decoder<T>, buf: Uint8Array): T {
  try {
    return codec.decode(buf);
  } catch (err) {
    throw new GrpcError(Status.INTERNAL, `grpc: error unmarshalling request: ${(err as Error).message}`);
  }
}

/** A typed view of a call over encoded messages. */
function typedCall<Res>(raw: RawCall, codec: Encoder<Res>): StreamCall<Res> {
  return {
    get active() {
      return raw.active;
    },
    get signal() {
      return raw.signal;
    },
    send: (msg) => raw.send(codec.encode(msg)),
    drained: () => raw.drained(),
    finish: (err) => raw.finish(err),
    onClose: (fn) => raw.onClose(fn),
  };
}

export interface GrpcServerOptions {
  /** Handlers by path, "/package.Service/Method". */
  methods: Map<string, Method>;
  /** Largest request message accepted; bigger ones fail with RESOURCE_EXHAUSTED. */
  maxMessageBytes: number;
  /** The status an error thrown by a handler ends its call with. */
  toStatus(err: unknown): CallStatus;
  log: Logger;
}

/** Receive window per stream and per connection: a large request arrives without waiting on window updates. */
const WINDOW_BYTES = 4 * 1024 * 1024;
const MAX_CONCURRENT_STREAMS = 10_000;
/** How long close() lets final frames leave before cutting connections. */
const CLOSE_GRACE_MS = 50;
const STOPPED: CallStatus = { code: Status.UNAVAILABLE, message: "etcdserver: server stopped" };

type ServerSocket = Socket<Connection | undefined>;

export class GrpcServer {
  private listener: TCPSocketListener<Connection | undefined> | undefined;
  private readonly connections = new Set<Connection>();
  private readonly calls = new Set<RawCall>();
  private closing = false;
  private closed: Promise<void> | undefined;

  constructor(private readonly opts: GrpcServerOptions) {}

  /** Starts listening; resolves with the bound port (port 0 picks a free one). */
  async listen(host: string, port: number): Promise<number> {
    this.listener = Bun.listen<Connection | undefined>({
      hostname: host,
      port,
      socket: {
        open: (socket) => this.onOpen(socket),
        data: (socket, chunk) => socket.data?.receive(chunk),
        drain: (socket) => socket.data?.drained(),
        // The peer closed its side: HTTP/2 has nothing more to say on this connection.
        end: (socket) => {
          socket.data?.transportClosed();
          socket.end();
        },
        close: (socket) => {
          const conn = socket.data;
          if (!conn) return;
          conn.transportClosed();
          this.connections.delete(conn);
        },
        error: (_socket, err) => this.opts.log.v(2).info("client connection error", { err }),
      },
    });
    return this.listener.port;
  }

  /** Ends every call with UNAVAILABLE, closes every connection, stops listening. */
  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    this.closing = true;
    this.listener?.stop(false);
    for (const call of [...this.calls]) call.end(STOPPED);
    for (const conn of this.connections) conn.shutdown();
    // Give the final frames a moment to leave, then cut whatever is still open.
    const deadline = Date.now() + CLOSE_GRACE_MS;
    while (this.connections.size > 0 && Date.now() < deadline) await Bun.sleep(5);
    for (const conn of [...this.connections]) conn.destroy();
    this.connections.clear();
    this.listener?.stop(true);
  }

  private onOpen(socket: ServerSocket): void {
    if (this.closing) {
      socket.terminate();
      return;
    }
    const conn = new Connection(socket, {
      onStream: (stream) => this.onStream(stream),
      onProtocolError: (err) => this.opts.log.v(err instanceof ConnectionError ? 2 : 3).info("HTTP/2 protocol error", { err }),
      maxConcurrentStreams: MAX_CONCURRENT_STREAMS,
      windowBytes: WINDOW_BYTES,
    });
    socket.data = conn;
    this.connections.add(conn);
    conn.start();
  }

  private onStream(stream: H2Stream): void {
    const { method: httpMethod, path, contentType } = stream.request;
    if (httpMethod !== "POST" || !contentType.startsWith("application/grpc")) {
      stream.respond(httpMethod !== "POST" ? METHOD_NOT_ALLOWED : UNSUPPORTED_MEDIA_TYPE, true);
      return;
    }
    const call = new ServerCall(stream, (err) => this.opts.toStatus(err));
    this.calls.add(call);
    call.onClose(() => this.calls.delete(call));
    if (this.closing) {
      call.end(STOPPED);
      return;
    }
    const method = this.opts.methods.get(path);
    if (!method) {
      call.end(this.unknownMethod(path));
      return;
    }
    if (method.kind === "bidi") this.runBidi(stream, call, method);
    else this.runSingleRequest(stream, call, method);
  }

  /** Unary and server-streaming calls: exactly one request message, complete when the client half-closes. */
  private runSingleRequest(stream: H2Stream, call: RawCall, method: Extract<Method, { kind: "unary" | "server-stream" }>): void {
    const decoder = new FrameDecoder(this.opts.maxMessageBytes);
    let message: Buffer | undefined;
    let count = 0;
    stream.listener = {
      data: (chunk) => {
        if (!call.active) return; // Rejected: the rest of the body is dropped.
        try {
          for (const m of decoder.push(chunk)) {
            message = m;
            count++;
          }
        } catch (err) {
          call.finish(err);
        }
      },
      end: () => {
        if (!call.active) return;
        if (count !== 1 || decoder.partial || !message) {
          call.end({ code: Status.INTERNAL, message: `grpc: expected one request message, got ${count}${decoder.partial ? " and a truncated one" : ""}` });
          return;
        }
        if (method.kind === "server-stream") {
          method.start(message, call);
          return;
        }
        const ctx: UnaryContext = {
          requestBytes: message.length,
          get signal() {
            return call.signal;
          },
        };
        let result: Promise<Uint8Array>;
        try {
          result = method.run(message, ctx);
        } catch (err) {
          call.finish(err);
          return;
        }
        result.then(
          (res) => call.reply(res),
          (err: unknown) => call.finish(err),
        );
      },
    };
  }

  private runBidi(stream: H2Stream, call: RawCall, method: Extract<Method, { kind: "bidi" }>): void {
    const decoder = new FrameDecoder(this.opts.maxMessageBytes);
    let handlers: BidiHandlers<Buffer>;
    try {
      handlers = method.open(call);
    } catch (err) {
      call.finish(err);
      return;
    }
    stream.listener = {
      data: (chunk) => {
        if (!call.active) return;
        try {
          for (const m of decoder.push(chunk)) {
            handlers.message(m);
            if (!call.active) return;
          }
        } catch (err) {
          call.finish(err);
        }
      },
      end: () => {
        if (!call.active) return;
        try {
          handlers.end?.();
        } catch (err) {
          call.finish(err);
        }
      },
    };
  }

  /** grpc-go's wording, which clients show as is. */
  private unknownMethod(path: string): CallStatus {
    const match = /^\/([^/]+)\/([^/]+)$/.exec(path);
    if (!match) return { code: Status.UNIMPLEMENTED, message: `malformed method name: ${JSON.stringify(path)}` };
    const service = match[1]!;
    const known = [...this.opts.methods.keys()].some((p) => p.startsWith(`/${service}/`));
    return { code: Status.UNIMPLEMENTED, message: known ? `unknown method ${match[2]} for service ${service}` : `unknown service ${service}` };
  }
}

const METHOD_NOT_ALLOWED = encodeHeaders([[":status", "405"]]);
const UNSUPPORTED_MEDIA_TYPE = encodeHeaders([[":status", "415"]]);
