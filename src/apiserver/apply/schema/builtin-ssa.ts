/**
 * Server-side apply facts about the built-in types that their OpenAPI definitions here do not
 * carry (see scripts/gen-ssa-types.ts, which reads them from the Go API types): list and map
 * semantics, defaults of list-map keys, and each kind's zero value.
 */
import type { JsonObject } from "../../patch/json-value.ts";
import ssaFile from "./builtin-ssa.json" with { type: "json" };

/** A list's semantics (absent: atomic), or a struct/map field's override of its type's. */
export type FieldSemantics = { list: "set" } | { list: "map"; keys: string[] } | { map: "atomic" | "granular" };

export interface DefinitionSemantics {
  /** The struct or map is atomic (`+structType=atomic`). */
  atomic?: true;
  fields?: Record<string, FieldSemantics>;
  /** `+default` values of fields that key a list map. */
  defaults?: Record<string, unknown>;
}

export interface BuiltinSsaFile {
  "//": string;
  definitions: Record<string, DefinitionSemantics>;
  /** Definition name of a kind -> the JSON Go prints for its zero value. */
  zero: Record<string, JsonObject>;
}

const file = ssaFile as BuiltinSsaFile;

export function builtinSemantics(definition: string): DefinitionSemantics | undefined {
  return Object.hasOwn(file.definitions, definition) ? file.definitions[definition] : undefined;
}

/** A fresh copy of the zero value of a built-in kind's definition, or undefined. */
export function builtinZeroObject(definition: string): JsonObject | undefined {
  return Object.hasOwn(file.zero, definition) ? structuredClone(file.zero[definition]!) : undefined;
}
