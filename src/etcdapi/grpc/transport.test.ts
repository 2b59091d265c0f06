/**
 * The gRPC server's own HTTP/2 transport against real clients over real sockets: flow control
 * with a tiny client window, cancellation, dead connections, garbage, and shutdown.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import http2 from "node:http2";
import { startTestCluster, type TestCluster } from "../testing.ts";
import { etcdCodecs } from "../proto/codec.ts";
import { encodeFrame, FrameDecoder } from "./framing.ts";
import { CLIENT_PREFACE, ErrorCode, FrameType } from "./h2/frames.ts";
import { frame, parseFrames, settingsFrame } from "./h2/testing.ts";
import { Status } from "./status.ts";

const codecs = etcdCodecs();
const enc = (s: string) => Buffer.from(s);
const GRPC = { ":method": "POST", "content-type": "application/grpc", te: "trailers" };

let c: TestCluster;
beforeAll(async () => {
  c = await startTestCluster();
});
afterAll(async () => {
  await c.dispose();
});

async function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await Bun.sleep(10);
  }
}

/** One unary call over a given session; resolves with the response messages and the status. */
function unary(session: http2.ClientHttp2Session, path: string, body: Buffer): Promise<{ messages: Buffer[]; status: string | undefined; bytes: number }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ...GRPC, ":path": path });
    const dec = new FrameDecoder(64 << 20);
    const messages: Buffer[] = [];
    let status: string | undefined;
    let bytes = 0;
    stream.on("response", (h) => (status ??= h["grpc-status"] as string | undefined));
    stream.on("trailers", (t) => (status ??= t["grpc-status"] as string | undefined));
    stream.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      messages.push(...dec.push(chunk));
    });
    stream.on("error", reject);
    stream.on("close", () => resolve({ messages, status, bytes }));
    stream.end(body);
  });
}

describe("flow control", () => {
  test("a 1,000-key range (~330 KB) reaches a client whose window is 1 KiB, whole", async () => {
    const value = Buffer.alloc(300, 0x61);
    for (let i = 0; i < 1000; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, j) => c.client().put({ key: enc(`/flow/key-${String(i + j).padStart(4, "0")}`), value })),
      );
    }
    const session = http2.connect(`http://${c.endpoint}`, { settings: { initialWindowSize: 1024 } });
    session.on("error", () => {});
    try {
      const req = encodeFrame(codecs.RangeRequest.encode({ key: enc("/flow/"), range_end: enc("/flow0") }));
      const [a, b] = await Promise.all([unary(session, "/etcdserverpb.KV/Range", req), unary(session, "/etcdserverpb.KV/Range", req)]);
      for (const res of [a, b]) {
        expect(res.status).toBe("0");
        expect(res.bytes).toBeGreaterThan(320_000);
        const range = codecs.RangeResponse.decode(res.messages[0]!);
        expect(range.kvs).toHaveLength(1000);
        expect(range.kvs.every((kv) => Buffer.from(kv.value).equals(value))).toBe(true);
      }
    } finally {
      session.destroy();
    }
  });

  test("a request larger than the default 64 KiB window arrives whole", async () => {
    const value = Buffer.alloc(1024 * 1024, 0x62);
    const res = await c.client().put({ key: enc("/flow/big"), value, prev_kv: false });
    expect(res.header?.revision).toBeGreaterThan(0);
    const got = await c.client().range({ key: enc("/flow/big") });
    expect(Buffer.from(got.kvs[0]!.value).equals(value)).toBe(true);
  });
});

