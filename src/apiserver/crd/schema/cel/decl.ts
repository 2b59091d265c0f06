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

export function declType(s: Structural | undefined, isResourceRoot: boolean, name: string): CelType | undefined {
  if (!s) return undefined;
  if (s.intOrString) return T.dyn;
  const node = isResourceRoot ? withTypeAndObjectMeta(s) : s;
  switch (node.type) {
    case "array": {
      if (!node.items) return undefined;
      const elem = declType(node.items, node.items.embeddedResource, `${name}.@idx`);
      return elem && T.list(elem);
    }
    case "object": {
      const ap = node.additionalProperties?.schema;
      if (ap) {
        const value = declType(ap, ap.embeddedResource, `${name}.@elem`);
        return value && T.map(T.string, value);
      }
      const fields = new Map<string, CelType>();
      for (const [prop, sub] of node.properties ?? []) {
        const escaped = escapeName(prop);
        if (!escaped) continue;
        const t = declType(sub, sub.embeddedResource, `${name}.${escaped}`);
        if (t) fields.set(escaped, t);
      }
      return { kind: "object", name, fields };
    }
    case "string":
      switch (node.raw.format) {
        case "byte":
          return T.bytes;
        case "duration":
          return T.duration;
        case "date":
        case "date-time":
          return T.timestamp;
      }
      return T.string;
    case "boolean":
      return T.bool;
    case "number":
      return T.double;
    case "integer":
      return T.int;
  }
  return undefined;
}
