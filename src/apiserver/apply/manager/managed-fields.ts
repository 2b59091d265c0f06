/**
 * metadata.managedFields <-> the managers' field sets. Each entry is one manager, identified as
 * upstream identifies it: by name, operation, subresource and (for Update entries only) API
 * version; an applier owns its fields whichever version it last applied with. Entries are
 * written sorted as upstream writes them: Apply before Update, then oldest first, then by name,
 * API version and subresource.
 */
import { isJsonObject, type JsonObject, type JsonValue } from "../../patch/json-value.ts";
import { FieldSet } from "../fieldpath/field-set.ts";
import { FieldsV1Error, fromFieldsV1, toFieldsV1 } from "../fieldpath/fields-v1.ts";
import { compareStrings, goJsonString } from "../fieldpath/json-order.ts";

export type Operation = "Apply" | "Update";

/** Who a set of fields belongs to. */
export interface ManagerIdentity {
  manager: string;
  operation: Operation;
  /** The version written with; part of the identity of Update entries only. */
  apiVersion: string;
  subresource: string;
}

export interface ManagerFields {
  identity: ManagerIdentity;
  set: FieldSet;
  /** The API version the set was recorded in (an applier's latest). */
  apiVersion: string;
  /** RFC 3339 time of the manager's last change, if known. */
  time?: string;
}

/** Managers by identifier (managerKey). */
export type Managed = Map<string, ManagerFields>;

export class ManagedFieldsError extends Error {}

/**
 * The identifier upstream keys managers by: the entry without time and fields, as Go's JSON
 * encoder writes it, API version left out for appliers. Conflict messages are built from it.
 */
export function managerKey(id: ManagerIdentity): string {
  let out = `{"manager":${goJsonString(id.manager)},"operation":${goJsonString(id.operation)}`;
  if (id.operation === "Update" && id.apiVersion) out += `,"apiVersion":${goJsonString(id.apiVersion)}`;
  if (id.subresource) out += `,"subresource":${goJsonString(id.subresource)}`;
  return out + "}";
}

/**
 * Decodes managedFields, refusing entries upstream's decoder refuses. `stored`: they come from
 * the stored object, so they were written by this server.
 */
export function decodeManagedFields(value: JsonValue | undefined, stored = false): Managed {
  const managed: Managed = new Map();
  if (value === undefined || value === null) return managed;
  if (!Array.isArray(value)) throw new ManagedFieldsError("managedFields must be a list");
  value.forEach((raw, i) => {
    if (!isJsonObject(raw)) throw new ManagedFieldsError(`managed fields entry ${i} is not an object`);
    const operation = raw.operation;
    if (operation !== "Apply" && operation !== "Update") throw new ManagedFieldsError("operation must be `Apply` or `Update`");
    const apiVersion = typeof raw.apiVersion === "string" ? raw.apiVersion : "";
    if (apiVersion === "") throw new ManagedFieldsError("apiVersion must not be empty");
    if (raw.fieldsType === undefined || raw.fieldsType === "") throw new ManagedFieldsError(`missing fieldsType in managed fields entry ${i}`);
    if (raw.fieldsType !== "FieldsV1") throw new ManagedFieldsError(`invalid fieldsType ${JSON.stringify(raw.fieldsType)} in managed fields entry ${i}`);
    const identity: ManagerIdentity = {
      manager: typeof raw.manager === "string" ? raw.manager : "",
      operation,
      apiVersion,
      subresource: typeof raw.subresource === "string" ? raw.subresource : "",
    };
    let set: FieldSet;
    try {
      set = fromFieldsV1(raw.fieldsV1 ?? {}, stored);
    } catch (err) {
      if (!(err instanceof FieldsV1Error)) throw err;
      throw new ManagedFieldsError(`error decoding versioned set: ${err.message}`);
    }
    const time = typeof raw.time === "string" ? raw.time : undefined;
    managed.set(managerKey(identity), { identity, set, apiVersion, time });
  });
  return managed;
}

/** Seconds since the epoch of an entry's time (0 without one), the precision upstream sorts by. */
export function entrySeconds(time: string | undefined): number {
  if (!time) return 0;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

/** Encodes the managers as managedFields entries, sorted; undefined when there are none. */
export function encodeManagedFields(managed: Managed): JsonObject[] | undefined {
  if (managed.size === 0) return undefined;
  const entries = [...managed.values()].map((m) => {
    const entry: JsonObject = { manager: m.identity.manager, operation: m.identity.operation, apiVersion: m.apiVersion };
    if (m.time) entry.time = m.time;
    entry.fieldsType = "FieldsV1";
    entry.fieldsV1 = toFieldsV1(m.set);
    if (m.identity.subresource) entry.subresource = m.identity.subresource;
    return { m, entry };
  });
  entries.sort((a, b) => {
    const p = a.m;
    const q = b.m;
    if (p.identity.operation !== q.identity.operation) return p.identity.operation < q.identity.operation ? -1 : 1;
    const ps = entrySeconds(p.time);
    const qs = entrySeconds(q.time);
    if (ps !== qs) return ps < qs ? -1 : 1;
    return compareStrings(p.identity.manager, q.identity.manager) || compareStrings(p.apiVersion, q.apiVersion) || compareStrings(p.identity.subresource, q.identity.subresource);
  });
  return entries.map((e) => e.entry);
}

/**
 * `managedFields: []` (or one empty entry) in a request asks to reset field management; upstream
 * then starts over from nothing instead of keeping the stored entries.
 */
export function isResetRequest(value: JsonValue | undefined): boolean {
  if (!Array.isArray(value)) return false;
  if (value.length === 0) return true;
  const only = value[0]!;
  return value.length === 1 && isJsonObject(only) && Object.values(only).every((v) => v === null || v === "");
}
