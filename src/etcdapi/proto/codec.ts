/**
 * Protobuf codecs for the etcd messages, built with protobufjs from the embedded .proto text at
 * first use. Two adjustments to protobufjs' defaults, both local to these types:
 * - int64/uint64 decode to JS numbers (not Long objects): decoding uses a reader subclass, and the
 *   prototype defaults of absent 64-bit fields are set to 0;
 * - absent bytes fields read as an empty Uint8Array (protobufjs' default is an empty plain array).
 * protobufjs' global configuration is left alone: other code in the process may rely on Long.
 */
import protobuf from "protobufjs";
import type * as M from "./messages.ts";
import type { Wire } from "./messages.ts";
import kvProto from "./kv.proto" with { type: "text" };
import rpcProto from "./rpc.proto" with { type: "text" };

export interface MessageCodec<T> {
  decode(buf: Uint8Array): T;
  encode(msg: Wire<T>): Uint8Array;
}

const EMPTY_BYTES = new Uint8Array(0);

/** Reads a 64-bit varint as a JS number; exact below 2^53, which every etcd id and revision kts uses is. */
function readVarint64(r: { buf: Uint8Array; pos: number; len: number }, signed: boolean): number {
  const start = r.pos;
  let result = 0;
  let scale = 1;
  // Fast path: up to 7 bytes (49 bits) add up exactly in a double.
  for (let i = 0; i < 7; i++) {
    if (r.pos >= r.len) throw new RangeError("index out of range");
    const b = r.buf[r.pos++]!;
    result += (b & 0x7f) * scale;
    if (b < 0x80) return result;
    scale *= 128;
  }
  // Slow path: large or negative (two's complement, 10 bytes) values.
  r.pos = start;
  let big = 0n;
  for (let shift = 0n; ; shift += 7n) {
    if (r.pos >= r.len || shift > 63n) throw new RangeError("invalid varint encoding");
    const b = r.buf[r.pos++]!;
    big |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) break;
  }
  return Number(signed ? BigInt.asIntN(64, big) : BigInt.asUintN(64, big));
}

/**
 * protobufjs' generated decoders call reader.int64()/uint64(); this reader answers with numbers.
 * The overrides are installed on the prototype because protobufjs' typings declare them as
 * returning Long, which a class method returning number could not override.
 */
class NumberReader extends protobuf.BufferReader {}
Object.defineProperties(NumberReader.prototype, {
  int64: {
    value(this: NumberReader) {
      return readVarint64(this, true);
    },
  },
  uint64: {
    value(this: NumberReader) {
      return readVarint64(this, false);
    },
  },
});

function toBuffer(buf: Uint8Array): Buffer {
  return Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
}

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  // keepCase: field names stay as in the schema (create_revision, TTL), which is also etcd's JSON.
  protobuf.parse(kvProto, root, { keepCase: true });
  protobuf.parse(rpcProto, root, { keepCase: true });
  root.resolveAll();
  forEachType(root, fixDefaults);
  return root;
}

function forEachType(ns: protobuf.NamespaceBase, fn: (t: protobuf.Type) => void): void {
  for (const child of ns.nestedArray) {
    if (child instanceof protobuf.Type) fn(child);
    if (child instanceof protobuf.Namespace || child instanceof protobuf.Type) forEachType(child, fn);
  }
}

function fixDefaults(type: protobuf.Type): void {
  const proto = type.ctor.prototype as unknown as Record<string, unknown>;
  for (const field of type.fieldsArray) {
    if (field.repeated || field.map) continue;
    if (field.long || field.type === "int64" || field.type === "uint64") proto[field.name] = 0;
    else if (field.type === "bytes") proto[field.name] = EMPTY_BYTES;
  }
}

function codec<T>(root: protobuf.Root, name: string): MessageCodec<T> {
  const type = root.lookupType(name);
  return {
    decode: (buf) => type.decode(new NumberReader(toBuffer(buf))) as unknown as T,
    encode: (msg) => type.encode(msg as protobuf.Message).finish(),
  };
}

function build() {
  const root = loadRoot();
  const c = <T>(name: string) => codec<T>(root, `etcdserverpb.${name}`);
  return {
    RangeRequest: c<M.RangeRequest>("RangeRequest"),
    RangeResponse: c<M.RangeResponse>("RangeResponse"),
    PutRequest: c<M.PutRequest>("PutRequest"),
    PutResponse: c<M.PutResponse>("PutResponse"),
    DeleteRangeRequest: c<M.DeleteRangeRequest>("DeleteRangeRequest"),
    DeleteRangeResponse: c<M.DeleteRangeResponse>("DeleteRangeResponse"),
    TxnRequest: c<M.TxnRequest>("TxnRequest"),
    TxnResponse: c<M.TxnResponse>("TxnResponse"),
    CompactionRequest: c<M.CompactionRequest>("CompactionRequest"),
    CompactionResponse: c<M.HeaderOnly>("CompactionResponse"),
    WatchRequest: c<M.WatchRequest>("WatchRequest"),
    WatchResponse: c<M.WatchResponse>("WatchResponse"),
    LeaseGrantRequest: c<M.LeaseGrantRequest>("LeaseGrantRequest"),
    LeaseGrantResponse: c<M.LeaseGrantResponse>("LeaseGrantResponse"),
    LeaseRevokeRequest: c<M.LeaseIdRequest>("LeaseRevokeRequest"),
    LeaseRevokeResponse: c<M.HeaderOnly>("LeaseRevokeResponse"),
    LeaseKeepAliveRequest: c<M.LeaseIdRequest>("LeaseKeepAliveRequest"),
    LeaseKeepAliveResponse: c<M.LeaseKeepAliveResponse>("LeaseKeepAliveResponse"),
    LeaseTimeToLiveRequest: c<M.LeaseTimeToLiveRequest>("LeaseTimeToLiveRequest"),
    LeaseTimeToLiveResponse: c<M.LeaseTimeToLiveResponse>("LeaseTimeToLiveResponse"),
    LeaseLeasesRequest: c<M.Empty>("LeaseLeasesRequest"),
    LeaseLeasesResponse: c<M.LeaseLeasesResponse>("LeaseLeasesResponse"),
    MemberListRequest: c<M.Empty>("MemberListRequest"),
    MemberListResponse: c<M.MemberListResponse>("MemberListResponse"),
    AlarmRequest: c<M.AlarmRequest>("AlarmRequest"),
    AlarmResponse: c<M.AlarmResponse>("AlarmResponse"),
    StatusRequest: c<M.Empty>("StatusRequest"),
    StatusResponse: c<M.StatusResponse>("StatusResponse"),
    DefragmentRequest: c<M.Empty>("DefragmentRequest"),
    DefragmentResponse: c<M.HeaderOnly>("DefragmentResponse"),
    HashRequest: c<M.Empty>("HashRequest"),
    HashResponse: c<M.HashResponse>("HashResponse"),
    HashKVRequest: c<M.HashKVRequest>("HashKVRequest"),
    HashKVResponse: c<M.HashKVResponse>("HashKVResponse"),
    SnapshotRequest: c<M.Empty>("SnapshotRequest"),
    SnapshotResponse: c<M.SnapshotResponse>("SnapshotResponse"),
  };
}

export type EtcdCodecs = ReturnType<typeof build>;

let cached: EtcdCodecs | undefined;

/** The codecs, parsed from the schema once per process. */
export function etcdCodecs(): EtcdCodecs {
  cached ??= build();
  return cached;
}
