import { describe, expect, test } from "bun:test";
import { ApiError } from "../api/errors.ts";
import { thrownApiError as apiError } from "../api/testing.ts";
import { decodeObject, encodeObject, encodeWatchEvent, PROTOBUF_MEDIA_TYPE, PROTOBUF_WATCH_MEDIA_TYPE, supportsProtobuf, WatchStreamDecoder } from "./index.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const ascii = (s: string) => Buffer.from(s).toString("hex");
const lenHex = (n: number) => n.toString(16).padStart(2, "0");

describe("envelope", () => {
  test("media types", () => {
    expect(PROTOBUF_MEDIA_TYPE).toBe("application/vnd.kubernetes.protobuf");
    expect(PROTOBUF_WATCH_MEDIA_TYPE).toBe("application/vnd.kubernetes.protobuf;stream=watch");
  });

  test("is k8s\\0 + Unknown{typeMeta, raw, empty contentEncoding, empty contentType}", () => {
    const bytes = encodeObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: "ns" } });
    const typeMeta = "0a02" + ascii("v1") + "12" + lenHex(9) + ascii("Namespace");
    expect(hex(bytes.subarray(0, 4))).toBe("6b387300");
    expect(hex(bytes.subarray(4, 6 + typeMeta.length / 2))).toBe("0a" + lenHex(typeMeta.length / 2) + typeMeta);
    expect(hex(bytes.subarray(bytes.length - 4))).toBe("1a002200");
  });

  test("Status resolves under any served group version, as upstream registers it", () => {
    for (const apiVersion of ["v1", "apps/v1", "batch/v1", "meta.k8s.io/v1"]) {
      const status = { apiVersion, kind: "Status", metadata: {}, status: "Failure", message: "nope", reason: "NotFound", code: 404 };
      expect(decodeObject(encodeObject(status))).toEqual({ kind: "Status", apiVersion, metadata: {}, status: "Failure", message: "nope", reason: "NotFound", code: 404 });
    }
  });

  test("ApiError.toStatus() encodes", () => {
    const status = new ApiError(404, "NotFound", 'pods "p" not found', { name: "p", kind: "pods" }).toStatus();
    const back = decodeObject(encodeObject(status));
    expect(back).toMatchObject({ kind: "Status", apiVersion: "v1", code: 404, reason: "NotFound", details: { name: "p", kind: "pods" } });
  });

  test("an empty kind/apiVersion takes the endpoint's, like upstream's copyKindDefaults", () => {
    const full = encodeObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } });
    // Rewrite the typeMeta to empty strings: 0a 04 0a 00 12 00.
    const tmLen = full[5]!;
    const raw = full.subarray(6 + tmLen);
    const bare = new Uint8Array([0x6b, 0x38, 0x73, 0x00, 0x0a, 0x04, 0x0a, 0x00, 0x12, 0x00, ...raw]);
    expect(decodeObject(bare, { apiVersion: "v1", kind: "ConfigMap" })).toMatchObject({ kind: "ConfigMap", apiVersion: "v1", metadata: { name: "c" } });
    expect(apiError(() => decodeObject(bare)).message).toBe(`Object 'Kind' is missing in 'runtime.TypeMeta{APIVersion:"", Kind:""}'`);
  });
});

