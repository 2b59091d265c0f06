/**
 * CEL static types for the checker, printed as cel-go's checker prints them ("list(int)",
 * "map(string, dyn)", "selfType1.spec"), and assignability with type parameters.
 */

/**
 * Size bounds from the schema (upstream's DeclType MaxElements and MinSerializedSize), carried by
 * the types of schema values for the static cost estimate: the most characters, items or
 * entries a value can have, and the fewest bytes it takes in JSON.
 */
export interface SizeBounds {
  maxElements: number;
  minSerialized: number;
}

export type CelType = (
  | { kind: "int" | "uint" | "double" | "bool" | "string" | "bytes" | "null" | "duration" | "timestamp" | "dyn" | "error" }
  | { kind: "list"; elem: CelType }
  | { kind: "map"; key: CelType; value: CelType }
  | { kind: "object"; name: string; fields: Map<string, CelType> }
  | { kind: "type"; of: CelType }
  | { kind: "optional"; elem: CelType }
  | { kind: "param"; name: string }
  | { kind: "opaque"; name: string }
) & { bounds?: SizeBounds };

export const T = {
  int: { kind: "int" } as CelType,
  uint: { kind: "uint" } as CelType,
  double: { kind: "double" } as CelType,
  bool: { kind: "bool" } as CelType,
  string: { kind: "string" } as CelType,
  bytes: { kind: "bytes" } as CelType,
  null: { kind: "null" } as CelType,
  duration: { kind: "duration" } as CelType,
  timestamp: { kind: "timestamp" } as CelType,
  dyn: { kind: "dyn" } as CelType,
  error: { kind: "error" } as CelType,
  list: (elem: CelType): CelType => ({ kind: "list", elem }),
  map: (key: CelType, value: CelType): CelType => ({ kind: "map", key, value }),
  type: (of: CelType): CelType => ({ kind: "type", of }),
  optional: (elem: CelType): CelType => ({ kind: "optional", elem }),
  param: (name: string): CelType => ({ kind: "param", name }),
  opaque: (name: string): CelType => ({ kind: "opaque", name }),
};

export function formatType(t: CelType): string {
  switch (t.kind) {
    case "error":
      return "!error!";
    case "list":
      return `list(${formatType(t.elem)})`;
    case "map":
      return `map(${formatType(t.key)}, ${formatType(t.value)})`;
    case "object":
      return t.name;
    case "type":
      return `type(${formatType(t.of)})`;
    case "optional":
      return `optional_type(${formatType(t.elem)})`;
    case "param":
    case "opaque":
      return t.name;
    default:
      return t.kind;
  }
}

export type Bindings = Map<string, CelType>;

export function substitute(t: CelType, b: Bindings): CelType {
  switch (t.kind) {
    case "param": {
      const bound = b.get(t.name);
      return bound ? substitute(bound, b) : T.dyn;
    }
    case "list":
      return T.list(substitute(t.elem, b));
    case "map":
      return T.map(substitute(t.key, b), substitute(t.value, b));
    case "type":
      return T.type(substitute(t.of, b));
    case "optional":
      return T.optional(substitute(t.elem, b));
    default:
      return t;
  }
}

function isDynLike(t: CelType): boolean {
  return t.kind === "dyn" || t.kind === "error";
}

/**
 * Whether a value of type `from` may be passed where `to` is expected, binding type parameters
 * of `to` in `b` (cel-go's isAssignable, simplified: dyn is assignable both ways).
 */
export function assignable(to: CelType, from: CelType, b: Bindings): boolean {
  if (to.kind === "param") {
    const bound = b.get(to.name);
    if (!bound) {
      b.set(to.name, from);
      return true;
    }
    if (assignable(bound, from, b)) return true;
    // A dyn binding narrows to the more specific type seen later.
    if (isDynLike(bound)) {
      b.set(to.name, from);
      return true;
    }
    return isDynLike(from);
  }
  if (isDynLike(to) || isDynLike(from)) return true;
  switch (to.kind) {
    case "list":
      return from.kind === "list" && assignable(to.elem, from.elem, b);
    case "map":
      return from.kind === "map" && assignable(to.key, from.key, b) && assignable(to.value, from.value, b);
    case "type":
      return from.kind === "type" && assignable(to.of, from.of, b);
    case "optional":
      return from.kind === "optional" && assignable(to.elem, from.elem, b);
    case "object":
      // null is assignable to object (message) types, as in cel-go.
      return (from.kind === "object" && from.name === to.name) || from.kind === "null";
    case "opaque":
      return from.kind === "opaque" && from.name === to.name;
    default:
      return to.kind === from.kind;
  }
}

/** The common type of list/map literal members, or undefined when they differ (homogeneous literals). */
export function join(a: CelType | undefined, b: CelType): CelType | undefined {
  if (!a) return b;
  if (isDynLike(a)) return a;
  if (isDynLike(b)) return b;
  return assignable(a, b, new Map()) ? a : undefined;
}
