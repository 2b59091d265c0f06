/**
 * The SPDY/3.1 server session against a client built here the way spdystream builds frames:
 * header blocks deflated with the SPDY dictionary on one zlib stream, each ended by a sync flush.
 */
import { expect, test } from "bun:test";
import { constants, createDeflate, createInflate, inflateSync } from "node:zlib";
import { controlFrame, dataFrame, FrameReader, GOAWAY, PING, pingFrame, RST_STREAM, rstStreamFrame, SYN_REPLY, SYN_STREAM } from "./frames.ts";
import { decodeNameValues, encodeNameValues, HeaderEncoder, SPDY3_DICTIONARY, SpdyServerSession, type SpdyStream } from "./index.ts";

/** A client: compresses header blocks as Go's zlib writer does (dictionary, sync flush). */
function client() {
  const deflate = createDeflate({ dictionary: SPDY3_DICTIONARY, level: 9 });
  const pending: Buffer[] = [];
  deflate.on("data", (c: Buffer) => pending.push(c));
  const written: Buffer[] = [];
  const session = new SpdyServerSession({ write: (b) => (written.push(b), true), end: () => undefined, pause: () => undefined, resume: () => undefined });
  const streams: SpdyStream[] = [];
  session.onStream = (s) => streams.push(s);
  return {
    session,
    streams,
    /** Frames the server wrote so far. */
    frames: () => new FrameReader().push(Buffer.concat(written)),
    async open(id: number, headers: Record<string, string>, fin = false) {
      deflate.write(encodeNameValues(Object.entries(headers).map(([k, v]) => [k, [v]])));
      await new Promise<void>((r) => deflate.flush(constants.Z_SYNC_FLUSH, () => r()));
      const head = Buffer.alloc(10);
      head.writeUInt32BE(id, 0);
      session.receive(controlFrame(SYN_STREAM, fin ? 1 : 0, Buffer.concat([head, ...pending.splice(0)])));
    },
  };
}

const settle = () => Bun.sleep(5);

test("answers each stream with a SYN_REPLY whose header block any zlib reader takes, ended by a sync flush", async () => {
  const c = client();
  await c.open(1, { streamtype: "error" });
  await c.open(3, { streamtype: "stdin", port: "80" });
  await settle();
  expect(c.streams.map((s) => [s.id, s.header("streamType"), s.header("port")])).toEqual([
    [1, "error", undefined],
    [3, "stdin", "80"],
  ]);
  const replies = c.frames().filter((f) => f.control && f.type === SYN_REPLY);
  expect(replies).toHaveLength(2);
  const inflate = createInflate();
  const out: Buffer[] = [];
  inflate.on("data", (d: Buffer) => out.push(d));
  for (const r of replies) {
    if (!r.control) continue;
    const block = r.payload.subarray(4);
    expect([...block.subarray(-4)]).toEqual([0x00, 0x00, 0xff, 0xff]);
    inflate.write(block);
  }
  await new Promise<void>((r) => inflate.flush(constants.Z_SYNC_FLUSH, () => r()));
  expect(decodeNameValues(Buffer.concat(out).subarray(0, 4)).size).toBe(0);
});

test("moves data both ways, passes FIN on, and forgets streams both sides ended", async () => {
  const c = client();
  await c.open(1, { streamtype: "stdin" });
  await settle();
  const s = c.streams[0]!;
  const got: string[] = [];
  let ended = false;
  s.onData = (d) => got.push(d.toString());
  s.onEnd = () => (ended = true);
  c.session.receive(Buffer.concat([dataFrame(1, Buffer.from("hello "), false), dataFrame(1, Buffer.from("world"), true)]));
  await settle();
  expect(got.join("")).toBe("hello world");
  expect(ended).toBe(true);
  s.write(Buffer.alloc(70_000, 7));
  s.end();
  const data = c.frames().filter((f) => !f.control);
  expect(data.map((f) => (f.control ? 0 : f.data.length))).toEqual([32768, 32768, 70_000 - 65536, 0]);
  expect(data.at(-1)!.flags).toBe(1);
});

test("a client's RST_STREAM resets the stream; its pings are echoed; GOAWAY ends the session", async () => {
  const c = client();
  await c.open(1, { streamtype: "data" });
  await settle();
  let reset = false;
  c.streams[0]!.onReset = () => (reset = true);
  c.session.receive(rstStreamFrame(1, 5));
  c.session.receive(pingFrame(7));
  await settle();
  expect(reset).toBe(true);
  expect(c.frames().some((f) => f.control && f.type === PING && f.payload.readUInt32BE(0) === 7)).toBe(true);
  let closed = false;
  c.session.onClose = () => (closed = true);
  c.session.receive(controlFrame(GOAWAY, 0, Buffer.alloc(8)));
  await settle();
  expect(closed).toBe(true);
  expect(c.frames().some((f) => f.control && f.type === RST_STREAM)).toBe(false);
});

test("header blocks larger than a stored block are split", () => {
  const big = new HeaderEncoder().encode([["x", ["y".repeat(70_000)]]]);
  const inflated = inflateSync(big, { finishFlush: constants.Z_SYNC_FLUSH });
  expect(decodeNameValues(Buffer.from(inflated)).get("x")![0]).toHaveLength(70_000);
});
