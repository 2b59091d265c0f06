/**
 * FieldsV1, the managedFields encoding of a field set: a JSON object whose keys are serialized
 * path elements. `{}` marks a path owned as a whole, a nested object the paths below it, and a
 * "." key inside a nested object marks that its own path is owned too.
 */
import { isJsonObject, type JsonObject, type JsonValue } from "../../patch/json-value.ts";
import { FieldSet } from "./field-set.ts";
import { comparePathElements, parsePathElement, PathElementSyntaxError, serializePathElement, type PathElement } from "./path-element.ts";

export class FieldsV1Error extends Error {}

/**
 * The FieldsV1 each stored set was decoded from: a manager whose set a write did not touch keeps
 * the very same set object, so its entry is written back without being encoded again. Only
 * FieldsV1 this server wrote (canonical) is remembered; anything a client sent is re-encoded.
 */
const decodedFrom = new WeakMap<FieldSet, JsonObject>();

/** The FieldsV1 object of a set, keys in upstream's order: ".", then elements sorted. */
export function toFieldsV1(set: FieldSet): JsonObject {
  return decodedFrom.get(set) ?? emit(set, false);
}

function emit(set: FieldSet, includeSelf: boolean): JsonObject {
  const out: JsonObject = {};
  if (includeSelf) out["."] = {};
  const entries: Array<{ pe: PathElement; member: boolean; sub?: FieldSet }> = [];
  for (const pe of set.members.values()) entries.push({ pe, member: true });
  for (const [key, child] of set.children) {
    if (child.set.empty()) continue;
    const both = set.members.has(key);
    if (both) entries.find((e) => e.member && serializePathElement(e.pe) === key)!.sub = child.set;
    else entries.push({ pe: child.pe, member: false, sub: child.set });
  }
  entries.sort((a, b) => comparePathElements(a.pe, b.pe));
  for (const e of entries) out[serializePathElement(e.pe)] = e.sub ? emit(e.sub, e.member) : {};
  return out;
}

/**
 * Decodes FieldsV1. Keys of element kinds this server does not know are skipped, as upstream
 * skips them. `stored`: the value is one this server wrote, reusable as the set's encoding.
 */
export function fromFieldsV1(value: JsonValue | undefined, stored = false): FieldSet {
  const set = new FieldSet();
  if (value === undefined || value === null) return set;
  if (!isJsonObject(value)) throw new FieldsV1Error("FieldsV1 must be a JSON object");
  read(value, set, 0);
  if (stored) decodedFrom.set(set, value);
  return set;
}

/**
 * Reads the entries of `obj` into `into`. Returns whether the path `obj` stands for is itself
 * owned: it says so with ".", or it holds no element at all (`{}`).
 */
function read(obj: JsonObject, into: FieldSet, depth: number): boolean {
  if (depth > 1000) throw new FieldsV1Error("FieldsV1 is nested too deeply");
  let self = false;
  let holdsElements = false;
  for (const key of Object.keys(obj)) {
    const v = obj[key]!;
    if (!isJsonObject(v)) throw new FieldsV1Error(`FieldsV1 entry ${JSON.stringify(key)} is not an object`);
    if (key === ".") {
      self = true;
      continue;
    }
    let pe: PathElement | undefined;
    try {
      pe = parsePathElement(key);
    } catch (err) {
      if (err instanceof PathElementSyntaxError) throw new FieldsV1Error(`parsing key as path element: ${err.message}`);
      throw err;
    }
    if (pe === undefined) continue;
    holdsElements = true;
    const below = new FieldSet();
    const id = serializePathElement(pe);
    if (read(v, below, depth + 1)) into.addMember(id, pe);
    if (!below.empty()) into.addChild(id, { pe, set: below });
  }
  return self || !holdsElements;
}
