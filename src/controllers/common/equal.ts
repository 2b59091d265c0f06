/**
 * Equality and canonical JSON for controller decisions. Equality is apimachinery's
 * Semantic.DeepEqual as far as JSON shows it: nil and empty maps or lists are equal, and an
 * absent key equals one holding undefined.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isEmpty(a) && isEmpty(b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => deepEqual(v, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const x = a[k];
      const y = b[k];
      if (x === undefined && y === undefined) continue;
      if ((x === undefined && isEmpty(y)) || (y === undefined && isEmpty(x))) continue;
      if (!deepEqual(x, y)) return false;
    }
    return true;
  }
  return false;
}

function isEmpty(v: unknown): boolean {
  return v == null || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).every((k) => v[k] === undefined));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) => {
    if (!isObject(value)) return value;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = value[k];
    return out;
  });
}
