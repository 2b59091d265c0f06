/**
 * RFC 6455 WebSocket over any byte stream (a TLS socket the API server took over, or the agent's
 * own connection): the opening handshake for both roles, framing with masking and continuation
 * frames, ping/pong, and the closing handshake. Messages are delivered whole.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Duplex } from "node:stream";
import { headEnd, parseResponseHead, responseBytes, type ResponseHead } from "./http-head.ts";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

/** Close codes used here (RFC 6455 section 7.4.1). */
export const CLOSE_NORMAL = 1000;
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_PROTOCOL_ERROR = 1002;
export const CLOSE_TOO_BIG = 1009;
export const CLOSE_INTERNAL = 1011;
/** No close frame was received (the connection just went away). */
export const CLOSE_ABNORMAL = 1006;

/** How long a close handshake may take before the connection is dropped. */
const CLOSE_TIMEOUT_MS = 5_000;

export interface WebSocketOptions {
  /** The client masks what it sends; the server does not. */
  client: boolean;
  /** Bytes already read after the opening handshake. */
  head?: Buffer;
  /** Larger messages close the connection with 1009. */
  maxMessageBytes?: number;
}

export class WebSocket {
  /** A whole message arrived. Messages that come before a handler is set wait for it. */
  get onMessage(): (data: Buffer, binary: boolean) => void {
    return this.messageHandler ?? (() => {});
  }

  set onMessage(handler: (data: Buffer, binary: boolean) => void) {
    this.messageHandler = handler;
    for (const [data, binary] of this.early.splice(0)) handler(data, binary);
  }

  /** The connection is gone (after a close handshake, or 1006 when it just dropped). Called once. */
  onClose: (code: number, reason: string) => void = () => {};
  onPong: () => void = () => {};
  /** The socket's write buffer emptied after send() returned false. */
  onDrain: () => void = () => {};

