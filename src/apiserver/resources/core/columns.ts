/**
 * Helpers for the core Table columns: a column from its parts, and the cell formats upstream's
 * printers share (label sets, access modes, "<none>" fallbacks).
 */
export { column } from "../printing.ts";

/** labels.FormatLabels: "k=v" pairs sorted by key, joined by ","; "<none>" when empty. */
export function formatLabels(labels: Record<string, string> | undefined | null): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length ? keys.map((k) => `${k}=${labels![k]}`).join(",") : "<none>";
}

/** An empty string shown as "<none>", as most printers do. */
export function orNone(value: string | undefined | null): string {
  return value ? value : "<none>";
}

/** helper.GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order, each once. */
export function accessModesString(modes: string[] | undefined | null): string {
  const have = new Set(modes ?? []);
  const short: Array<[string, string]> = [
    ["ReadWriteOnce", "RWO"],
    ["ReadOnlyMany", "ROX"],
    ["ReadWriteMany", "RWX"],
    ["ReadWriteOncePod", "RWOP"],
  ];
  return short
    .filter(([mode]) => have.has(mode))
    .map(([, s]) => s)
    .join(",");
}
