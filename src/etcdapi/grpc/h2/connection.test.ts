/** The HTTP/2 connection state machine, driven frame by frame through an in-memory socket. */
import { describe, expect, test } from "bun:test";
import { CLIENT_PREFACE, ErrorCode, Flag, FrameReader, FrameType, Setting } from "./frames.ts";
import { encodeHeaders, HpackDecoder } from "./hpack.ts";
import { Output } from "./output.ts";
import { FakeClient, type Frame, frame, parseFrames, settingsFrame, u32 } from "./testing.ts";
import { writeHeaders } from "./frames.ts";
import type { H2Stream } from "./stream.ts";

const GET_FIELDS: Array<[string, string]> = [
  [":method", "POST"],
  [":scheme", "http"],
  [":path", "/svc/M"],
  [":authority", "localhost"],
  ["content-type", "application/grpc"],
];
const REQUEST = encodeHeaders(GET_FIELDS);

function headers(streamId: number, endStream = false, block: Uint8Array = REQUEST): Buffer {
  return frame(FrameType.HEADERS, Flag.END_HEADERS | (endStream ? Flag.END_STREAM : 0), streamId, block);
}
const data = (streamId: number, bytes: Uint8Array, endStream = false) => frame(FrameType.DATA, endStream ? Flag.END_STREAM : 0, streamId, bytes);
const windowUpdate = (streamId: number, increment: number) => frame(FrameType.WINDOW_UPDATE, 0, streamId, u32(increment));

function goaway(frames: Frame[]): { lastStreamId: number; code: number } | undefined {
  const f = frames.find((x) => x.type === FrameType.GOAWAY);
  return f && { lastStreamId: f.payload.readUInt32BE(0), code: f.payload.readUInt32BE(4) };
}
const rsts = (frames: Frame[]) => frames.filter((f) => f.type === FrameType.RST_STREAM).map((f) => [f.streamId, f.payload.readUInt32BE(0)]);
const dataBytes = (frames: Frame[], streamId: number) => frames.filter((f) => f.type === FrameType.DATA && f.streamId === streamId).reduce((n, f) => n + f.payload.length, 0);

/** A client whose streams echo nothing but are kept for the test to drive. */
async function connected(settings: Array<[number, number]> = [], opts = {}): Promise<FakeClient> {
  const c = new FakeClient(opts);
  await c.handshake(settings);
  return c;
}

describe("connection setup", () => {
  test("the server speaks first with SETTINGS and opens its connection window; SETTINGS and PING are acknowledged", async () => {
    const c = new FakeClient({ windowBytes: 1 << 20, maxConcurrentStreams: 7 });
    const first = await c.read();
    expect(first[0]!.type).toBe(FrameType.SETTINGS);
    const s = first[0]!.payload;
    const settings = new Map<number, number>();
    for (let i = 0; i < s.length; i += 6) settings.set(s.readUInt16BE(i), s.readUInt32BE(i + 2));
    expect(settings.get(Setting.MAX_CONCURRENT_STREAMS)).toBe(7);
    expect(settings.get(Setting.INITIAL_WINDOW_SIZE)).toBe(1 << 20);
    expect(first[1]).toMatchObject({ type: FrameType.WINDOW_UPDATE, streamId: 0 });
    expect(first[1]!.payload.readUInt32BE(0)).toBe((1 << 20) - 65535);

    // The preface may arrive a byte at a time.
    for (const byte of Buffer.concat([CLIENT_PREFACE, settingsFrame([[Setting.ENABLE_PUSH, 0]])])) c.send(Buffer.from([byte]));
    const ping = frame(FrameType.PING, 0, 0, Buffer.from("8 bytes!"));
    c.send(ping, frame(FrameType.PING, Flag.ACK, 0, Buffer.from("ignored!")));
    const replies = await c.read();
    expect(replies.map((f) => [f.type, f.flags])).toEqual([
      [FrameType.SETTINGS, Flag.ACK],
      [FrameType.PING, Flag.ACK],
    ]);
    expect(replies[1]!.payload.toString()).toBe("8 bytes!");
  });

  test("HEADERS with PADDED and PRIORITY, split over CONTINUATION frames", async () => {
    const c = await connected();
    const block = encodeHeaders([...GET_FIELDS, ["x-long", "v".repeat(100)]]);
    const padded = Buffer.concat([Buffer.from([3]), u32(0), Buffer.from([16]), block.subarray(0, 10), Buffer.alloc(3)]);
    c.send(
      frame(FrameType.HEADERS, Flag.PADDED | Flag.PRIORITY, 1, padded),
      frame(FrameType.CONTINUATION, 0, 1, block.subarray(10, 50)),
      frame(FrameType.CONTINUATION, Flag.END_HEADERS, 1, block.subarray(50)),
      frame(FrameType.PRIORITY, 0, 3, Buffer.from([0, 0, 0, 1, 200])),
    );
    expect(c.streams).toHaveLength(1);
    expect(c.streams[0]!.request).toMatchObject({ method: "POST", path: "/svc/M", contentType: "application/grpc", authority: "localhost" });
    expect(c.streams[0]!.request.fields.slice(-2)).toEqual(["x-long", "v".repeat(100)]);
    expect(goaway(await c.read())).toBeUndefined();
  });

  test("request data arrives in order, padding stripped, and END_STREAM ends the request", async () => {
    const got: string[] = [];
    const c = new FakeClient({}, (s) => {
      s.listener = { data: (chunk) => got.push(chunk.toString()), end: () => got.push("<end>") };
    });
    await c.handshake();
    c.send(headers(1), data(1, Buffer.from("one")), frame(FrameType.DATA, Flag.PADDED | Flag.END_STREAM, 1, Buffer.concat([Buffer.from([2]), Buffer.from("two"), Buffer.alloc(2)])));
    expect(got).toEqual(["one", "two", "<end>"]);
    expect(c.streams[0]!.remoteOpen).toBe(false);
  });
});

