/**
 * Kubernetes' $(VAR) expansion for env values, command, args and subPathExpr: a defined
 * variable is replaced, an undefined one is left as written, `$$` escapes a `$`, and an
 * unterminated `$(` stays as is.
 */
export type Mapping = (name: string) => string;

/** A mapping over the given maps (first match wins); undefined names stay "$(NAME)". */
export function mappingFor(...maps: Array<Map<string, string>>): Mapping {
  return (name) => {
    for (const m of maps) {
      const v = m.get(name);
      if (v !== undefined) return v;
    }
    return `$(${name})`;
  };
}

export function expand(input: string, mapping: Mapping): string {
  let out = "";
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== "$" || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const rest = input.slice(cursor + 1);
    let advance = 1;
    if (rest[0] === "$") out += "$";
    else if (rest[0] === "(") {
      const close = rest.indexOf(")", 1);
      if (close > 0) {
        out += mapping(rest.slice(1, close));
        advance = close + 1;
      } else out += "$(";
    } else out += `$${rest[0]}`;
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}
