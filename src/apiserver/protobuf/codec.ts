/**
 * The Kubernetes protobuf envelope and watch framing around schema-driven messages.
 *
 * Envelope (apimachinery runtime/serializer/protobuf): "k8s\0" then runtime.Unknown{
 * 1 typeMeta{1 apiVersion, 2 kind}, 2 raw = the object's message, 3 contentEncoding, 4 contentType}.
 * Watch (stream=watch): each frame is a 4-byte big-endian length and a bare (unprefixed)
 * meta/v1 WatchEvent{1 type, 2 object: RawExtension{1 raw = an enveloped object}}.
 */
import type { KubeObject } from "../api/types.ts";
import { decodeMessage } from "./decode.ts";
import { encodeMessage } from "./encode.ts";
import { schemaRegistry, type MessageDesc } from "./registry.ts";
import { ENVELOPE_MAGIC, embedded, hasEnvelopeMagic } from "./special.ts";
import { ProtoError, Reader, WIRE_BYTES, WIRE_END_GROUP, Writer } from "./wire.ts";

/** Nesting of envelopes inside RawExtensions; a watch event needs 2. Bounds recursion on hostile input. */
const MAX_ENVELOPE_DEPTH = 8;

export interface GroupVersionKindText {
  apiVersion: string;
  kind: string;
}

/** The envelope header and where its raw message lies. */
export interface Envelope extends GroupVersionKindText {
  rawStart: number;
  rawEnd: number;
  contentEncoding: string;
  contentType: string;
}

/** A decode failure that happened after the envelope named its kind (upstream words those differently). */
export class KindDecodeError extends Error {
  constructor(
    readonly inner: unknown,
    readonly gvk: GroupVersionKindText,
  ) {
    super(inner instanceof Error ? inner.message : String(inner));
  }
}

/** Go's %#v of a runtime.TypeMeta, which upstream quotes in missing-kind errors. */
function goTypeMeta(t: GroupVersionKindText): string {
  return `runtime.TypeMeta{APIVersion:${JSON.stringify(t.apiVersion)}, Kind:${JSON.stringify(t.kind)}}`;
}

export function readEnvelope(bytes: Uint8Array, r = new Reader(bytes, 4)): Envelope {
  if (bytes.length === 0) throw new ProtoError("empty data");
  if (!hasEnvelopeMagic(bytes)) throw new ProtoError("provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]");
  if (bytes.length === 4) throw new ProtoError("empty body");
  const env: Envelope = { apiVersion: "", kind: "", rawStart: 0, rawEnd: 0, contentEncoding: "", contentType: "" };
  r.pos = 4;
  const end = bytes.length;
  while (r.pos < end) {
    const tag = r.uint(end);
    const no = Math.floor(tag / 8);
    const wt = tag & 7;
    if (wt === WIRE_END_GROUP) throw new ProtoError("proto: Unknown: wiretype end group for non-group");
    if (no <= 0) throw new ProtoError(`proto: Unknown: illegal tag ${no} (wire type ${tag})`);
    if (no > 4) {
      r.skip(wt, end);
      continue;
    }
    if (wt !== WIRE_BYTES) throw new ProtoError(`proto: wrong wireType = ${wt} for field ${["", "TypeMeta", "Raw", "ContentEncoding", "ContentType"][no]}`);
    if (no === 1) {
      const e = r.lengthEnd(end);
      while (r.pos < e) {
        const t = r.uint(e);
        const n = Math.floor(t / 8);
        const w = t & 7;
        if (n === 1 || n === 2) {
          if (w !== WIRE_BYTES) throw new ProtoError(`proto: wrong wireType = ${w} for field ${n === 1 ? "APIVersion" : "Kind"}`);
          if (n === 1) env.apiVersion = r.string(e);
          else env.kind = r.string(e);
        } else if (w === WIRE_END_GROUP || n <= 0) throw new ProtoError(`proto: TypeMeta: illegal tag ${n} (wire type ${t})`);
        else r.skip(w, e);
      }
    } else if (no === 2) {
      env.rawEnd = r.lengthEnd(end);
      env.rawStart = r.pos;
      r.pos = env.rawEnd;
    } else if (no === 3) env.contentEncoding = r.string(end);
    else env.contentType = r.string(end);
  }
  return env;
}

/** Decodes an enveloped object; `defaults` fills an empty kind/apiVersion as upstream's copyKindDefaults does. */
export function decodeEnveloped(bytes: Uint8Array, depth: number, defaults?: GroupVersionKindText): KubeObject {
  if (depth > MAX_ENVELOPE_DEPTH) throw new ProtoError("protobuf envelopes nested too deeply");
  const r = new Reader(bytes);
  const env = readEnvelope(bytes, r);
  let { apiVersion, kind } = env;
  if (defaults) {
    if (!kind) kind = defaults.kind;
    if (!apiVersion) apiVersion = defaults.apiVersion;
  }
  if (!kind) throw new ProtoError(`Object 'Kind' is missing in '${goTypeMeta(env)}'`);
  const gvk = { apiVersion, kind };
  try {
    if (!apiVersion) throw new ProtoError(`Object 'apiVersion' is missing in '${goTypeMeta(env)}'`);
    const desc = schemaRegistry().resolve(apiVersion, kind);
    if (!desc) throw new ProtoError(notRegisteredMessage(apiVersion, kind));
    r.pos = env.rawStart;
    const body = decodeMessage(r, env.rawEnd, desc, depth) as Record<string, unknown>;
    // TypeMeta is inline and first in every Go object, so JSON starts with kind, apiVersion.
    return Object.assign({ kind, apiVersion }, body) as KubeObject;
  } catch (e) {
    throw depth === 0 ? new KindDecodeError(e, gvk) : e;
  }
}