describe("responses", () => {
  test("headers, data and trailers leave in one write; the stream is then forgotten", async () => {
    const c = await connected();
    let writes = 0;
    c.send(headers(1, true));
    const s = c.streams[0]!;
    const closed: boolean[] = [];
    s.onClose = () => closed.push(s.aborted);
    // Count socket writes from here.
    const original = c.conn as unknown as { sink: (b: Buffer, o: number, l: number) => number };
    const sink = original.sink;
    original.sink = (b, o, l) => {
      writes++;
      return sink(b, o, l);
    };
    s.respond(encodeHeaders([[":status", "200"]]), false);
    s.write(Buffer.from("hello"));
    s.end(encodeHeaders([["grpc-status", "0"]]));
    const frames = await c.read();
    expect(writes).toBe(1);
    expect(frames.map((f) => [f.type, f.flags, f.streamId])).toEqual([
      [FrameType.HEADERS, Flag.END_HEADERS, 1],
      [FrameType.DATA, 0, 1],
      [FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 1],
    ]);
    const dec = new HpackDecoder();
    expect(dec.decode(frames[2]!.payload).fields).toEqual(["grpc-status", "0"]);
    expect(closed).toEqual([false]);
    expect(c.conn.openStreams).toBe(0);
  });

  test("a response completed while the client is still sending is followed by RST_STREAM(NO_ERROR)", async () => {
    const c = await connected();
    c.send(headers(1));
    c.streams[0]!.respond(encodeHeaders([[":status", "415"]]), true);
    const frames = await c.read();
    expect(frames[0]).toMatchObject({ type: FrameType.HEADERS, flags: Flag.END_HEADERS | Flag.END_STREAM });
    expect(rsts(frames)).toEqual([[1, ErrorCode.NO_ERROR]]);
    // Late data for the stream is dropped quietly, but still counts against the connection window.
    c.send(data(1, Buffer.alloc(100)));
    expect(goaway(await c.read())).toBeUndefined();
  });

  test("a long header block is split into HEADERS + CONTINUATION at the peer's frame size", () => {
    const out = new Output();
    const block = Buffer.alloc(40_000, 0x41);
    writeHeaders(out, 5, new Uint8Array(0), block, true, 16_384);
    const frames = parseFrames(out.buf.subarray(0, out.end));
    expect(frames.map((f) => [f.type, f.flags, f.payload.length])).toEqual([
      [FrameType.HEADERS, Flag.END_STREAM, 16_384],
      [FrameType.CONTINUATION, 0, 16_384],
      [FrameType.CONTINUATION, Flag.END_HEADERS, 40_000 - 2 * 16_384],
    ]);
  });

  test("after the peer lowers SETTINGS_HEADER_TABLE_SIZE, the next header block starts with a size update", async () => {
    const c = await connected([[Setting.HEADER_TABLE_SIZE, 0]]);
    c.send(headers(1, true), headers(3, true));
    c.streams[0]!.respond(encodeHeaders([[":status", "200"]]), true);
    c.streams[1]!.respond(encodeHeaders([[":status", "200"]]), true);
    const frames = (await c.read()).filter((f) => f.type === FrameType.HEADERS);
    expect([...frames[0]!.payload]).toEqual([0x20, 0x88]);
    expect([...frames[1]!.payload]).toEqual([0x88]);
  });
});