  private messageHandler: ((data: Buffer, binary: boolean) => void) | undefined;
  private readonly early: Array<[Buffer, boolean]> = [];
  private buf: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] | undefined;
  private fragmentBinary = true;
  private fragmentBytes = 0;
  private closeSent = false;
  private finished = false;
  private readonly maxMessageBytes: number;

  constructor(
    readonly socket: Duplex,
    private readonly opts: WebSocketOptions,
  ) {
    this.maxMessageBytes = opts.maxMessageBytes ?? 32 * 1024 * 1024;
    socket.on("data", (chunk: Buffer) => this.receive(chunk));
    socket.on("drain", () => this.onDrain());
    socket.on("end", () => {
      // The peer stopped sending without a close frame: nothing more can be said.
      if (!this.finished) socket.end();
    });
    socket.on("close", () => this.finish(CLOSE_ABNORMAL, ""));
    socket.on("error", () => socket.destroy());
    if (opts.head && opts.head.length > 0) this.receive(opts.head);
    socket.resume();
  }

  get closed(): boolean {
    return this.closeSent || this.finished;
  }

  /** Sends one message; false means the socket buffers and the sender should wait for onDrain. */
  send(data: Uint8Array | string, binary = typeof data !== "string"): boolean {
    if (this.closed) return false;
    const payload = typeof data === "string" ? Buffer.from(data) : data;
    return this.writeFrame(binary ? OP_BINARY : OP_TEXT, payload);
  }

  ping(data: Uint8Array = new Uint8Array(0)): void {
    if (!this.closed) this.writeFrame(OP_PING, data);
  }

  /** Starts the closing handshake; the socket ends when the peer answers (or after a timeout). */
  close(code = CLOSE_NORMAL, reason = ""): void {
    if (this.closeSent || this.finished) return;
    this.closeSent = true;
    const r = Buffer.from(reason).subarray(0, 123);
    const payload = Buffer.alloc(2 + r.length);
    payload.writeUInt16BE(code, 0);
    r.copy(payload, 2);
    this.writeFrame(OP_CLOSE, payload);
    setTimeout(() => this.socket.destroy(), CLOSE_TIMEOUT_MS).unref();
  }

  /** Drops the connection at once. */
  destroy(): void {
    this.socket.destroy();
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  private finish(code: number, reason: string): void {
    if (this.finished) return;
    this.finished = true;
    this.onClose(code, reason);
  }

  private writeFrame(opcode: number, payload: Uint8Array): boolean {
    const len = payload.length;
    const mask = this.opts.client;
    const lenBytes = len < 126 ? 0 : len < 65536 ? 2 : 8;
    const header = Buffer.alloc(2 + lenBytes + (mask ? 4 : 0));
    header[0] = 0x80 | opcode;
    header[1] = (mask ? 0x80 : 0) | (lenBytes === 0 ? len : lenBytes === 2 ? 126 : 127);
    if (lenBytes === 2) header.writeUInt16BE(len, 2);
    else if (lenBytes === 8) header.writeBigUInt64BE(BigInt(len), 2);
    if (!mask) {
      this.socket.write(header);
      return this.socket.write(payload);
    }
    const key = randomBytes(4);
    key.copy(header, 2 + lenBytes);
    const masked = Buffer.from(payload);
    for (let i = 0; i < masked.length; i++) masked[i]! ^= key[i & 3]!;
    return this.socket.write(Buffer.concat([header, masked]));
  }

  private receive(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    while (!this.finished) {
      const frame = this.nextFrame();
      if (!frame) return;
      this.handleFrame(frame.fin, frame.opcode, frame.payload);
    }
  }

  /** Takes one whole frame off the buffer, unmasked. */
  private nextFrame(): { fin: boolean; opcode: number; payload: Buffer } | undefined {
    const b = this.buf;
    if (b.length < 2) return undefined;
    const fin = (b[0]! & 0x80) !== 0;
    const opcode = b[0]! & 0x0f;
    const masked = (b[1]! & 0x80) !== 0;
    let len = b[1]! & 0x7f;
    let offset = 2;
    if (len === 126) {
      if (b.length < 4) return undefined;
      len = b.readUInt16BE(2);
      offset = 4;
    } else if (len === 127) {
      if (b.length < 10) return undefined;
      const big = b.readBigUInt64BE(2);
      if (big > BigInt(this.maxMessageBytes)) {
        this.protocolError(CLOSE_TOO_BIG, "message too big");
        return undefined;
      }
      len = Number(big);
      offset = 10;
    }
    const maskAt = offset;
    if (masked) offset += 4;
    if (b.length < offset + len) return undefined;
    const payload = Buffer.from(b.subarray(offset, offset + len));
    if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= b[maskAt + (i & 3)]!;
    this.buf = b.subarray(offset + len);
    return { fin, opcode, payload };
  }

  private handleFrame(fin: boolean, opcode: number, payload: Buffer): void {
    switch (opcode) {
      case OP_PING:
        if (!this.closed) this.writeFrame(OP_PONG, payload);
        return;
      case OP_PONG:
        this.onPong();
        return;
      case OP_CLOSE: {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        const reason = payload.length > 2 ? payload.subarray(2).toString() : "";
        if (!this.closeSent) {
          this.closeSent = true;
          const echo = Buffer.alloc(2);
          echo.writeUInt16BE(code === 1005 ? CLOSE_NORMAL : code, 0);
          this.writeFrame(OP_CLOSE, echo);
        }
        this.socket.end();
        this.finish(code, reason);
        return;
      }
      case OP_TEXT:
      case OP_BINARY:
        if (this.fragments) return this.protocolError(CLOSE_PROTOCOL_ERROR, "new message inside a fragmented one");
        if (fin) return this.deliver(payload, opcode === OP_BINARY);
        this.fragments = [payload];
        this.fragmentBytes = payload.length;
        this.fragmentBinary = opcode === OP_BINARY;
        return;
      case OP_CONTINUATION: {
        if (!this.fragments) return this.protocolError(CLOSE_PROTOCOL_ERROR, "continuation without a message");
        this.fragments.push(payload);
        this.fragmentBytes += payload.length;
        if (this.fragmentBytes > this.maxMessageBytes) return this.protocolError(CLOSE_TOO_BIG, "message too big");
        if (!fin) return;
        const whole = Buffer.concat(this.fragments);
        this.fragments = undefined;
        this.deliver(whole, this.fragmentBinary);
        return;
      }
      default:
        this.protocolError(CLOSE_PROTOCOL_ERROR, `unknown opcode ${opcode}`);
    }
  }

  private deliver(data: Buffer, binary: boolean): void {
    if (this.messageHandler) this.messageHandler(data, binary);
    else this.early.push([data, binary]);
  }

  private protocolError(code: number, reason: string): void {
    this.close(code, reason);
    this.socket.end();
    this.finish(code, reason);
  }
}

