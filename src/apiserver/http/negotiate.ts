/**
 * Content negotiation: which encoding a request body is in, and which representation the client
 * wants back (JSON, YAML, protobuf, a meta.k8s.io Table, or PartialObjectMetadata), read from the
 * media-type parameters the way client-go writes them.
 */
import type { KubeObject } from "../api/types.ts";
import { errors } from "../api/errors.ts";

export type Output =
  | { kind: "json" }
  | { kind: "yaml" }
  | { kind: "protobuf" }
  | { kind: "table"; version: "v1" | "v1beta1" }
  | { kind: "partial"; version: "v1" | "v1beta1" };

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

export const JSON_TYPE = "application/json";
export const YAML_TYPE = "application/yaml";
export const PROTOBUF_TYPE = "application/vnd.kubernetes.protobuf";
export const PROTOBUF_WATCH_TYPE = "application/vnd.kubernetes.protobuf;stream=watch";

export function parseMediaRanges(header: string | null): MediaRange[] {
  if (!header) return [];
  return header
    .split(",")
    .map((part) => {
      const [type = "", ...params] = part.split(";").map((s) => s.trim());
      const p: Record<string, string> = {};
      for (const kv of params) {
        const eq = kv.indexOf("=");
        if (eq > 0) p[kv.slice(0, eq).trim().toLowerCase()] = kv.slice(eq + 1).trim().replace(/^"|"$/g, "");
      }
      return { type: type.toLowerCase(), params: p };
    })
    .filter((r) => r.type !== "");
}

export interface NegotiateOptions {
  /** Tables and partial metadata are offered for get/list/watch only. */
  allowTransforms: boolean;
  protobuf: boolean;
}

/** Picks the first representation in the client's Accept list that the server can produce. */
export function negotiateOutput(accept: string | null, opts: NegotiateOptions): Output {
  const ranges = parseMediaRanges(accept);
  if (ranges.length === 0) return { kind: "json" };
  for (const r of ranges) {
    const out = match(r, opts);
    if (out) return out;
  }
  throw errors.notAcceptable(`only the following media types are accepted: application/json, application/yaml${opts.protobuf ? ", application/vnd.kubernetes.protobuf" : ""}`);
}

function match(r: MediaRange, opts: NegotiateOptions): Output | undefined {
  const as = r.params.as;
  if (as) {
    if (!opts.allowTransforms || r.type !== JSON_TYPE || r.params.g !== "meta.k8s.io") return undefined;
    const version = r.params.v === "v1beta1" ? "v1beta1" : r.params.v === "v1" ? "v1" : undefined;
    if (!version) return undefined;
    if (as === "Table") return { kind: "table", version };
    if (as === "PartialObjectMetadata" || as === "PartialObjectMetadataList") return { kind: "partial", version };
    return undefined;
  }
  switch (r.type) {
    case JSON_TYPE:
    case "application/*":
    case "*/*":
      return { kind: "json" };
    case YAML_TYPE:
      return { kind: "yaml" };
    case PROTOBUF_TYPE:
      return opts.protobuf ? { kind: "protobuf" } : undefined;
    default:
      return undefined;
  }
}

/** Nesting deeper than this is refused: no Kubernetes object comes close, and deep input is an attack. */
const MAX_DEPTH = 200;

function tooDeep(value: unknown): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (depth > MAX_DEPTH) return true;
    if (v !== null && typeof v === "object") for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/** Decodes a JSON or YAML request body into an object, with upstream-like 400 errors. */
export function decodeBody(contentType: string | null, body: Uint8Array): unknown {
  const type = parseMediaRanges(contentType)[0]?.type ?? JSON_TYPE;
  const text = new TextDecoder().decode(body);
  let value: unknown;
  if (type === JSON_TYPE || type === "" || type.endsWith("+json")) {
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw errors.badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
    }
  } else if (type === YAML_TYPE || type === "application/x-yaml" || type === "text/yaml" || type.endsWith("+yaml")) {
    try {
      const docs = Bun.YAML.parse(text);
      value = Array.isArray(docs) && text.includes("\n---") ? docs[0] : docs;
    } catch (err) {
      throw errors.badRequest(`error converting YAML to JSON: ${(err as Error).message}`);
    }
  } else {
    throw errors.unsupportedMediaType();
  }
  if (tooDeep(value)) throw errors.badRequest(`the request body is nested more than ${MAX_DEPTH} levels deep`);
  return value;
}

/** A body that must be one API object. */
export function decodeObject(contentType: string | null, body: Uint8Array): KubeObject {
  const value = decodeBody(contentType, body);
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw errors.badRequest("Object 'Kind' is missing in the request body: the body must be a JSON or YAML object");
  }
  return value as KubeObject;
}
