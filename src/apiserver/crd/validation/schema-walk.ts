/** Whether any schema node of a JSONSchemaProps tree satisfies a predicate (upstream's SchemaHas). */
import type { JSONSchemaProps } from "../types.ts";

const isSchema = (v: unknown): v is JSONSchemaProps => typeof v === "object" && v !== null && !Array.isArray(v);

/** Every sub-schema a node holds, through the keywords that nest schemas. */
function children(s: JSONSchemaProps): JSONSchemaProps[] {
  const out: JSONSchemaProps[] = [];
  const push = (v: unknown) => {
    if (isSchema(v)) out.push(v);
  };
  const pushMap = (v: unknown) => {
    if (isSchema(v)) for (const child of Object.values(v)) push(child);
  };
  if (Array.isArray(s.items)) s.items.forEach(push);
  else push(s.items);
  push(s.additionalProperties);
  push(s.additionalItems);
  push(s.not);
  for (const key of ["allOf", "anyOf", "oneOf"]) if (Array.isArray(s[key])) (s[key] as unknown[]).forEach(push);
  pushMap(s.properties);
  pushMap(s.patternProperties);
  pushMap(s.definitions);
  // dependencies hold either schemas or lists of property names.
  pushMap(s.dependencies);
  return out;
}

export function schemaHas(schema: JSONSchemaProps | undefined, pred: (s: JSONSchemaProps) => boolean): boolean {
  if (!schema) return false;
  const stack = [schema];
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (pred(s)) return true;
    stack.push(...children(s));
  }
  return false;
}