embedded.decode = (bytes, depth) => decodeEnveloped(bytes, depth);

/** Groups served by a stock kube-apiserver 1.32; anything else is a custom resource (never protobuf). */
const BUILTIN_GROUPS = new Set([
  "", "admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io", "apps", "authentication.k8s.io",
  "authorization.k8s.io", "autoscaling", "batch", "certificates.k8s.io", "coordination.k8s.io", "discovery.k8s.io",
  "events.k8s.io", "flowcontrol.apiserver.k8s.io", "internal.apiserver.k8s.io", "networking.k8s.io", "node.k8s.io",
  "policy", "rbac.authorization.k8s.io", "resource.k8s.io", "scheduling.k8s.io", "storage.k8s.io",
  "storagemigration.k8s.io", "meta.k8s.io",
]);

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/** Why a kind cannot be decoded from protobuf, in upstream's words where upstream would fail too. */
function notRegisteredMessage(apiVersion: string, kind: string): string {
  if (!BUILTIN_GROUPS.has(groupOf(apiVersion))) return notMarshalableMessage(kind);
  if (schemaRegistry().servesGroupVersion(apiVersion)) {
    return `no kind ${JSON.stringify(kind)} is registered for version ${JSON.stringify(apiVersion)} in scheme "pkg/api/legacyscheme/scheme.go:30"`;
  }
  return `protobuf is not supported for ${kind} in ${apiVersion} by this server; send application/json`;
}

/** What upstream's protobuf serializer says for objects without protobuf support (custom resources). */
export function notMarshalableMessage(kind: string): string {
  const type = kind.endsWith("List") ? "*unstructured.UnstructuredList" : "*unstructured.Unstructured";
  return `object ${type} does not implement the protobuf marshalling interface and cannot be encoded to a protobuf message`;
}

export function resolveObjectMessage(obj: { apiVersion?: string; kind?: string }): MessageDesc | undefined {
  if (!obj.apiVersion || !obj.kind) return undefined;
  return schemaRegistry().resolve(obj.apiVersion, obj.kind);
}

/** Writes "k8s\0" + runtime.Unknown exactly as upstream does (empty contentEncoding/contentType included). */
export function writeEnveloped(w: Writer, desc: MessageDesc, obj: Record<string, unknown>, apiVersion: string, kind: string): void {
  w.raw(ENVELOPE_MAGIC);
  w.byte(0x0a);
  const tm = w.fork();
  w.byte(0x0a);
  w.string(apiVersion);
  w.byte(0x12);
  w.string(kind);
  w.join(tm);
  w.byte(0x12);
  const raw = w.fork();
  encodeMessage(w, desc, obj);
  w.join(raw);
  w.byte(0x1a);
  w.byte(0);
  w.byte(0x22);
  w.byte(0);
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

/** Appends one framed watch event. */
export function writeWatchFrame(w: Writer, type: string, desc: MessageDesc, obj: Record<string, unknown>, apiVersion: string, kind: string): void {
  w.ensure(4);
  const start = w.pos;
  w.pos += 4;
  w.byte(0x0a);
  w.string(type);
  w.byte(0x12);
  const ext = w.fork();
  w.byte(0x0a);
  const raw = w.fork();
  writeEnveloped(w, desc, obj, apiVersion, kind);
  w.join(raw);
  w.join(ext);
  new DataView(w.buf.buffer, w.buf.byteOffset).setUint32(start, w.pos - start - 4);
}

/** Decodes one watch frame's payload (without its length prefix). */
export function decodeWatchEventPayload(bytes: Uint8Array): { type: string; object: KubeObject } {
  const r = new Reader(bytes);
  const end = bytes.length;
  let type = "";
  let object: KubeObject | null = null;
  while (r.pos < end) {
    const tag = r.uint(end);
    const no = Math.floor(tag / 8);
    const wt = tag & 7;
    if (no === 1 || no === 2) {
      if (wt !== WIRE_BYTES) throw new ProtoError(`proto: wrong wireType = ${wt} for field ${no === 1 ? "Type" : "Object"}`);
      if (no === 1) type = r.string(end);
      else {
        const e = r.lengthEnd(end);
        while (r.pos < e) {
          const t = r.uint(e);
          if (t === 0x0a) object = decodeEnveloped(r.bytes(e), 1);
          else if ((t & 7) === WIRE_END_GROUP || t < 8) throw new ProtoError(`proto: RawExtension: illegal tag ${Math.floor(t / 8)} (wire type ${t})`);
          else r.skip(t & 7, e);
        }
      }
    } else if (wt === WIRE_END_GROUP || no <= 0) throw new ProtoError(`proto: WatchEvent: illegal tag ${no} (wire type ${tag})`);
    else r.skip(wt, end);
  }
  if (object === null) throw new ProtoError("watch event without an object");
  return { type, object };
}
