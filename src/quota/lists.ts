/** Resource lists in and out of nano-unit maps, printed as upstream prints them in quota messages. */
import { formatQuantity, parseQuantity, type QuantityFormat } from "../apiserver/validation/quantity.ts";
import type { Usage } from "./usage.ts";

export function parseResourceList(list: Record<string, unknown> | undefined): Usage {
  const out: Usage = new Map();
  for (const [k, v] of Object.entries(list ?? {})) {
    const q = parseQuantity(String(v));
    if (q) out.set(k, q.nanos);
  }
  return out;
}

/** Binary units for byte-sized resources (memory, storage), as upstream's quantities keep their format. */
function formatFor(name: string): QuantityFormat {
  return /memory|storage|hugepages/.test(name) ? "BinarySI" : "DecimalSI";
}

export function formatResourceList(usage: Usage, formats?: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of [...usage.keys()].sort()) {
    const hint = formats?.[k] !== undefined ? parseQuantity(String(formats[k]))?.format : undefined;
    out[k] = formatQuantity({ nanos: usage.get(k)!, format: hint ?? formatFor(k) });
  }
  return out;
}

/** Upstream's prettyPrint of a ResourceList: "k=v,k2=v2", sorted by name. */
export function prettyPrint(list: Record<string, string>): string {
  return Object.keys(list)
    .sort()
    .map((k) => `${k}=${list[k]}`)
    .join(",");
}

export function sumUsage(a: Usage, b: Usage): Usage {
  const out = new Map(a);
  for (const [k, v] of b) out.set(k, (out.get(k) ?? 0n) + v);
  return out;
}
