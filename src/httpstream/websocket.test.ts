/**
 * The WebSocket implementation against itself and against raw frames on loopback sockets:
 * handshake, masking, large and fragmented messages, ping/pong, the close handshake, and a
 * refused upgrade.
 */
import { afterEach, expect, test } from "bun:test";
import { connect, createServer, type Server, type Socket } from "node:net";
import { acceptWebSocket, connectWebSocket, isWebSocketRequest, parseRequestHead, readHead, responseBytes, UpgradeRefusedError, type WebSocket } from "./index.ts";

let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

/** A loopback server that accepts one WebSocket (or refuses it) and hands it to `onOpen`. */
async function listen(onOpen: (ws: WebSocket) => void, refuse = false): Promise<number> {
  server = createServer(async (socket) => {
    const { head, rest } = await readHead(socket);
    const req = parseRequestHead(head);
    if (refuse || !isWebSocketRequest(req.headers)) {
      socket.end(responseBytes(403, "Forbidden", [["Content-Type", "application/json"]], '{"message":"no"}'));
      return;
    }
    onOpen(acceptWebSocket(socket, req.headers, req.headers.get("sec-websocket-protocol")?.split(",")[0]?.trim(), rest));
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return (server!.address() as { port: number }).port;
}

function dial(port: number): Promise<Socket> {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1", () => resolve(s));
  });
}

function nextMessage(ws: WebSocket): Promise<{ data: Buffer; binary: boolean }> {
  return new Promise((resolve) => (ws.onMessage = (data, binary) => resolve({ data, binary })));
}

test("echoes text and binary messages of every length class, with the chosen subprotocol", async () => {
  const port = await listen((ws) => (ws.onMessage = (data, binary) => ws.send(data, binary)));
  const { ws, protocol } = await connectWebSocket(await dial(port), { host: "localhost", path: "/x", protocols: ["v5.channel.k8s.io", "other"] });
  expect(protocol).toBe("v5.channel.k8s.io");
  for (const size of [0, 1, 125, 126, 65535, 65536, 1_000_000]) {
    const payload = Buffer.alloc(size, size % 251);
    const got = nextMessage(ws);
    ws.send(payload);
    const echoed = await got;
    expect(echoed.binary).toBe(true);
    expect(echoed.data.equals(payload)).toBe(true);
  }
  const text = nextMessage(ws);
  ws.send("héllo", false);
  expect(await text).toEqual({ data: Buffer.from("héllo"), binary: false });
  ws.close();
});

test("reassembles fragmented messages with control frames in between, and answers pings", async () => {
  const received = Promise.withResolvers<Buffer>();
  const port = await listen((ws) => (ws.onMessage = (data) => received.resolve(data)));
  const socket = await dial(port);
  const key = "dGhlIHNhbXBsZSBub25jZQ==";
  socket.write(`GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  const { head, rest } = await readHead(socket);
  expect(head.toString()).toContain("101 Switching Protocols");
  expect(head.toString()).toContain("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  const mask = Buffer.from([1, 2, 3, 4]);
  const frame = (first: number, payload: Buffer) => Buffer.concat([Buffer.from([first, 0x80 | payload.length]), mask, payload.map((b, i) => b ^ mask[i % 4]!)]);
  let replies: Buffer = rest;
  socket.on("data", (c: Buffer) => (replies = Buffer.concat([replies, c])));
  socket.resume();
  // "abc" (binary, not final) + ping + "def" (continuation, final).
  socket.write(Buffer.concat([frame(0x02, Buffer.from("abc")), frame(0x89, Buffer.from("p!")), frame(0x80, Buffer.from("def"))]));
  expect((await received.promise).toString()).toBe("abcdef");
  for (let i = 0; i < 100 && replies.length < 4; i++) await Bun.sleep(10);
  // The pong: unmasked, same payload.
  expect([...replies.subarray(0, 4)]).toEqual([0x8a, 2, 0x70, 0x21]);
  socket.destroy();
});

test("the close handshake reports the peer's code to both ends", async () => {
  const serverClosed = Promise.withResolvers<number>();
  const port = await listen((ws) => (ws.onClose = (code) => serverClosed.resolve(code)));
  const { ws } = await connectWebSocket(await dial(port), { host: "localhost", path: "/" });
  const clientClosed = new Promise<number>((r) => (ws.onClose = (code) => r(code)));
  ws.close(1000, "bye");
  expect(await serverClosed.promise).toBe(1000);
  expect(await clientClosed).toBe(1000);
});

test("a refused upgrade rejects with the server's status and body", async () => {
  const port = await listen(() => undefined, true);
  const err = await connectWebSocket(await dial(port), { host: "localhost", path: "/" }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(UpgradeRefusedError);
  expect((err as UpgradeRefusedError).status).toBe(403);
  expect((err as UpgradeRefusedError).body).toBe('{"message":"no"}');
});