describe("support and errors", () => {
  test("supportsProtobuf: built-in kinds yes, custom resources and unknown kinds no", () => {
    expect(supportsProtobuf("v1", "Pod")).toBe(true);
    expect(supportsProtobuf("v1", "PodList")).toBe(true);
    expect(supportsProtobuf("apps/v1", "Deployment")).toBe(true);
    expect(supportsProtobuf("policy/v1", "Status")).toBe(true);
    expect(supportsProtobuf("stable.example.com/v1", "CronTab")).toBe(false);
    expect(supportsProtobuf("stable.example.com/v1", "Status")).toBe(false);
    expect(supportsProtobuf("apps/v1", "Pod")).toBe(false);
    expect(supportsProtobuf("meta.k8s.io/v1", "Table")).toBe(false);
  });

  test("encoding a custom resource is 406 with upstream's message", () => {
    const e = apiError(() => encodeObject({ apiVersion: "stable.example.com/v1", kind: "CronTab", metadata: { name: "x" } }));
    expect(e.code).toBe(406);
    expect(e.reason).toBe("NotAcceptable");
    expect(e.message).toBe("object *unstructured.Unstructured does not implement the protobuf marshalling interface and cannot be encoded to a protobuf message");
    expect(apiError(() => encodeWatchEvent("ADDED", { apiVersion: "stable.example.com/v1", kind: "CronTabList" })).message).toContain("*unstructured.UnstructuredList");
  });

  test("a body naming a custom resource is 400, worded as upstream's create handler", () => {
    const body = new Uint8Array([0x6b, 0x38, 0x73, 0x00, 0x0a, 0x20, 0x0a, 0x15, ...Buffer.from("stable.example.com/v1"), 0x12, 0x07, ...Buffer.from("CronTab"), 0x12, 0x00]);
    const e = apiError(() => decodeObject(body, { apiVersion: "stable.example.com/v1", kind: "CronTab" }));
    expect(e.code).toBe(400);
    expect(e.message).toBe('CronTab in version "v1" cannot be handled as a CronTab: object *unstructured.Unstructured does not implement the protobuf marshalling interface and cannot be encoded to a protobuf message');
  });

  test("an unknown kind in a built-in group names the scheme like kube-apiserver", () => {
    const pod = encodeObject({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" } });
    const renamed = new Uint8Array(Buffer.from(hex(pod).replace(ascii("Pod"), ascii("pod")), "hex"));
    const e = apiError(() => decodeObject(renamed, { apiVersion: "v1", kind: "Pod" }));
    expect(e.message).toBe('pod in version "v1" cannot be handled as a Pod: no kind "pod" is registered for version "v1" in scheme "pkg/api/legacyscheme/scheme.go:30"');
  });

  test("a JSON body sent as protobuf is unrecognized, with upstream's summary of the data", () => {
    const json = Buffer.from('{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p"}}');
    const e = apiError(() => decodeObject(new Uint8Array(json), { apiVersion: "v1", kind: "Pod" }));
    expect(e.code).toBe(400);
    expect(e.message).toBe(
      'the object provided is unrecognized (must be of type Pod): provided data does not appear to be a protobuf message, expected prefix [107 56 115 0] ({"kind":"Pod","apiVersion":"v1 ...)',
    );
    expect(apiError(() => decodeObject(new Uint8Array(0), { apiVersion: "v1", kind: "Pod" })).message).toBe("the object provided is unrecognized (must be of type Pod): empty data (<empty>)");
    expect(apiError(() => decodeObject(new Uint8Array([1, 2, 3]))).message).toBe("provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]");
    expect(apiError(() => decodeObject(new Uint8Array([0x6b, 0x38, 0x73, 0x00]))).message).toBe("empty body");
  });

  test("objects that do not fit their schema are 500 on encode", () => {
    const e = apiError(() => encodeObject({ apiVersion: "v1", kind: "Pod", spec: { containers: "nginx" } } as object));
    expect(e.code).toBe(500);
    expect(e.message).toContain("core.PodSpec.containers: expected a list");
    expect(apiError(() => encodeObject({ apiVersion: "v1", kind: "Pod", spec: { priority: 2 ** 31 } } as object)).message).toContain("overflows int32");
    expect(apiError(() => encodeObject({ apiVersion: "v1", kind: "Pod", spec: { priority: 1.5 } } as object)).message).toContain("expected integer");
    expect(apiError(() => encodeObject({ kind: "Pod" })).code).toBe(500);
  });
});

describe("watch framing", () => {
  const cm = (n: number) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `c${n}`, resourceVersion: String(n) }, data: { k: "v".repeat(n * 50) } });

  test("a frame is a big-endian length and a bare WatchEvent whose object holds an enveloped object", () => {
    const frame = encodeWatchEvent("ADDED", cm(1));
    const view = new DataView(frame.buffer, frame.byteOffset);
    expect(view.getUint32(0)).toBe(frame.length - 4);
    // WatchEvent: 0a 05 "ADDED" 12 <len> 0a <len> k8s\0 ...
    expect(hex(frame.subarray(4, 11))).toBe("0a05" + ascii("ADDED"));
    const inner = encodeObject(cm(1));
    expect(hex(frame)).toEndWith(hex(inner));
  });

  test("a stream split anywhere decodes to the same events", () => {
    const events = [encodeWatchEvent("ADDED", cm(1)), encodeWatchEvent("MODIFIED", cm(5)), encodeWatchEvent("DELETED", cm(9))];
    const stream = new Uint8Array(events.reduce((n, e) => n + e.length, 0));
    let p = 0;
    for (const e of events) {
      stream.set(e, p);
      p += e.length;
    }
    for (const step of [1, 3, 7, 100, stream.length]) {
      const d = new WatchStreamDecoder();
      const got: Array<{ type: string; object: Record<string, unknown> }> = [];
      for (let i = 0; i < stream.length; i += step) got.push(...d.push(stream.subarray(i, i + step)));
      expect(got.map((e) => e.type)).toEqual(["ADDED", "MODIFIED", "DELETED"]);
      expect(got.map((e) => (e.object.metadata as Record<string, unknown>).name)).toEqual(["c1", "c5", "c9"]);
      expect(got[1]!.object.data).toEqual({ k: "v".repeat(250) });
      expect(d.buffered).toBe(0);
    }
  });

  test("ERROR events carry a Status; BOOKMARK events a bare object", () => {
    const d = new WatchStreamDecoder();
    const status = { apiVersion: "v1", kind: "Status", metadata: {}, status: "Failure", message: "too old resource version: 1 (5)", reason: "Expired", code: 410 };
    const bookmark = { apiVersion: "v1", kind: "Pod", metadata: { resourceVersion: "12", annotations: { "k8s.io/initial-events-end": "true" } } };
    const [err, mark] = d.push(new Uint8Array([...encodeWatchEvent("ERROR", status), ...encodeWatchEvent("BOOKMARK", bookmark)]));
    expect(err).toEqual({ type: "ERROR", object: status });
    expect(mark!.type).toBe("BOOKMARK");
    expect(mark!.object.metadata as unknown).toEqual({ resourceVersion: "12", creationTimestamp: null, annotations: { "k8s.io/initial-events-end": "true" } });
  });

  test("a WatchEvent can also travel as an ordinary enveloped object", () => {
    const ev = decodeObject(encodeObject({ apiVersion: "v1", kind: "WatchEvent", type: "ADDED", object: { kind: "ConfigMap", apiVersion: "v1", metadata: { name: "x" } } }));
    expect(ev).toEqual({ kind: "WatchEvent", apiVersion: "v1", type: "ADDED", object: { kind: "ConfigMap", apiVersion: "v1", metadata: { name: "x" } } });
  });
});
