/** The gRPC layer: framing, status encoding, and the server's handling of odd or hostile calls. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import http2 from "node:http2";
import { EtcdClient, GrpcCallError } from "../client.ts";
import { startTestCluster, type TestCluster } from "../testing.ts";
import { etcdCodecs } from "../proto/codec.ts";
import { encodeFrame, FrameDecoder } from "./framing.ts";
import { decodeGrpcMessage, encodeGrpcMessage, GrpcError, Status } from "./status.ts";

describe("framing", () => {
  test("messages split across chunks, and several in one chunk", () => {
    const a = encodeFrame(Buffer.from("hello"));
    const b = encodeFrame(Buffer.alloc(0));
    const c = encodeFrame(Buffer.alloc(70_000, 3));
    const all = Buffer.concat([a, b, c]);
    const dec = new FrameDecoder(1 << 20);
    const out: Buffer[] = [];
    // Byte by byte through the first two frames and the prefix of the third, then in big pieces.
    for (let i = 0; i < 20; i++) out.push(...dec.push(all.subarray(i, i + 1)));
    expect(dec.partial).toBe(true);
    out.push(...dec.push(all.subarray(20, 40_000)));
    out.push(...dec.push(all.subarray(40_000)));
    expect(dec.partial).toBe(false);
    expect(out.map((m) => m.length)).toEqual([5, 0, 70_000]);
    expect(out[0]!.toString()).toBe("hello");
    const several = dec.push(Buffer.concat([a, a, a]));
    expect(several.map((m) => m.toString())).toEqual(["hello", "hello", "hello"]);
  });

  test("an oversized message is refused from its prefix alone; compression is refused", () => {
    const dec = new FrameDecoder(100);
    const prefix = Buffer.from([0, 0, 0, 0, 101]);
    expect(() => dec.push(prefix)).toThrow(new GrpcError(Status.RESOURCE_EXHAUSTED, "grpc: received message larger than max (101 vs. 100)"));
    expect(() => new FrameDecoder(100).push(Buffer.from([1, 0, 0, 0, 1, 0]))).toThrow(GrpcError);
  });

  test("grpc-message percent-encoding round-trips", () => {
    const msg = "etcdserver: 100% ✓ \"quoted\"\nnext";
    const enc = encodeGrpcMessage(msg);
    expect(enc).toMatch(/^[\x20-\x7e]*$/);
    expect(enc).toContain("100%25");
    expect(decodeGrpcMessage(enc)).toBe(msg);
  });
});

describe("server", () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await startTestCluster();
  });
  afterAll(async () => {
    await c.dispose();
  });

  const raw = { encode: (b: Uint8Array) => b };
  const ignore = { decode: (b: Uint8Array) => b };

  async function failure(p: Promise<unknown>): Promise<GrpcCallError> {
    try {
      await p;
    } catch (err) {
      if (err instanceof GrpcCallError) return err;
      throw err;
    }
    throw new Error("expected the call to fail");
  }

  test("unknown services and methods answer UNIMPLEMENTED", async () => {
    const client = c.client();
    expect(await failure(client.call("/etcdserverpb.Auth/AuthEnable", raw, ignore, new Uint8Array()))).toMatchObject({
      code: Status.UNIMPLEMENTED,
      details: "unknown service etcdserverpb.Auth",
    });
    expect(await failure(client.call("/etcdserverpb.KV/Nope", raw, ignore, new Uint8Array()))).toMatchObject({
      code: Status.UNIMPLEMENTED,
      details: "unknown method Nope for service etcdserverpb.KV",
    });
  });

  test("a message over the limit is refused with RESOURCE_EXHAUSTED and the server goes on", async () => {
    const client = new EtcdClient(c.endpoint);
    try {
      const huge = etcdCodecs().PutRequest.encode({ key: Buffer.from("k"), value: Buffer.alloc(3 * 1024 * 1024) });
      const err = await failure(client.call("/etcdserverpb.KV/Put", raw, ignore, huge));
      expect(err.code).toBe(Status.RESOURCE_EXHAUSTED);
      expect(err.details).toContain("received message larger than max");
      expect((await client.put({ key: Buffer.from("k"), value: Buffer.from("v") })).header?.revision).toBeGreaterThan(1);
    } finally {
      await client.close();
    }
  });

  test("undecodable requests fail with INTERNAL", async () => {
    const err = await failure(c.client().call("/etcdserverpb.KV/Range", raw, ignore, Buffer.from([0x0a, 0xff, 0xff, 0xff])));
    expect(err.code).toBe(Status.INTERNAL);
    expect(err.details).toContain("error unmarshalling request");
  });

  test("a unary call needs exactly one message; non-gRPC requests get HTTP errors", async () => {
    const session = http2.connect(`http://${c.endpoint}`);
    session.on("error", () => {});
    try {
      const call = (headers: http2.OutgoingHttpHeaders, body: Buffer) =>
        new Promise<Record<string, unknown>>((resolve) => {
          const stream = session.request(headers);
          let result: Record<string, unknown> = {};
          stream.on("response", (h) => (result = { ...result, ...h }));
          stream.on("trailers", (t) => (result = { ...result, ...t }));
          stream.on("data", () => {});
          stream.on("close", () => resolve(result));
          stream.end(body);
        });
      const grpc = { ":method": "POST", ":path": "/etcdserverpb.KV/Range", "content-type": "application/grpc", te: "trailers" };
      const none = await call(grpc, Buffer.alloc(0));
      expect(none["grpc-status"]).toBe(String(Status.INTERNAL));
      const req = encodeFrame(etcdCodecs().RangeRequest.encode({ key: Buffer.from("k") }));
      const two = await call(grpc, Buffer.concat([req, req]));
      expect(two["grpc-status"]).toBe(String(Status.INTERNAL));
      const truncated = await call(grpc, req.subarray(0, req.length - 1));
      expect(truncated["grpc-status"]).toBe(String(Status.INTERNAL));
      const one = await call(grpc, req);
      expect(one["grpc-status"]).toBe("0");
      const json = await call({ ...grpc, "content-type": "application/json" }, Buffer.from("{}"));
      expect(json[":status"]).toBe(415);
      const get = await call({ ":method": "GET", ":path": "/" }, Buffer.alloc(0));
      expect(get[":status"]).toBe(405);
    } finally {
      session.destroy();
    }
  });

  test("a bidi stream takes several messages per DATA frame and messages split over frames", async () => {
    const session = http2.connect(`http://${c.endpoint}`);
    session.on("error", () => {});
    try {
      const codecs = etcdCodecs();
      const stream = session.request({ ":method": "POST", ":path": "/etcdserverpb.Watch/Watch", "content-type": "application/grpc" });
      const dec = new FrameDecoder(1 << 20);
      const responses: Array<ReturnType<typeof codecs.WatchResponse.decode>> = [];
      stream.on("data", (chunk: Buffer) => responses.push(...dec.push(chunk).map((m) => codecs.WatchResponse.decode(m))));
      const create = (id: number) => encodeFrame(codecs.WatchRequest.encode({ create_request: { key: Buffer.from("w"), watch_id: id } }));
      stream.write(Buffer.concat([create(1), create(2)]));
      const third = create(3);
      stream.write(third.subarray(0, 3));
      await Bun.sleep(20);
      stream.write(third.subarray(3));
      const deadline = Date.now() + 5000;
      while (responses.length < 3 && Date.now() < deadline) await Bun.sleep(10);
      expect(responses.map((r) => [r.watch_id, r.created])).toEqual([
        [1, true],
        [2, true],
        [3, true],
      ]);
      stream.close(http2.constants.NGHTTP2_CANCEL);
    } finally {
      session.destroy();
    }
  });

  test("lease keep-alive streams answer in order, TTL 0 for unknown leases", async () => {
    const codecs = etcdCodecs();
    const granted = await c.client().leaseGrant({ TTL: 30 });
    const session = http2.connect(`http://${c.endpoint}`);
    session.on("error", () => {});
    try {
      const stream = session.request({ ":method": "POST", ":path": "/etcdserverpb.Lease/LeaseKeepAlive", "content-type": "application/grpc" });
      const dec = new FrameDecoder(1 << 20);
      const got: Array<[number, number]> = [];
      stream.on("data", (chunk: Buffer) => {
        for (const m of dec.push(chunk)) {
          const res = codecs.LeaseKeepAliveResponse.decode(m);
          got.push([res.ID, res.TTL]);
        }
      });
      const ka = (id: number) => encodeFrame(codecs.LeaseKeepAliveRequest.encode({ ID: id }));
      stream.write(Buffer.concat([ka(granted.ID), ka(424242), ka(granted.ID)]));
      const deadline = Date.now() + 5000;
      while (got.length < 3 && Date.now() < deadline) await Bun.sleep(10);
      expect(got).toEqual([
        [granted.ID, 30],
        [424242, 0],
        [granted.ID, 30],
      ]);
      stream.close(http2.constants.NGHTTP2_CANCEL);
    } finally {
      session.destroy();
    }
  });
});
