/**
 * The head of an HTTP/1.1 message read straight off a socket: what a connection that leaves
 * HTTP for another protocol (WebSocket, SPDY) says before it switches, and the replies to it.
 */
import type { Duplex } from "node:stream";

/** Heads larger than this are refused (Go's http.DefaultMaxHeaderBytes is 1 MiB; real upgrade heads are a few KB). */
export const MAX_HEAD_BYTES = 64 * 1024;

const CRLFCRLF = Buffer.from("\r\n\r\n");

export interface RequestHead {
  method: string;
  /** The request target as sent (path and query). */
  target: string;
  headers: Headers;
}

export interface ResponseHead {
  status: number;
  statusText: string;
  headers: Headers;
}

/** Index just past the blank line that ends a head, or -1 while it is incomplete. */
export function headEnd(buf: Buffer): number {
  const i = buf.indexOf(CRLFCRLF);
  return i < 0 ? -1 : i + 4;
}

function parseHeaderLines(lines: string[]): Headers {
  const headers = new Headers();
  for (const line of lines) {
    if (!line) continue;
    const colon = line.indexOf(":");
    if (colon <= 0) throw new Error(`malformed header line ${JSON.stringify(line)}`);
    headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return headers;
}

export function parseRequestHead(head: Buffer | string): RequestHead {
  const [first = "", ...rest] = head.toString("latin1").split("\r\n");
  const m = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(first);
  if (!m) throw new Error(`malformed request line ${JSON.stringify(first)}`);
  return { method: m[1]!, target: m[2]!, headers: parseHeaderLines(rest) };
}

export function parseResponseHead(head: Buffer | string): ResponseHead {
  const [first = "", ...rest] = head.toString("latin1").split("\r\n");
  const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(first);
  if (!m) throw new Error(`malformed status line ${JSON.stringify(first)}`);
  return { status: Number(m[1]), statusText: m[2]!, headers: parseHeaderLines(rest) };
}

/** Whether the request asks to switch protocols (`Connection: Upgrade` plus an `Upgrade` header). */
export function isUpgrade(headers: Headers): boolean {
  const connection = (headers.get("connection") ?? "").toLowerCase().split(",").map((s) => s.trim());
  return connection.includes("upgrade") && !!headers.get("upgrade");
}

/** Serializes a response head (and an optional body, sent with Content-Length). */
export function responseBytes(status: number, statusText: string, headers: Iterable<[string, string]>, body?: Uint8Array | string): Buffer {
  const lines = [`HTTP/1.1 ${status} ${statusText}`];
  for (const [k, v] of headers) lines.push(`${k}: ${v}`);
  const bodyBytes = body === undefined ? undefined : typeof body === "string" ? Buffer.from(body) : Buffer.from(body);
  if (bodyBytes) lines.push(`Content-Length: ${bodyBytes.length}`);
  const headBytes = Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1");
  return bodyBytes ? Buffer.concat([headBytes, bodyBytes]) : headBytes;
}

/**
 * Writes a whole HTTP response (a failed upgrade) and closes the connection once it is sent.
 * The body of a Fetch Response is read fully first.
 */
export async function writeResponse(socket: Duplex, res: Response): Promise<void> {
  const body = new Uint8Array(await res.arrayBuffer());
  const headers: Array<[string, string]> = [];
  res.headers.forEach((v, k) => {
    if (k !== "content-length" && k !== "connection" && k !== "transfer-encoding") headers.push([k, v]);
  });
  headers.push(["Connection", "close"]);
  if (socket.destroyed) return;
  socket.end(responseBytes(res.status, res.statusText || statusText(res.status), headers, body));
}

const STATUS_TEXT: Record<number, string> = {
  101: "Switching Protocols",
  200: "OK",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

export function statusText(code: number): string {
  return STATUS_TEXT[code] ?? "Status";
}

/**
 * Reads a head off a socket that is not yet read by anyone else; resolves with the head and the
 * bytes that followed it (the start of the next protocol), leaving the socket paused.
 */
export function readHead(socket: Duplex, limit = MAX_HEAD_BYTES): Promise<{ head: Buffer; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buf: Buffer = Buffer.alloc(0);
    const cleanup = () => {
      socket.off("data", onData);
      socket.off("end", onEnd);
      socket.off("close", onEnd);
      socket.off("error", onError);
    };
    const onData = (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      const end = headEnd(buf);
      if (end < 0) {
        if (buf.length > limit) {
          cleanup();
          reject(new Error("HTTP head too large"));
        }
        return;
      }
      cleanup();
      socket.pause();
      resolve({ head: buf.subarray(0, end), rest: buf.subarray(end) });
    };
    const onEnd = () => {
      cleanup();
      reject(new Error("connection closed before the HTTP head ended"));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    socket.on("data", onData);
    socket.once("end", onEnd);
    socket.once("close", onEnd);
    socket.once("error", onError);
    socket.resume();
  });
}
