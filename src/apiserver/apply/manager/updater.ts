/**
 * Field ownership through a write (upstream's structured-merge-diff Updater): an update gives
 * its manager the fields it changed and takes them from everyone else; an apply merges the
 * configuration, gives its manager exactly the configuration's fields, removes the fields it
 * applied last time and no longer does (unless someone else owns them), and refuses to change
 * fields other managers own unless forced.
 *
 * Objects are compared in the request's version only: kts serves each kind at one storage shape,
 * so managers recorded in another version are compared on the same paths.
 */
import type { JsonValue } from "../../patch/json-value.ts";
import { jsonEqual } from "../../patch/json-value.ts";
import { FieldSet } from "../fieldpath/field-set.ts";
import type { Path } from "../fieldpath/path-element.ts";
import type { TypeNode } from "../schema/type-node.ts";
import { compareValues, type Comparison } from "../typed/compare.ts";
import { mergeValues } from "../typed/merge.ts";
import { withNamedFieldsAsMembers } from "../typed/named-fields.ts";
import { removeFields } from "../typed/remove.ts";
import { toFieldSet } from "../typed/to-field-set.ts";
import type { Managed, ManagerFields } from "./managed-fields.ts";

/** One field another manager owns that a write would change. */
export interface Conflict {
  /** The other manager's identifier (managerKey). */
  manager: string;
  path: Path;
}

export class ConflictsError extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super(`${conflicts.length} conflict(s)`);
  }
}

/** Drops fields the request may not own (the status on the main resource, ...). */
export type FieldFilter = (set: FieldSet) => FieldSet;

export interface UpdaterContext {
  type: TypeNode;
  filter: FieldFilter;
}

function filterComparison(c: Comparison, filter: FieldFilter): Comparison {
  return { added: filter(c.added), modified: filter(c.modified), removed: filter(c.removed) };
}

/**
 * Takes the fields `next` changes from every manager but `self`: changed fields only when
 * `force` (else ConflictsError), removed fields always. Returns the comparison.
 */
export function takeChangedFields(ctx: UpdaterContext, live: JsonValue, next: JsonValue, managed: Managed, self: string | undefined, force: boolean): Comparison {
  const comparison = filterComparison(compareValues(ctx.type, live, next), ctx.filter);
  const changed = comparison.modified.union(comparison.added);
  const conflicts: Conflict[] = [];
  const taken = new Map<string, FieldSet>();
  for (const [key, m] of managed) {
    if (key === self) continue;
    const overlap = m.set.intersection(changed);
    if (overlap.empty()) continue;
    taken.set(key, overlap);
    for (const path of overlap.paths()) conflicts.push({ manager: key, path });
  }
  if (!force && conflicts.length > 0) throw new ConflictsError(conflicts);
  const removed = comparison.removed;
  for (const [key, m] of [...managed]) {
    if (key === self) continue;
    let set = m.set;
    const lost = taken.get(key);
    if (lost) set = set.difference(lost);
    if (!removed.empty()) set = set.difference(removed);
    if (set.empty()) managed.delete(key);
    else if (set !== m.set) managed.set(key, { ...m, set });
  }
  return comparison;
}

/** The fields an update changed (added or modified), as its manager comes to own them. */
export function updatedFields(ctx: UpdaterContext, comparison: Comparison): FieldSet {
  return ctx.filter(comparison.modified.union(comparison.added));
}

export interface ApplyResult {
  /** The merged object; undefined when applying changed nothing. */
  merged: JsonValue | undefined;
}

/**
 * Applies `config` over `live` for the manager `self` (whose entry in `managed` is replaced by
 * `entry` with the configuration's fields). Throws ConflictsError unless `force`.
 */
export function applyConfig(ctx: UpdaterContext, live: JsonValue, config: JsonValue, managed: Managed, self: string, entry: Omit<ManagerFields, "set">, force: boolean): ApplyResult {
  let merged: JsonValue = mergeValues(ctx.type, live, config) ?? {};
  const last = managed.get(self);
  const set = ctx.filter(toFieldSet(ctx.type, config));
  managed.set(self, { ...entry, set });
  // Pruning can only remove what the manager applied before and applies no longer.
  if (last && !last.set.difference(set).empty()) merged = prune(ctx, merged, managed, last.set);
  takeChangedFields(ctx, live, merged, managed, self, force);
  return { merged: jsonEqual(live, merged) ? undefined : merged };
}

/**
 * Removes what the manager applied last time and no longer applies, keeping whatever another
 * manager (or the new configuration) owns, and leaving alone fields nobody owned before.
 */
function prune(ctx: UpdaterContext, merged: JsonValue, managed: Managed, lastSet: FieldSet): JsonValue {
  const named = (s: FieldSet) => withNamedFieldsAsMembers(s, ctx.type);
  const last = named(lastSet);
  let pruned = removeFields(ctx.type, merged, last) ?? {};
  // Add back everything someone owns.
  let owned = new FieldSet();
  for (const m of managed.values()) owned = owned.union(m.set);
  const mergedFields = named(toFieldSet(ctx.type, merged));
  pruned = removeFields(ctx.type, merged, mergedFields.difference(named(toFieldSet(ctx.type, pruned)).union(named(owned)))) ?? {};
  // Of what is still gone, only the fields the manager had applied are really removed.
  const gone = mergedFields.difference(named(toFieldSet(ctx.type, pruned))).intersection(last);
  return removeFields(ctx.type, merged, gone) ?? {};
}