describe("flow control", () => {
  test("never more DATA than the stream window; WINDOW_UPDATE releases the rest; frames respect MAX_FRAME_SIZE", async () => {
    const c = await connected([[Setting.INITIAL_WINDOW_SIZE, 1000]]);
    c.send(headers(1, true));
    const s = c.streams[0]!;
    s.respond(encodeHeaders([[":status", "200"]]), false);
    expect(s.write(Buffer.alloc(50_000, 7))).toBe(true); // Held back, but under the high-water mark.
    s.end(encodeHeaders([["grpc-status", "0"]]));
    let frames = await c.read();
    expect(dataBytes(frames, 1)).toBe(1000);
    expect(frames.some((f) => f.flags & Flag.END_STREAM)).toBe(false);
    c.send(windowUpdate(1, 30_000));
    frames = await c.read();
    expect(dataBytes(frames, 1)).toBe(30_000);
    expect(Math.max(...frames.map((f) => f.payload.length))).toBeLessThanOrEqual(16_384);
    c.send(settingsFrame([[Setting.MAX_FRAME_SIZE, 20_000]]), windowUpdate(1, 100_000));
    frames = await c.read();
    expect(dataBytes(frames, 1)).toBe(19_000);
    expect(frames.filter((f) => f.type === FrameType.DATA).map((f) => f.payload.length)).toEqual([19_000]);
    expect(frames.at(-1)).toMatchObject({ type: FrameType.HEADERS, flags: Flag.END_HEADERS | Flag.END_STREAM });
    expect(c.conn.openStreams).toBe(0);
  });

  test("the connection window holds back every stream; a SETTINGS change can make stream windows negative", async () => {
    const c = await connected([[Setting.INITIAL_WINDOW_SIZE, 1 << 20]]);
    c.send(headers(1, true), headers(3, true));
    const [a, b] = c.streams as [H2Stream, H2Stream];
    a.write(Buffer.alloc(60_000));
    b.write(Buffer.alloc(60_000));
    let frames = await c.read();
    expect(dataBytes(frames, 1) + dataBytes(frames, 3)).toBe(65_535);
    // Stream 1 sent 60,000 of its 1 MiB window, stream 3 sent 5,535 and holds 54,465 back. Shrinking
    // every stream window by 1 MiB - 10 leaves both negative: a bigger connection window sends nothing.
    c.send(settingsFrame([[Setting.INITIAL_WINDOW_SIZE, 10]]), windowUpdate(0, 1 << 20));
    frames = await c.read();
    expect(dataBytes(frames, 1) + dataBytes(frames, 3)).toBe(0);
    // Stream 3's window is -5,525: it takes 5,535 to let 10 bytes through.
    c.send(windowUpdate(3, 5_535));
    frames = await c.read();
    expect(dataBytes(frames, 3)).toBe(10);
  });

  test("a producer is told to wait above the high-water mark and resumes on drained()", async () => {
    const c = await connected([[Setting.INITIAL_WINDOW_SIZE, 0]]);
    c.send(headers(1, true));
    const s = c.streams[0]!;
    expect(s.write(Buffer.alloc(40_000))).toBe(true);
    expect(s.write(Buffer.alloc(40_000))).toBe(false);
    let drained = false;
    void s.drained().then(() => (drained = true));
    await c.read();
    expect(drained).toBe(false);
    c.send(windowUpdate(1, 20_000));
    await c.read();
    expect(drained).toBe(true);
  });

  test("a socket that takes little at a time gets everything, in order, after its drains", async () => {
    const c = await connected([[Setting.INITIAL_WINDOW_SIZE, 1 << 20]]);
    c.send(windowUpdate(0, 1 << 20));
    c.writeLimit = 1000;
    c.send(headers(1, true));
    const s = c.streams[0]!;
    const body = Buffer.from(Array.from({ length: 600_000 }, (_, i) => i & 0xff));
    s.write(body);
    s.end(encodeHeaders([["grpc-status", "0"]]));
    const frames: Frame[] = [];
    for (let i = 0; i < 10_000 && !frames.some((f) => f.flags & Flag.END_STREAM); i++) {
      frames.push(...(await c.read()));
      c.writeLimit = 100_000;
      c.conn.drained();
    }
    expect(Buffer.concat(frames.filter((f) => f.type === FrameType.DATA).map((f) => f.payload)).equals(body)).toBe(true);
  });

  test("receive windows: generous updates for consumed data; overrunning a window is an error", async () => {
    const c = await connected([], { windowBytes: 100_000 });
    c.send(headers(1));
    c.send(data(1, Buffer.alloc(16_000)), data(1, Buffer.alloc(16_000)));
    expect((await c.read()).filter((f) => f.type === FrameType.WINDOW_UPDATE)).toHaveLength(0);
    c.send(data(1, Buffer.alloc(16_000)), data(1, Buffer.alloc(16_000)));
    const updates = (await c.read()).filter((f) => f.type === FrameType.WINDOW_UPDATE).map((f) => [f.streamId, f.payload.readUInt32BE(0)]);
    expect(updates).toEqual([
      [0, 64_000],
      [1, 64_000],
    ]);
    // A client that ignores the window: one frame larger than all of it.
    const small = await connected([], { windowBytes: 10_000 });
    small.send(headers(1), data(1, Buffer.alloc(10_001)));
    expect(goaway(await small.read())?.code).toBe(ErrorCode.FLOW_CONTROL_ERROR);
  });

  test("WINDOW_UPDATE of zero or past 2^31-1 is an error", async () => {
    let c = await connected();
    c.send(headers(1));
    c.send(windowUpdate(1, 0));
    expect(rsts(await c.read())).toEqual([[1, ErrorCode.PROTOCOL_ERROR]]);
    c.send(windowUpdate(0, 2 ** 31 - 1));
    expect(goaway(await c.read())?.code).toBe(ErrorCode.FLOW_CONTROL_ERROR);
    c = await connected();
    c.send(windowUpdate(0, 0));
    expect(goaway(await c.read())?.code).toBe(ErrorCode.PROTOCOL_ERROR);
  });
});

