/**
 * The 409 an apply gets when it would change fields other managers own, worded as upstream's
 * (managedfields/internal/conflict.go), which kubectl prints as is:
 *
 *   Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas
 *   Apply failed with 2 conflicts: conflicts with "a" using v1:
 *   - .data.x
 *   - .data.y
 */
import { ApiError, type StatusCause } from "../../api/errors.ts";
import { compareStrings } from "../fieldpath/json-order.ts";
import { pathString } from "../fieldpath/path-element.ts";
import type { Conflict } from "./updater.ts";

/** How a manager is named in conflict messages, from its identifier. */
export function describeManager(key: string): string {
  let id: { manager?: unknown; operation?: unknown; apiVersion?: unknown; subresource?: unknown };
  try {
    id = JSON.parse(key) as typeof id;
  } catch {
    return JSON.stringify(key);
  }
  let text = JSON.stringify(typeof id.manager === "string" ? id.manager : "");
  if (typeof id.subresource === "string" && id.subresource) text += ` with subresource ${JSON.stringify(id.subresource)}`;
  if (id.operation === "Update") text += ` using ${typeof id.apiVersion === "string" ? id.apiVersion : ""}`;
  return text;
}

export function applyConflictError(conflicts: Conflict[]): ApiError {
  const sorted = [...conflicts].sort((a, b) => compareStrings(a.manager, b.manager));
  const causes: StatusCause[] = sorted.map((c) => ({ reason: "FieldManagerConflict", message: `conflict with ${describeManager(c.manager)}`, field: pathString(c.path) }));
  let message: string;
  if (sorted.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${describeManager(sorted[0]!.manager)}: ${pathString(sorted[0]!.path)}`;
  } else {
    const lines: string[] = [];
    let current: string | undefined;
    for (const c of sorted) {
      if (c.manager !== current) {
        current = c.manager;
        lines.push(`conflicts with ${describeManager(c.manager)}:`);
      }
      lines.push(`- ${pathString(c.path)}`);
    }
    message = `Apply failed with ${sorted.length} conflicts: ${lines.join("\n")}`;
  }
  return new ApiError(409, "Conflict", message, { causes });
}
