/**
 * A lean etcd v3 client over node:http2: unary KV calls, leases, status, and Watch streams.
 * Tests and benchmarks use it instead of a full gRPC stack; it speaks the same wire protocol as
 * etcdctl (gRPC over cleartext HTTP/2), so it also works against a real etcd.
 */
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders } from "node:http2";
import type * as M from "./proto/messages.ts";
import type { Wire } from "./proto/messages.ts";
import type { Decoder, Encoder } from "./grpc/server.ts";
import { encodeFrame, FrameDecoder } from "./grpc/framing.ts";
import { decodeGrpcMessage, Status } from "./grpc/status.ts";
import { etcdCodecs } from "./proto/codec.ts";

/** A call that ended with a non-OK gRPC status. */
export class GrpcCallError extends Error {
  constructor(
    readonly code: number,
    readonly details: string,
  ) {
    super(`gRPC status ${code}: ${details}`);
    this.name = "GrpcCallError";
  }
}

/** Responses larger than this are refused (etcd's clients allow up to 2 GiB; tests need far less). */
const MAX_RESPONSE_BYTES = 512 * 1024 * 1024;

function statusOf(headers: IncomingHttpHeaders): { code: number; message: string } | undefined {
  const raw = headers["grpc-status"];
  if (raw === undefined) return undefined;
  return { code: Number(raw), message: decodeGrpcMessage(String(headers["grpc-message"] ?? "")) };
}

export class EtcdClient {
  private readonly session: ClientHttp2Session;
  private readonly codecs = etcdCodecs();

  /** `endpoint` is host:port or an http:// URL. */
  constructor(endpoint: string) {
    const url = endpoint.startsWith("http://") ? endpoint : `http://${endpoint}`;
    this.session = http2.connect(url);
    // Errors surface on the calls; an unhandled session error must not crash the process.
    this.session.on("error", () => {});
  }

  /** Closes the connection: calls still open (watch streams) are cut after a short grace period. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.session.closed || this.session.destroyed) return resolve();
      const timer = setTimeout(() => {
        this.session.destroy();
        resolve();
      }, 100);
      this.session.close(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Any unary call: encodes the request, returns the decoded response or throws GrpcCallError. */
  call<Req, Res>(path: string, reqCodec: Encoder<Req>, resCodec: Decoder<Res>, req: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      const stream = this.open(path);
      const decoder = new FrameDecoder(MAX_RESPONSE_BYTES);
      const messages: Buffer[] = [];
      let status: { code: number; message: string } | undefined;
      stream.on("response", (headers) => (status ??= statusOf(headers)));
      stream.on("trailers", (trailers) => (status ??= statusOf(trailers)));
      stream.on("data", (chunk: Buffer) => messages.push(...decoder.push(chunk)));
      stream.on("error", (err) => reject(err));
      stream.on("close", () => {
        if (!status) return reject(new GrpcCallError(Status.INTERNAL, `stream closed without a status (rst ${stream.rstCode})`));
        if (status.code !== Status.OK) return reject(new GrpcCallError(status.code, status.message));
        if (messages.length !== 1) return reject(new GrpcCallError(Status.INTERNAL, `expected one response, got ${messages.length}`));
        try {
          resolve(resCodec.decode(messages[0]!));
        } catch (err) {
          reject(err);
        }
      });
      stream.end(encodeFrame(reqCodec.encode(req)));
    });
  }

  range(req: Wire<M.RangeRequest>): Promise<M.RangeResponse> {
    return this.call("/etcdserverpb.KV/Range", this.codecs.RangeRequest, this.codecs.RangeResponse, req);
  }
  put(req: Wire<M.PutRequest>): Promise<M.PutResponse> {
    return this.call("/etcdserverpb.KV/Put", this.codecs.PutRequest, this.codecs.PutResponse, req);
  }
  deleteRange(req: Wire<M.DeleteRangeRequest>): Promise<M.DeleteRangeResponse> {
    return this.call("/etcdserverpb.KV/DeleteRange", this.codecs.DeleteRangeRequest, this.codecs.DeleteRangeResponse, req);
  }
  txn(req: Wire<M.TxnRequest>): Promise<M.TxnResponse> {
    return this.call("/etcdserverpb.KV/Txn", this.codecs.TxnRequest, this.codecs.TxnResponse, req);
  }
  compact(req: Wire<M.CompactionRequest>): Promise<M.HeaderOnly> {
    return this.call("/etcdserverpb.KV/Compact", this.codecs.CompactionRequest, this.codecs.CompactionResponse, req);
  }
  leaseGrant(req: Wire<M.LeaseGrantRequest>): Promise<M.LeaseGrantResponse> {
    return this.call("/etcdserverpb.Lease/LeaseGrant", this.codecs.LeaseGrantRequest, this.codecs.LeaseGrantResponse, req);
  }
  status(): Promise<M.StatusResponse> {
    return this.call("/etcdserverpb.Maintenance/Status", this.codecs.StatusRequest, this.codecs.StatusResponse, {});
  }

  /** Opens a Watch stream; send create/cancel/progress requests on it and iterate its responses. */
  watch(): WatchStream {
    return new WatchStream(this.open("/etcdserverpb.Watch/Watch"), this.codecs);
  }

  private open(path: string): ClientHttp2Stream {
    return this.session.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers" });
  }
}

/** A client Watch stream: responses are queued until read. */
export class WatchStream implements AsyncIterable<M.WatchResponse> {
  private readonly queue: M.WatchResponse[] = [];
  private waiter: (() => void) | undefined;
  private ended = false;
  /** The call's final status, once the server ended it. */
  status: { code: number; message: string } | undefined;
  private readonly encoder: Encoder<Wire<M.WatchRequest>>;

  constructor(
    private readonly stream: ClientHttp2Stream,
    codecs: ReturnType<typeof etcdCodecs>,
  ) {
    this.encoder = codecs.WatchRequest;
    const decoder = new FrameDecoder(MAX_RESPONSE_BYTES);
    stream.on("response", (headers) => (this.status ??= statusOf(headers)));
    stream.on("trailers", (trailers) => (this.status ??= statusOf(trailers)));
    stream.on("data", (chunk: Buffer) => {
      for (const m of decoder.push(chunk)) this.queue.push(codecs.WatchResponse.decode(m));
      this.wake();
    });
    stream.on("error", () => {});
    stream.on("close", () => {
      this.ended = true;
      this.wake();
    });
  }

  send(req: Wire<M.WatchRequest>): void {
    this.stream.write(encodeFrame(this.encoder.encode(req)));
  }

  /** The next response, or undefined if none arrives within `timeoutMs` or the stream ended. */
  async next(timeoutMs = 5000): Promise<M.WatchResponse | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length === 0 && !this.ended) {
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
    return this.queue.shift();
  }

  /** Whether the server ended the stream. */
  get closed(): boolean {
    return this.ended;
  }

  /** Stops reading: HTTP/2 flow control then holds the server back (tests of slow readers). */
  pause(): void {
    this.stream.pause();
  }

  resume(): void {
    this.stream.resume();
  }

  /** Cancels the call (RST_STREAM), as a client going away does. */
  cancel(): void {
    this.stream.close(http2.constants.NGHTTP2_CANCEL);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<M.WatchResponse> {
    for (;;) {
      const res = await this.next(2 ** 31 - 1);
      if (!res) return;
      yield res;
    }
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}