describe("stream lifecycle", () => {
  test("RST_STREAM from the client aborts the stream and drops its queued data", async () => {
    const c = await connected([[Setting.INITIAL_WINDOW_SIZE, 10]]);
    c.send(headers(1));
    const s = c.streams[0]!;
    let closed = 0;
    s.onClose = () => closed++;
    s.write(Buffer.alloc(100));
    c.send(frame(FrameType.RST_STREAM, 0, 1, u32(ErrorCode.CANCEL)));
    expect(closed).toBe(1);
    expect(s.aborted).toBe(true);
    expect(s.write(Buffer.alloc(1))).toBe(false);
    await s.drained(); // Resolves at once for a dead stream.
    expect(c.conn.openStreams).toBe(0);
    c.send(frame(FrameType.RST_STREAM, 0, 1, u32(ErrorCode.CANCEL)), windowUpdate(1, 5)); // Late frames are ignored.
    expect(goaway(await c.read())).toBeUndefined();
  });

  test("the server resets streams, and refuses those past MAX_CONCURRENT_STREAMS", async () => {
    const c = await connected([], { maxConcurrentStreams: 2 });
    c.send(headers(1), headers(3), headers(5));
    expect(c.streams).toHaveLength(2);
    c.streams[0]!.reset(ErrorCode.CANCEL);
    c.send(headers(7));
    expect(c.streams).toHaveLength(3);
    expect(rsts(await c.read())).toEqual([
      [5, ErrorCode.REFUSED_STREAM],
      [1, ErrorCode.CANCEL],
    ]);
  });

  test("a stream depending on itself is reset, and its header block still feeds the HPACK table", async () => {
    const c = await connected();
    // Literal with incremental indexing: x-a: 1 enters the dynamic table (index 62).
    const indexed = Buffer.concat([REQUEST, Buffer.from([0x40, 3, 0x78, 0x2d, 0x61, 1, 0x31])]);
    c.send(frame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM | Flag.PRIORITY, 1, Buffer.concat([u32(1), Buffer.from([16]), indexed])));
    c.send(headers(3, true, Buffer.concat([REQUEST, Buffer.from([0x80 | 62])])));
    expect(rsts(await c.read())).toEqual([[1, ErrorCode.PROTOCOL_ERROR]]);
    expect(c.streams.map((s) => s.id)).toEqual([3]);
    expect(c.streams[0]!.request.fields.slice(-2)).toEqual(["x-a", "1"]);
  });

  test("malformed requests are reset; DATA after END_STREAM is STREAM_CLOSED", async () => {
    const c = await connected();
    c.send(headers(1, false, encodeHeaders([[":method", "POST"], [":path", "/x"], [":scheme", "http"], ["Upper", "x"]])));
    c.send(headers(3, false, encodeHeaders([[":method", "POST"], [":scheme", "http"]])));
    c.send(headers(5, false, encodeHeaders([["a", "b"], [":method", "POST"], [":path", "/x"], [":scheme", "http"]])));
    c.send(headers(7, false, encodeHeaders([[":method", "POST"], [":path", "/x"], [":scheme", "http"], ["connection", "close"]])));
    c.send(headers(9, true), data(9, Buffer.from("late")));
    expect(rsts(await c.read())).toEqual([
      [1, ErrorCode.PROTOCOL_ERROR],
      [3, ErrorCode.PROTOCOL_ERROR],
      [5, ErrorCode.PROTOCOL_ERROR],
      [7, ErrorCode.PROTOCOL_ERROR],
      [9, ErrorCode.STREAM_CLOSED],
    ]);
    expect(c.streams.map((s) => s.id)).toEqual([9]);
  });

  test("shutdown: GOAWAY, no new streams, the socket ends after the last stream", async () => {
    const c = await connected();
    c.send(headers(1, true));
    c.conn.shutdown();
    c.send(headers(3, true));
    let frames = await c.read();
    expect(goaway(frames)).toEqual({ lastStreamId: 1, code: ErrorCode.NO_ERROR });
    expect(c.streams).toHaveLength(1);
    expect(c.ended).toBe(false);
    c.streams[0]!.respond(encodeHeaders([[":status", "200"]]), true);
    frames = await c.read();
    expect(frames).toHaveLength(1);
    expect(c.ended).toBe(true);
  });

  test("a closed socket aborts every open stream", async () => {
    const c = await connected();
    c.send(headers(1), headers(3));
    const aborted: number[] = [];
    for (const s of c.streams) s.onClose = () => aborted.push(s.id);
    c.conn.transportClosed();
    expect(aborted).toEqual([1, 3]);
  });
});

