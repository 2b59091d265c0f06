/**
 * Equality as upstream's immutability checks see it (apiequality.Semantic.DeepEqual on Go
 * structs). A Go struct cannot tell an absent field from its zero value, and nil maps and slices
 * equal empty ones, so `{}`, `[]`, "", 0, false, null and a missing key all compare equal here
 * when they are the value of an object field. Array elements keep their positions and values.
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (isZero(a) && isZero(b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => elementEqual(v, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!semanticEqual(a[k], b[k])) return false;
    return true;
  }
  return a === b;
}

/** Inside an array a zero value is still a value: [0] differs from [""]. */
function elementEqual(a: unknown, b: unknown): boolean {
  if (isPlainObject(a) || Array.isArray(a)) return semanticEqual(a, b);
  return a === b || (a == null && b == null);
}

function isZero(v: unknown): boolean {
  if (v === undefined || v === null || v === "" || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isPlainObject(v)) return Object.values(v).every(isZero);
  return false;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
