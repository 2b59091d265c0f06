/**
 * Decoding a request body as Go's JSON decoder would: syntax errors carry Go's wording, and a
 * top-level value of the wrong kind fails with Go's "cannot unmarshal" text.
 */
import { goJsonSyntaxError } from "./json-syntax.ts";
import { jsonKind, type JsonValue } from "./json-value.ts";

export type Decoded = { ok: true; value: JsonValue } | { ok: false; message: string };

const utf8 = new TextDecoder("utf-8");

export function bodyText(body: string | Uint8Array): string {
  return typeof body === "string" ? body : utf8.decode(body);
}

export function decodeJson(body: string | Uint8Array): Decoded {
  const text = bodyText(body);
  const error = goJsonSyntaxError(text);
  if (error !== undefined) return { ok: false, message: error };
  // The text is valid JSON now, so JSON.parse cannot throw.
  return { ok: true, value: JSON.parse(text) as JsonValue };
}

/** Go's UnmarshalTypeError text for a value decoded into a Go type it does not fit. */
export function cannotUnmarshal(value: JsonValue, goType: string): string {
  return `json: cannot unmarshal ${jsonKind(value)} into Go value of type ${goType}`;
}

/** The same, for a struct field ("Go struct field jsonPatchOp.path of type string"). */
export function cannotUnmarshalField(value: JsonValue, struct: string, field: string, goType: string): string {
  return `json: cannot unmarshal ${jsonKind(value)} into Go struct field ${struct}.${field} of type ${goType}`;
}
