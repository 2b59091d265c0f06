/**
 * Kubernetes protobuf (application/vnd.kubernetes.protobuf) for built-in types, both directions.
 *
 * kubectl 1.32 and client-go typed clients send protobuf request bodies and prefer protobuf
 * replies, lists and watch streams. Decoding yields exactly the JSON object upstream's JSON
 * encoding would, so the rest of the server never sees which form arrived. Custom resources have
 * no protobuf form: check supportsProtobuf() and answer JSON for them.
 */
import { ApiError, errors } from "../api/errors.ts";
import type { KubeObject } from "../api/types.ts";
import {
  decodeEnveloped,
  decodeWatchEventPayload,
  KindDecodeError,
  notMarshalableMessage,
  resolveObjectMessage,
  writeEnveloped,
  writeWatchFrame,
  type GroupVersionKindText,
  type WatchEventType,
} from "./codec.ts";
import { schemaRegistry, type MessageDesc } from "./registry.ts";
import { Writer } from "./wire.ts";

export type { GroupVersionKindText, WatchEventType } from "./codec.ts";

export const PROTOBUF_MEDIA_TYPE = "application/vnd.kubernetes.protobuf";
/** Content-Type of a protobuf watch response. */
export const PROTOBUF_WATCH_MEDIA_TYPE = "application/vnd.kubernetes.protobuf;stream=watch";

/** Anything with a type: objects, lists, Status. */
export interface TypedObject {
  apiVersion?: string;
  kind?: string;
}

/** Whether (apiVersion, kind) has a protobuf encoding here; false for custom resources. */
export function supportsProtobuf(apiVersion: string, kind: string): boolean {
  return schemaRegistry().resolve(apiVersion, kind) !== undefined;
}

/** Every (apiVersion, kind) with a protobuf schema (top-level kinds only). */
export function protobufKinds(): Array<{ apiVersion: string; kind: string }> {
  return schemaRegistry().allKinds();
}

/** upstream's summarizeData: the start of a bad body, as text for JSON and hex otherwise. */
function summarize(data: Uint8Array): string {
  if (data.length === 0) return "<empty>";
  const head = data.subarray(0, 30);
  const more = data.length > 30 ? " ..." : "";
  if (data[0] === 0x7b) return new TextDecoder().decode(head) + more;
  return Buffer.from(head).toString("hex") + more;
}

function versionOf(apiVersion: string): string {
  return apiVersion.slice(apiVersion.indexOf("/") + 1);
}

/**
 * Decodes a protobuf request body ("k8s\0" envelope) to its JSON object.
 *
 * `into` is the kind the endpoint expects: as upstream, it fills a missing kind/apiVersion and
 * shapes the 400 message ("Pod in version \"v1\" cannot be handled as a Pod: ..."). Every
 * failure is an ApiError 400, including kinds without protobuf support (upstream says
 * "object *unstructured.Unstructured does not implement the protobuf marshalling interface ...").
 * The result carries the envelope's kind; checking it against the endpoint is the caller's job,
 * exactly as for a JSON body.
 */
export function decodeObject(bytes: Uint8Array, into?: GroupVersionKindText): KubeObject {
  try {
    return decodeEnveloped(bytes, 0, into);
  } catch (e) {
    if (e instanceof ApiError) throw e;
    const cause = e instanceof KindDecodeError ? e.inner : e;
    const message = cause instanceof Error ? cause.message : String(cause);
    if (!into) throw errors.badRequest(message);
    if (e instanceof KindDecodeError) {
      throw errors.badRequest(`${e.gvk.kind} in version ${JSON.stringify(versionOf(e.gvk.apiVersion))} cannot be handled as a ${into.kind}: ${message}`);
    }
    throw errors.badRequest(`the object provided is unrecognized (must be of type ${into.kind}): ${message} (${summarize(bytes)})`);
  }
}

function typed(obj: TypedObject): { desc: MessageDesc; apiVersion: string; kind: string; fields: Record<string, unknown> } {
  const desc = resolveObjectMessage(obj);
  if (!desc) {
    if (!obj.kind || !obj.apiVersion) throw errors.internal(new Error(`cannot encode an object without apiVersion and kind as protobuf`));
    // Upstream's protobuf encoder fails this way and the response becomes 406.
    throw new ApiError(406, "NotAcceptable", notMarshalableMessage(obj.kind));
  }
  return { desc, apiVersion: obj.apiVersion!, kind: obj.kind!, fields: obj as unknown as Record<string, unknown> };
}

/**
 * One writer reused by every encode (encoding never re-enters), so its buffer grows once to the
 * largest object instead of being allocated per call; finish() copies the result out.
 */
let shared: Writer | null = null;
function scratch(): Writer {
  shared ??= new Writer(64 * 1024);
  // Do not keep a buffer grown by one huge list forever.
  if (shared.buf.length > 16 * 1024 * 1024) shared = new Writer(64 * 1024);
  shared.pos = 0;
  return shared;
}

/** Encode failures are the server's fault (an object that does not fit its schema): 500. */
function internal(e: unknown): never {
  throw e instanceof ApiError ? e : errors.internal(e);
}

/**
 * Encodes an object, list or Status as "k8s\0" + runtime.Unknown, byte-identical to upstream.
 * Throws ApiError 406 for kinds without protobuf support, 500 if the object does not fit its schema.
 */
export function encodeObject<T extends TypedObject>(obj: T): Uint8Array {
  const t = typed(obj);
  try {
    const w = scratch();
    writeEnveloped(w, t.desc, t.fields, t.apiVersion, t.kind);
    return w.finish();
  } catch (e) {
    return internal(e);
  }
}

/** One framed watch event for a `stream=watch` response: 4-byte big-endian length + WatchEvent. */
export function encodeWatchEvent<T extends TypedObject>(type: WatchEventType, obj: T): Uint8Array {
  const t = typed(obj);
  try {
    const w = scratch();
    writeWatchFrame(w, type, t.desc, t.fields, t.apiVersion, t.kind);
    return w.finish();
  } catch (e) {
    return internal(e);
  }
}

/**
 * Splits a protobuf watch stream back into events (client side; tests). Feed it chunks as they
 * arrive; each call returns the events completed so far.
 */
export class WatchStreamDecoder {
  private pending = new Uint8Array(0);

  push(chunk: Uint8Array): Array<{ type: string; object: KubeObject }> {
    let buf = chunk;
    if (this.pending.length > 0) {
      buf = new Uint8Array(this.pending.length + chunk.length);
      buf.set(this.pending);
      buf.set(chunk, this.pending.length);
    }
    const out: Array<{ type: string; object: KubeObject }> = [];
    let p = 0;
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    while (buf.length - p >= 4) {
      const len = view.getUint32(p);
      if (buf.length - p - 4 < len) break;
      try {
        out.push(decodeWatchEventPayload(buf.subarray(p + 4, p + 4 + len)));
      } catch (e) {
        throw e instanceof ApiError ? e : errors.badRequest(e instanceof Error ? e.message : String(e));
      }
      p += 4 + len;
    }
    this.pending = buf.slice(p);
    return out;
  }

  /** Bytes of an incomplete frame still waiting for more input. */
  get buffered(): number {
    return this.pending.length;
  }
}