describe("cancellation", () => {
  function openWatch(session: http2.ClientHttp2Session, key: string): Promise<http2.ClientHttp2Stream> {
    const stream = session.request({ ...GRPC, ":path": "/etcdserverpb.Watch/Watch" });
    stream.on("error", () => {});
    stream.write(encodeFrame(codecs.WatchRequest.encode({ create_request: { key: enc(key) } })));
    return new Promise((resolve) => stream.once("data", () => resolve(stream)));
  }

  test("RST_STREAM from the client closes the call: the store watch is released", async () => {
    const session = http2.connect(`http://${c.endpoint}`);
    session.on("error", () => {});
    try {
      const before = c.backend.watcherCount;
      const a = await openWatch(session, "cancel-a");
      await openWatch(session, "cancel-b");
      expect(c.backend.watcherCount).toBe(before + 2);
      a.close(http2.constants.NGHTTP2_CANCEL);
      await waitFor(() => c.backend.watcherCount === before + 1);
      // The connection and its other stream live on.
      const res = await unary(session, "/etcdserverpb.KV/Range", encodeFrame(codecs.RangeRequest.encode({ key: enc("x") })));
      expect(res.status).toBe("0");
    } finally {
      session.destroy();
    }
  });

  test("a connection that drops closes all its calls", async () => {
    const session = http2.connect(`http://${c.endpoint}`);
    session.on("error", () => {});
    await waitFor(() => c.backend.watcherCount === 0); // The previous test's watches are gone.
    const before = c.backend.watcherCount;
    await openWatch(session, "drop-a");
    await openWatch(session, "drop-b");
    expect(c.backend.watcherCount).toBe(before + 2);
    session.destroy();
    await waitFor(() => c.backend.watcherCount === before);
  });
});

/** Sends bytes on a raw socket; resolves with everything the server wrote until it hung up. */
function raw(bytes: Buffer[], timeoutMs = 2000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const got: Buffer[] = [];
    const timer = setTimeout(() => reject(new Error("the server did not hang up")), timeoutMs);
    void Bun.connect({
      hostname: "127.0.0.1",
      port: c.server.port,
      socket: {
        open(socket) {
          for (const b of bytes) socket.write(b);
        },
        data(_socket, chunk) {
          got.push(Buffer.from(chunk));
        },
        close() {
          clearTimeout(timer);
          resolve(Buffer.concat(got));
        },
        error() {},
      },
    }).catch(reject);
  });
}

describe("garbage", () => {
  test("protocol errors are answered with GOAWAY and a closed connection; the server goes on", async () => {
    const junk: Array<[Buffer[], number]> = [
      [[Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n")], ErrorCode.PROTOCOL_ERROR],
      [[CLIENT_PREFACE, Buffer.alloc(64, 0xff)], ErrorCode.FRAME_SIZE_ERROR],
      [[CLIENT_PREFACE, settingsFrame(), frame(FrameType.HEADERS, 0x5, 1, Buffer.from([0xff, 0xff, 0xff]))], ErrorCode.COMPRESSION_ERROR],
    ];
    for (const [bytes, code] of junk) {
      const frames = parseFrames(await raw(bytes));
      expect(frames[0]!.type).toBe(FrameType.SETTINGS);
      const goaway = frames.find((f) => f.type === FrameType.GOAWAY)!;
      expect(goaway.payload.readUInt32BE(4)).toBe(code);
    }
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 8) & 0xff;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => raw([CLIENT_PREFACE, settingsFrame(), Buffer.from(Array.from({ length: 50 + i * 40 }, rand))]).catch(() => Buffer.alloc(0))),
    );
    const res = await c.client().put({ key: enc("after-garbage"), value: enc("v") });
    expect(res.header?.revision).toBeGreaterThan(0);
  });
});

describe("close", () => {
  test("open calls end with UNAVAILABLE and connections close promptly", async () => {
    const own = await startTestCluster();
    const session = http2.connect(`http://${own.endpoint}`);
    session.on("error", () => {});
    try {
      const stream = session.request({ ...GRPC, ":path": "/etcdserverpb.Watch/Watch" });
      stream.on("error", () => {});
      let status: string | undefined;
      stream.on("trailers", (t) => (status = t["grpc-status"] as string));
      stream.on("data", () => {});
      stream.write(encodeFrame(codecs.WatchRequest.encode({ create_request: { key: enc("k") } })));
      await waitFor(() => own.backend.watcherCount === 1);
      const sessionClosed = new Promise<void>((resolve) => session.once("close", () => resolve()));
      const t0 = performance.now();
      await own.server.close();
      // Generous: the point is that close() does not wait for the open watch to end.
      expect(performance.now() - t0).toBeLessThan(5000);
      await waitFor(() => status !== undefined);
      expect(status).toBe(String(Status.UNAVAILABLE));
      await sessionClosed;
      expect(own.backend.watcherCount).toBe(0);
    } finally {
      session.destroy();
      await own.dispose();
    }
  });
});