describe("protocol errors end the connection with GOAWAY", () => {
  const cases: Array<[string, () => Buffer[], number]> = [
    ["a bad preface", () => [Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n")], ErrorCode.PROTOCOL_ERROR],
    ["no SETTINGS after the preface", () => [CLIENT_PREFACE, frame(FrameType.PING, 0, 0, Buffer.alloc(8))], ErrorCode.PROTOCOL_ERROR],
    ["DATA on stream 0", () => [CLIENT_PREFACE, settingsFrame(), data(0, Buffer.alloc(1))], ErrorCode.PROTOCOL_ERROR],
    ["DATA on an idle stream", () => [CLIENT_PREFACE, settingsFrame(), data(5, Buffer.alloc(1))], ErrorCode.PROTOCOL_ERROR],
    ["an even stream id", () => [CLIENT_PREFACE, settingsFrame(), headers(2)], ErrorCode.PROTOCOL_ERROR],
    ["a frame past MAX_FRAME_SIZE", () => [CLIENT_PREFACE, settingsFrame(), data(1, Buffer.alloc(16_385))], ErrorCode.FRAME_SIZE_ERROR],
    ["a SETTINGS of the wrong size", () => [CLIENT_PREFACE, settingsFrame(), frame(FrameType.SETTINGS, 0, 0, Buffer.alloc(5))], ErrorCode.FRAME_SIZE_ERROR],
    ["a bad INITIAL_WINDOW_SIZE", () => [CLIENT_PREFACE, settingsFrame([[Setting.INITIAL_WINDOW_SIZE, 2 ** 31]])], ErrorCode.FLOW_CONTROL_ERROR],
    ["a bad MAX_FRAME_SIZE", () => [CLIENT_PREFACE, settingsFrame([[Setting.MAX_FRAME_SIZE, 100]])], ErrorCode.PROTOCOL_ERROR],
    ["a PING of the wrong size", () => [CLIENT_PREFACE, settingsFrame(), frame(FrameType.PING, 0, 0, Buffer.alloc(7))], ErrorCode.FRAME_SIZE_ERROR],
    ["PUSH_PROMISE", () => [CLIENT_PREFACE, settingsFrame(), frame(FrameType.PUSH_PROMISE, 0, 1, Buffer.alloc(4))], ErrorCode.PROTOCOL_ERROR],
    ["an interrupted header block", () => [CLIENT_PREFACE, settingsFrame(), frame(FrameType.HEADERS, 0, 1, REQUEST.subarray(0, 3)), data(1, Buffer.alloc(1))], ErrorCode.PROTOCOL_ERROR],
    ["a stray CONTINUATION", () => [CLIENT_PREFACE, settingsFrame(), frame(FrameType.CONTINUATION, Flag.END_HEADERS, 1, REQUEST)], ErrorCode.PROTOCOL_ERROR],
    ["an undecodable header block", () => [CLIENT_PREFACE, settingsFrame(), headers(1, true, Buffer.from([0xff, 0xff]))], ErrorCode.COMPRESSION_ERROR],
    ["padding longer than the frame", () => [CLIENT_PREFACE, settingsFrame(), headers(1), frame(FrameType.DATA, Flag.PADDED, 1, Buffer.from([5, 1, 2]))], ErrorCode.PROTOCOL_ERROR],
    ["RST_STREAM on an idle stream", () => [CLIENT_PREFACE, settingsFrame(), frame(FrameType.RST_STREAM, 0, 9, u32(0))], ErrorCode.PROTOCOL_ERROR],
    ["endless CONTINUATION", () => [CLIENT_PREFACE, settingsFrame(), frame(FrameType.HEADERS, 0, 1, REQUEST.subarray(0, 2)), ...Array.from({ length: 10 }, () => frame(FrameType.CONTINUATION, 0, 1, Buffer.alloc(16_000, 0x82)))], ErrorCode.ENHANCE_YOUR_CALM],
  ];
  for (const [name, bytes, code] of cases) {
    test(name, async () => {
      const c = new FakeClient();
      await c.read();
      c.send(...bytes());
      const frames = await c.read();
      expect(goaway(frames)?.code).toBe(code);
      expect(c.ended).toBe(true);
      // Whatever comes next is ignored.
      c.send(Buffer.alloc(100, 0xff));
    });
  }

  test("random bytes after a valid start never throw out of the connection", () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 8) & 0xff;
    for (let round = 0; round < 300; round++) {
      const c = new FakeClient({}, (s) => {
        s.listener = { data: () => {}, end: () => s.respond(encodeHeaders([[":status", "200"]]), true) };
      });
      const junk = Buffer.from(Array.from({ length: 1 + (round % 64) * 7 }, rand));
      // Some rounds start with well-formed frames so that later states are reached too.
      const start = round % 3 === 0 ? [CLIENT_PREFACE] : [CLIENT_PREFACE, settingsFrame(), headers(1)];
      expect(() => c.send(...start, junk)).not.toThrow();
      // Frame headers with valid types but random contents.
      const typed = Buffer.from(junk);
      if (typed.length >= 9) {
        typed[0] = 0;
        typed[3] = round % 10;
      }
      expect(() => c.send(typed)).not.toThrow();
    }
  });

  test("frames split at every byte boundary parse the same", () => {
    const bytes = Buffer.concat([CLIENT_PREFACE, settingsFrame([[Setting.ENABLE_PUSH, 0]]), headers(1), data(1, Buffer.alloc(300, 1), true)]);
    const whole: Array<[number, number, number, number]> = [];
    new FrameReader(16_384).push(bytes, (t, f, id, p) => whole.push([t, f, id, p.length]));
    for (let cut = 1; cut < bytes.length; cut += 7) {
      const split: Array<[number, number, number, number]> = [];
      const r = new FrameReader(16_384);
      r.push(bytes.subarray(0, cut), (t, f, id, p) => split.push([t, f, id, p.length]));
      r.push(bytes.subarray(cut), (t, f, id, p) => split.push([t, f, id, p.length]));
      expect(split).toEqual(whole);
    }
  });
});
