/**
 * The CEL type of a schema node (upstream's SchemaDeclType): objects with declared properties
 * become object types whose field names are CEL-escaped, additionalProperties maps become
 * map(string, V), arrays lists, formatted strings bytes/duration/timestamp, and
 * x-kubernetes-int-or-string is dyn. A node with no usable type has no CEL type, and a property
 * without one is not visible to rules.
 */
import type { Structural } from "../structural.ts";
import { T, type CelType } from "./types.ts";

const RESERVED = new Set(["true", "false", "null", "in", "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop", "package", "namespace", "return", "var", "void", "while"]);

/** upstream's cel.Escape: a property name as a CEL identifier, or undefined when it cannot be one. */
export function escapeName(ident: string): string | undefined {
  if (ident === "" || /^[0-9]/.test(ident)) return undefined;
  if (RESERVED.has(ident)) return `__${ident}__`;
  if (!/^[A-Za-z0-9_./-]*$/.test(ident)) return undefined;
  return ident.replace(/__|[-./]/g, (m) => ({ __: "__underscores__", ".": "__dot__", "-": "__dash__", "/": "__slash__" })[m]!);
}

/** upstream's cel.Unescape, or undefined for names no property could have produced. */
export function unescapeName(escaped: string): string | undefined {
  let ok = true;
  const out = escaped.replace(/__[^_]+__/g, (m) => {
    const inner = m.slice(2, -2);
    switch (inner) {
      case "underscores":
        return "__";
      case "dot":
        return ".";
      case "dash":
        return "-";
      case "slash":
        return "/";
    }
    if (RESERVED.has(inner)) {
      if (m.length !== escaped.length) ok = false;
      return inner;
    }
    ok = false;
    return "";
  });
  return ok ? out : undefined;
}

const STRING: Structural = { raw: { type: "string" }, type: "string", nullable: false, default: undefined, preserveUnknownFields: false, embeddedResource: false, intOrString: false, validations: [] };

/** Resource roots and embedded resources always expose apiVersion, kind and metadata.name/generateName. */
export function withTypeAndObjectMeta(s: Structural): Structural {
  const p = s.properties;
  const meta = p?.get("metadata");
  if (p?.get("kind")?.type === "string" && p.get("apiVersion")?.type === "string" && meta?.type === "object" && meta.properties?.get("name")?.type === "string" && meta.properties.get("generateName")?.type === "string") {
    return s;
  }
  const props = new Map(p ?? []);
  props.set("kind", STRING);
  props.set("apiVersion", STRING);
  props.set("metadata", {
    ...STRING,
    raw: { type: "object" },
    type: "object",
    properties: new Map([
      ["name", STRING],
      ["generateName", STRING],
    ]),
  });
  return { ...s, properties: props };
}

let typeCounter = 0;

/** A fresh root type name, as upstream names each compiled schema's self type uniquely. */
export function newSelfTypeName(): string {
  return `selfType${typeCounter++}`;
}

/** celconfig.MaxRequestSizeBytes: the bound for values whose schema sets no limit. */
export const MAX_REQUEST_BYTES = 3 * 1024 * 1024;
const PER_REQUEST = MAX_REQUEST_BYTES - 2;

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? Math.max(0, Math.trunc(v)) : undefined);

/** A simple type with size bounds attached (for the cost estimate). */
function sized(t: CelType, maxElements: number, minSerialized: number): CelType {
  return { ...t, bounds: { maxElements, minSerialized } };
}

function stringBounds(node: Structural): number {
  const maxLength = num(node.raw.maxLength);
  if (maxLength !== undefined) return maxLength * 4;
  const enumValues = Array.isArray(node.raw.enum) ? node.raw.enum : [];
  if (enumValues.length) return Math.max(0, ...enumValues.map((v) => (typeof v === "string" ? Buffer.byteLength(v) : 0)));
  return PER_REQUEST;
}

export function declType(s: Structural | undefined, isResourceRoot: boolean, name: string): CelType | undefined {
  if (!s) return undefined;
  if (s.intOrString) return sized(T.dyn, PER_REQUEST, 1);
  const node = isResourceRoot ? withTypeAndObjectMeta(s) : s;
  switch (node.type) {
    case "array": {
      if (!node.items) return undefined;
      const elem = declType(node.items, node.items.embeddedResource, `${name}.@idx`);
      if (!elem) return undefined;
      const maxItems = num(node.raw.maxItems) ?? Math.floor(PER_REQUEST / ((elem.bounds?.minSerialized ?? 0) + 1));
      return sized(T.list(elem), maxItems, 2);
    }
    case "object": {
      const ap = node.additionalProperties?.schema;
      if (ap) {
        const value = declType(ap, ap.embeddedResource, `${name}.@elem`);
        if (!value) return undefined;
        const maxProperties = num(node.raw.maxProperties) ?? Math.floor(PER_REQUEST / ((value.bounds?.minSerialized ?? 0) + 6));
        // Keys are the plain string type, which declares no size (MaxElements 0) upstream.
        return sized(T.map(sized(T.string, 0, 2), value), maxProperties, 2);
      }
      const fields = new Map<string, CelType>();
      const required = new Set(Array.isArray(node.raw.required) ? node.raw.required : []);
      let minSerialized = 2;
      for (const [prop, sub] of node.properties ?? []) {
        const escaped = escapeName(prop);
        const t = declType(sub, sub.embeddedResource, `${name}.${escaped ?? prop}`);
        if (!t) continue;
        if (escaped) fields.set(escaped, t);
        if (required.has(prop) && sub.default === undefined) minSerialized += prop.length + (t.bounds?.minSerialized ?? 0) + 4;
      }
      return { kind: "object", name, fields, bounds: { maxElements: 0, minSerialized } };
    }
    case "string":
      switch (node.raw.format) {
        case "byte":
          return sized(T.bytes, num(node.raw.maxLength) ?? PER_REQUEST, 2);
        case "duration":
          return sized(T.duration, 32, 3);
        case "date":
          return sized(T.timestamp, 12, 12);
        case "date-time":
          return sized(T.timestamp, 32, 21);
      }
      return sized(T.string, stringBounds(node), 2);
    // Scalars declare no element count upstream (MaxElements 0), which the estimate relies on.
    case "boolean":
      return sized(T.bool, 0, 4);
    case "number":
      return sized(T.double, 0, 1);
    case "integer":
      return sized(T.int, 0, 1);
  }
  return undefined;
}
