/**
 * Switching a request to SPDY/3.1 as k8s.io/apimachinery's httpstream does: the client lists
 * the protocol versions it speaks in X-Stream-Protocol-Version, the server picks the first it
 * also speaks and answers 101 with `Upgrade: SPDY/3.1`. The session may also run inside a
 * WebSocket (kubectl 1.30+ port-forward: SPDY bytes in binary messages).
 */
import type { Duplex } from "node:stream";
import { responseBytes, type WebSocket } from "../../httpstream/index.ts";
import { SpdyServerSession } from "../../httpstream/spdy/index.ts";
import { ApiError, errors } from "../api/errors.ts";

export const STREAM_PROTOCOL_HEADER = "X-Stream-Protocol-Version";

export function isSpdyUpgrade(headers: Headers): boolean {
  return (headers.get("upgrade") ?? "").toLowerCase() === "spdy/3.1";
}

/** Every version the client offered, across repeated and comma-separated headers. */
export function clientStreamProtocols(headers: Headers): string[] {
  return (headers.get(STREAM_PROTOCOL_HEADER) ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
}

/** The first client protocol the server speaks; 400 when none offered, 403 when none fits (upstream's Handshake). */
export function negotiateStreamProtocol(headers: Headers, server: string[]): string {
  const client = clientStreamProtocols(headers);
  if (client.length === 0) throw errors.badRequest(`unable to upgrade: ${STREAM_PROTOCOL_HEADER} is required`);
  const chosen = client.find((p) => server.includes(p));
  if (!chosen) throw new ApiError(403, "Forbidden", `unable to upgrade: unable to negotiate protocol: client supports [${client.join(" ")}], server supports [${server.join(" ")}]`);
  return chosen;
}

/** Answers 101 and runs a SPDY session on the socket. */
export function acceptSpdy(socket: Duplex, rest: Buffer, protocol: string): SpdyServerSession {
  socket.write(
    responseBytes(101, "Switching Protocols", [
      ["Connection", "Upgrade"],
      ["Upgrade", "SPDY/3.1"],
      [STREAM_PROTOCOL_HEADER, protocol],
    ]),
  );
  const session = new SpdyServerSession({
    write: (b) => socket.write(b),
    end: () => socket.end(),
    pause: () => socket.pause(),
    resume: () => socket.resume(),
  });
  socket.on("data", (chunk: Buffer) => session.receive(chunk));
  socket.on("drain", () => session.drained());
  socket.on("close", () => session.transportClosed());
  socket.on("end", () => socket.end());
  socket.on("error", () => socket.destroy());
  session.onClose = () => setTimeout(() => socket.destroy(), 5_000).unref();
  if (rest.length > 0) queueMicrotask(() => session.receive(rest));
  socket.resume();
  return session;
}

/** A SPDY session whose bytes travel in the binary messages of a WebSocket. */
export function spdyOverWebSocket(ws: WebSocket): SpdyServerSession {
  const session = new SpdyServerSession({
    write: (b) => ws.send(b, true),
    end: () => ws.close(),
    pause: () => ws.pause(),
    resume: () => ws.resume(),
  });
  ws.onMessage = (data, binary) => {
    // Text messages are a protocol error for the tunneling client (tunneling_connection.go).
    if (binary) session.receive(data);
    else session.close();
  };
  ws.onDrain = () => session.drained();
  ws.onClose = () => session.transportClosed();
  return session;
}
