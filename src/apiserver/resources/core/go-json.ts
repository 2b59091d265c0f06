/**
 * Error text of Go's encoding/json when a document is decoded into a map, for the validation
 * messages that quote it (docker config secrets). Common cases only.
 */

/** The Go error for `text` decoded into map[string]interface{}, or undefined when it decodes. */
export function goJSONError(text: string): string | undefined {
  if (text.trim() === "") return "unexpected end of JSON input";
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const bad = firstBadCharacter(text);
    return bad === undefined ? "unexpected end of JSON input" : `invalid character '${bad}' looking for beginning of value`;
  }
  if (value === null || (typeof value === "object" && !Array.isArray(value))) return undefined;
  const kind = Array.isArray(value) ? "array" : typeof value === "string" ? "string" : typeof value === "number" ? "number" : "bool";
  return `json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`;
}

function firstBadCharacter(text: string): string | undefined {
  const trimmed = text.trimStart();
  const c = trimmed[0];
  if (c === undefined) return undefined;
  return /[{["\-0-9tfn]/.test(c) ? undefined : c;
}
