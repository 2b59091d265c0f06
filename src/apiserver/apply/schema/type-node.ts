/**
 * The structure server-side apply walks objects with: for each node, whether it may be a
 * scalar, a list (atomic, a set, or a map keyed by some of its items' fields) or a map (a struct
 * with known fields and/or a map of any keys; granular or atomic). A node may allow several
 * shapes (untyped parts of an object); the value decides which applies.
 */
import type { JsonValue } from "../../patch/json-value.ts";

export interface ListType {
  /** Replaced as a whole; otherwise items are told apart by `keys` (or by value when there are none). */
  atomic: boolean;
  keys: readonly string[];
  element(): TypeNode;
  /** The schema default of a key field, used when an item leaves the key out. */
  keyDefault(name: string): JsonValue | undefined;
}

export interface MapType {
  /** Replaced as a whole, not merged key by key. */
  atomic: boolean;
  /** The type of a declared field, or undefined when the map has no such field. */
  field(name: string): TypeNode | undefined;
  /** The type of any other key, or undefined when the schema allows no other keys. */
  element(): TypeNode | undefined;
}

/** What a scalar may hold; "untyped" takes any (int-or-string, dates, quantities). */
export type ScalarKind = "numeric" | "string" | "boolean" | "untyped";

export interface TypeNode {
  /** The scalar the node may be, if any. */
  scalar?: ScalarKind;
  list?: ListType;
  map?: MapType;
}

export const SCALAR: TypeNode = { scalar: "untyped" };
export const NUMERIC: TypeNode = { scalar: "numeric" };
export const STRING: TypeNode = { scalar: "string" };
export const BOOLEAN: TypeNode = { scalar: "boolean" };

const noDefault = () => undefined;

/** Untyped and atomic throughout (upstream's __untyped_atomic_): RawExtension, lists without items. */
export const UNTYPED_ATOMIC: TypeNode = {
  scalar: "untyped",
  list: { atomic: true, keys: [], element: () => UNTYPED_ATOMIC, keyDefault: noDefault },
  map: { atomic: true, field: () => undefined, element: () => UNTYPED_ATOMIC },
};

/**
 * Untyped, with maps merged key by key and lists atomic (upstream's __untyped_deduced_): objects
 * without a schema, fields kept by x-kubernetes-preserve-unknown-fields.
 */
export const DEDUCED: TypeNode = {
  scalar: "untyped",
  list: { atomic: true, keys: [], element: () => UNTYPED_ATOMIC, keyDefault: noDefault },
  map: { atomic: false, field: () => undefined, element: () => DEDUCED },
};

export type Shape = "scalar" | "list" | "map" | "null";

export function shapeOf(v: JsonValue): Shape {
  if (v === null) return "null";
  if (Array.isArray(v)) return "list";
  return typeof v === "object" ? "map" : "scalar";
}

/** The list type to walk `v` with, if `v` is a list and the node allows lists. */
export function listOf(node: TypeNode, v: JsonValue): ListType | undefined {
  return Array.isArray(v) ? node.list : undefined;
}

/** The map type to walk `v` with, if `v` is an object and the node allows maps. */
export function mapOf(node: TypeNode, v: JsonValue): MapType | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? node.map : undefined;
}

/** The type of a map's key: its declared field, else the element type. */
export function childType(map: MapType, key: string): TypeNode | undefined {
  return map.field(key) ?? map.element();
}