/** Sec-WebSocket-Accept for a client's Sec-WebSocket-Key. */
export function acceptKey(key: string): string {
  return createHash("sha1").update(key + GUID).digest("base64");
}

/** Whether the request is a WebSocket opening handshake. */
export function isWebSocketRequest(headers: Headers): boolean {
  return (headers.get("upgrade") ?? "").toLowerCase() === "websocket" && !!headers.get("sec-websocket-key");
}

/** The subprotocols the client offered, in its order. */
export function offeredProtocols(headers: Headers): string[] {
  return (headers.get("sec-websocket-protocol") ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
}

/** Completes the server side of the opening handshake and returns the connection. */
export function acceptWebSocket(socket: Duplex, headers: Headers, protocol: string | undefined, rest: Buffer, maxMessageBytes?: number): WebSocket {
  const reply: Array<[string, string]> = [
    ["Upgrade", "websocket"],
    ["Connection", "Upgrade"],
    ["Sec-WebSocket-Accept", acceptKey(headers.get("sec-websocket-key") ?? "")],
  ];
  if (protocol) reply.push(["Sec-WebSocket-Protocol", protocol]);
  socket.write(responseBytes(101, "Switching Protocols", reply));
  return new WebSocket(socket, { client: false, head: rest, maxMessageBytes });
}

/** The server refused the opening handshake: its status and body. */
export class UpgradeRefusedError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`upgrade refused with ${status}: ${body.slice(0, 500)}`);
  }
}

export interface ClientHandshakeOptions {
  host: string;
  path: string;
  protocols?: string[];
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** The client side of the opening handshake over an open socket. */
export function connectWebSocket(socket: Duplex, opts: ClientHandshakeOptions): Promise<{ ws: WebSocket; protocol?: string }> {
  const key = randomBytes(16).toString("base64");
  const lines = [`GET ${opts.path} HTTP/1.1`, `Host: ${opts.host}`, "Upgrade: websocket", "Connection: Upgrade", `Sec-WebSocket-Key: ${key}`, "Sec-WebSocket-Version: 13"];
  if (opts.protocols?.length) lines.push(`Sec-WebSocket-Protocol: ${opts.protocols.join(", ")}`);
  for (const [k, v] of Object.entries(opts.headers ?? {})) lines.push(`${k}: ${v}`);
  socket.write(`${lines.join("\r\n")}\r\n\r\n`);
  return new Promise((resolve, reject) => {
    let buf: Buffer = Buffer.alloc(0);
    let head: ResponseHead | undefined;
    let bodyStart = 0;
    const timer = setTimeout(() => fail(new Error("WebSocket handshake timed out")), opts.timeoutMs ?? 30_000);
    const cleanup = () => {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("close", onClose);
      socket.off("error", fail);
    };
    function fail(err: Error) {
      cleanup();
      socket.destroy();
      reject(err);
    }
    const refused = () => fail(new UpgradeRefusedError(head!.status, buf.subarray(bodyStart).toString()));
    const onClose = () => (head ? refused() : fail(new Error("connection closed during the WebSocket handshake")));
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (!head) {
        const end = headEnd(buf);
        if (end < 0) return;
        head = parseResponseHead(buf.subarray(0, end));
        bodyStart = end;
        if (head.status === 101) {
          cleanup();
          socket.pause();
          if (head.headers.get("sec-websocket-accept") !== acceptKey(key)) return fail(new Error("bad Sec-WebSocket-Accept"));
          const protocol = head.headers.get("sec-websocket-protocol") ?? undefined;
          resolve({ ws: new WebSocket(socket, { client: true, head: buf.subarray(end) }), protocol });
          return;
        }
      }
      const length = Number(head.headers.get("content-length") ?? NaN);
      if (Number.isFinite(length) && buf.length - bodyStart >= length) refused();
    };
    socket.on("data", onData);
    socket.once("close", onClose);
    socket.once("error", fail);
  });
}
