/**
 * The `fieldPath` of an x-kubernetes-validations rule (upstream's ValidFieldPath): a JSON path
 * from the rule's node, ".a.b" or ".a['b.c']", that must name declared properties (or keys of
 * additionalProperties maps). It moves a failing rule's error onto that field.
 */
import type { Structural } from "./structural.ts";

export type FieldPathResult = { ok: true; path: string; schema: Structural } | { ok: false; error: string };

/** Splits on ".", "[" and "]" outside single-quoted strings, keeping the delimiters. */
function tokens(path: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < path.length) {
    const c = path[i]!;
    if (c === "." || c === "[" || c === "]") {
      out.push(c);
      i++;
      continue;
    }
    let j = i;
    if (c === "'") {
      j++;
      while (j < path.length && !(path[j] === "'" && path[j - 1] !== "\\")) j++;
      out.push(path.slice(i, Math.min(j + 1, path.length)));
      i = j + 1;
      continue;
    }
    while (j < path.length && path[j] !== "." && path[j] !== "[" && path[j] !== "]") j++;
    out.push(path.slice(i, j));
    i = j;
  }
  return out;
}

const ESCAPES: Record<string, string> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "'": "'", "\\": "\\" };

function unescapeSingleQuote(s: string): string | undefined {
  let bad = false;
  const out = s.replace(/\\./g, (m) => {
    const r = ESCAPES[m[1]!];
    if (r === undefined) bad = true;
    return r ?? "";
  });
  return bad ? undefined : out;
}

/** field.Path text of the named path, relative to the rule's node. */
export function validFieldPath(jsonPath: string, root: Structural): FieldPathResult {
  let schema: Structural = root;
  let path = "";
  const toks = tokens(jsonPath);
  const step = (name: string): string | undefined => {
    if (schema.properties) {
      const next = schema.properties.get(name);
      if (!next) return "does not refer to a valid field";
      path = path ? `${path}.${name}` : name;
      schema = next;
    } else if (schema.additionalProperties) {
      path = `${path}[${name}]`;
      const next = schema.additionalProperties.schema;
      if (!next) return "does not refer to a valid field";
      schema = next;
    } else return "does not refer to a valid field";
    return undefined;
  };
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    if (t === "[") {
      const lit = toks[++i];
      if (lit === undefined) return { ok: false, error: "unexpected end of JSON path" };
      if (lit.length < 2 || !lit.startsWith("'") || !lit.endsWith("'")) return { ok: false, error: `expected single quoted string but got ${lit}` };
      const name = unescapeSingleQuote(lit.slice(1, -1));
      if (name === undefined) return { ok: false, error: "invalid string literal" };
      const err = step(name);
      if (err) return { ok: false, error: err };
      const close = toks[++i];
      if (close === undefined) return { ok: false, error: "unexpected end of JSON path" };
      if (close !== "]") return { ok: false, error: `expected ] but got ${close}` };
    } else if (t === ".") {
      const name = toks[++i];
      if (name === undefined) return { ok: false, error: "unexpected end of JSON path" };
      const err = step(name);
      if (err) return { ok: false, error: err };
    } else return { ok: false, error: `expected [ or . but got: ${t}` };
  }
  return { ok: true, path, schema };
}
