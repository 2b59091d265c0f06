/**
 * ObjectMeta as Go decodes and re-encodes it: kube-apiserver round-trips the metadata of custom
 * objects and of x-kubernetes-embedded-resource objects through metav1.ObjectMeta, which drops
 * unknown and empty fields, refuses mistyped ones, and rewrites times as RFC 3339 seconds in UTC.
 */
import { hasKey, isObject, setKey, type JsonObject } from "./types.ts";

type FieldKind = "string" | "int64" | "time" | "stringMap" | "stringList" | "ownerRefs" | "managedFields";

const OBJECT_META_FIELDS: Array<[string, FieldKind]> = [
  ["name", "string"],
  ["generateName", "string"],
  ["namespace", "string"],
  ["selfLink", "string"],
  ["uid", "string"],
  ["resourceVersion", "string"],
  ["generation", "int64"],
  ["creationTimestamp", "time"],
  ["deletionTimestamp", "time"],
  ["deletionGracePeriodSeconds", "int64"],
  ["labels", "stringMap"],
  ["annotations", "stringMap"],
  ["ownerReferences", "ownerRefs"],
  ["finalizers", "stringList"],
  ["managedFields", "managedFields"],
];

class DecodeError extends Error {}

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (typeof v === "boolean") return "bool";
  return typeof v === "object" ? "object" : typeof v;
}

function mismatch(v: unknown, field: string, goType: string): DecodeError {
  const what = typeof v === "number" ? `number ${v}` : jsonType(v);
  return new DecodeError(`json: cannot unmarshal ${what} into Go struct field ObjectMeta.${field} of type ${goType}`);
}

/** metav1.Time: RFC 3339 in, whole seconds in UTC out. */
function decodeTime(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw mismatch(v, field, "v1.Time");
  if (v === "") return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.exec(v);
  const ms = m ? Date.parse(v.toUpperCase()) : NaN;
  if (!m || Number.isNaN(ms)) throw new DecodeError(`parsing time ${JSON.stringify(v)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(v)} as "2006"`);
  const d = new Date(Math.floor(ms / 1000) * 1000);
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function decodeString(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string") throw mismatch(v, field, "string");
  return v;
}

function decodeInt(v: unknown, field: string): number | undefined {
  if (v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v)) throw mismatch(v, field, "int64");
  return v === 0 ? undefined : v;
}

function decodeStringMap(v: unknown, field: string): JsonObject | undefined {
  if (v === null) return undefined;
  if (!isObject(v)) throw mismatch(v, field, "map[string]string");
  const out: JsonObject = {};
  for (const [k, val] of Object.entries(v)) {
    if (val === null) setKey(out, k, "");
    else if (typeof val !== "string") throw mismatch(val, field, "string");
    else setKey(out, k, val);
  }
  return Object.keys(out).length ? out : undefined;
}

function decodeStringList(v: unknown, field: string): string[] | undefined {
  if (v === null) return undefined;
  if (!Array.isArray(v)) throw mismatch(v, field, "[]string");
  const out = v.map((s) => {
    if (s === null) return "";
    if (typeof s !== "string") throw mismatch(s, field, "string");
    return s;
  });
  return out.length ? out : undefined;
}

function decodeOwnerRefs(v: unknown, field: string): JsonObject[] | undefined {
  if (v === null) return undefined;
  if (!Array.isArray(v)) throw mismatch(v, field, "[]v1.OwnerReference");
  const out = v.map((ref) => {
    if (ref === null) ref = {};
    if (!isObject(ref)) throw mismatch(ref, field, "v1.OwnerReference");
    // apiVersion, kind, name and uid have no omitempty: they are always written.
    const r: JsonObject = {};
    for (const k of ["apiVersion", "kind", "name", "uid"]) r[k] = decodeString(ref[k], `${field}.${k}`) ?? "";
    for (const k of ["controller", "blockOwnerDeletion"]) {
      const b = ref[k];
      if (b === null || b === undefined) continue;
      if (typeof b !== "boolean") throw mismatch(b, `${field}.${k}`, "bool");
      r[k] = b;
    }
    return r;
  });
  return out.length ? out : undefined;
}

function decodeManagedFields(v: unknown, field: string): JsonObject[] | undefined {
  if (v === null) return undefined;
  if (!Array.isArray(v)) throw mismatch(v, field, "[]v1.ManagedFieldsEntry");
  const out = v.map((e) => {
    if (e === null) e = {};
    if (!isObject(e)) throw mismatch(e, field, "v1.ManagedFieldsEntry");
    const r: JsonObject = {};
    for (const k of ["manager", "operation", "apiVersion", "fieldsType", "subresource"]) {
      const s = decodeString(e[k], `${field}.${k}`);
      if (s !== undefined) r[k] = s;
    }
    const t = decodeTime(e.time, `${field}.time`);
    if (t !== undefined) r.time = t;
    if (isObject(e.fieldsV1)) r.fieldsV1 = e.fieldsV1;
    else if (e.fieldsV1 !== undefined && e.fieldsV1 !== null) throw mismatch(e.fieldsV1, `${field}.fieldsV1`, "v1.FieldsV1");
    return r;
  });
  return out.length ? out : undefined;
}

function decodeField(kind: FieldKind, v: unknown, field: string): unknown {
  switch (kind) {
    case "string":
      return decodeString(v, field);
    case "int64":
      return decodeInt(v, field);
    case "time":
      return decodeTime(v, field);
    case "stringMap":
      return decodeStringMap(v, field);
    case "stringList":
      return decodeStringList(v, field);
    case "ownerRefs":
      return decodeOwnerRefs(v, field);
    case "managedFields":
      return decodeManagedFields(v, field);
  }
}

export type CoercedMeta = { ok: true; meta: JsonObject } | { ok: false; error: string };

/**
 * Round-trips metadata through ObjectMeta. Mistyped fields fail the whole value, or are dropped
 * one by one when `dropInvalid` (how stored objects are read).
 */
export function coerceObjectMeta(meta: unknown, dropInvalid: boolean): CoercedMeta {
  if (meta === null) return { ok: true, meta: {} };
  if (!isObject(meta)) {
    if (dropInvalid) return { ok: false, error: `invalid metadata: expected object, got ${jsonType(meta)}` };
    return { ok: false, error: `json: cannot unmarshal ${jsonType(meta)} into Go value of type v1.ObjectMeta` };
  }
  const out: JsonObject = {};
  for (const [name, kind] of OBJECT_META_FIELDS) {
    if (!hasKey(meta, name)) continue;
    try {
      const v = decodeField(kind, meta[name], name);
      if (v !== undefined) out[name] = v;
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      if (!dropInvalid) return { ok: false, error: e.message };
    }
  }
  return { ok: true, meta: out };
}
