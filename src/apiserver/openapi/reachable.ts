/** Walking schemas: every sub-schema, and the definitions a set of roots needs. */
import { refName, type Schema } from "./schema.ts";

/** Direct sub-schemas of a schema (not following $refs). */
export function childSchemas(s: Schema): Schema[] {
  const out: Schema[] = [];
  if (s.properties) out.push(...Object.values(s.properties));
  if (s.items) out.push(s.items);
  if (typeof s.additionalProperties === "object") out.push(s.additionalProperties);
  for (const list of [s.allOf, s.oneOf, s.anyOf]) if (list) out.push(...list);
  if (s.not) out.push(s.not);
  return out;
}

/** Names of the definitions `roots` need, themselves included, in sorted order. */
export function reachableDefinitions(roots: Iterable<string>, definitions: (name: string) => Schema | undefined): string[] {
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    const def = definitions(name);
    if (!def) continue;
    seen.add(name);
    const stack = [def];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (s.$ref) queue.push(refName(s.$ref));
      stack.push(...childSchemas(s));
    }
  }
  return [...seen].sort();
}
