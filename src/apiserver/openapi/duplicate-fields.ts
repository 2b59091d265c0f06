/**
 * Keys that appear twice in one JSON object. JSON.parse silently keeps the last one, as Go's
 * decoder does, but fieldValidation=Strict|Warn must report them (`duplicate field "<path>"`,
 * see unknown-fields.ts), so they are found by scanning the text. Paths are written like the
 * unknown-field paths: `spec.replicas`, `spec.containers[1].name`.
 *
 * The text must already be valid JSON (patch/json-syntax.ts checks that first).
 */

type Frame = { array: false; path: string; keys: Set<string>; key: string | undefined; expectKey: boolean } | { array: true; path: string; index: number };

export function duplicateFields(text: string): string[] {
  const out: string[] = [];
  const stack: Frame[] = [];
  const childPath = (): string => {
    const top = stack[stack.length - 1];
    if (!top) return "";
    if (top.array) return `${top.path}[${top.index}]`;
    return top.path === "" ? (top.key ?? "") : `${top.path}.${top.key ?? ""}`;
  };
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */) {
      stack.push({ array: false, path: childPath(), keys: new Set(), key: undefined, expectKey: true });
      i++;
    } else if (c === 0x5b /* [ */) {
      stack.push({ array: true, path: childPath(), index: 0 });
      i++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      i++;
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.array) top.index++;
      else if (top) top.expectKey = true;
      i++;
    } else if (c === 0x22 /* " */) {
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c /* \ */ ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top && !top.array && top.expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        top.key = key;
        top.expectKey = false;
        if (top.keys.has(key)) out.push(top.path === "" ? key : `${top.path}.${key}`);
        else top.keys.add(key);
      }
      i = j + 1;
    } else {
      i++;
    }
  }
  return out;
}
