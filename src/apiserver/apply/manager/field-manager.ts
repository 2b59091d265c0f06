/**
 * managedFields through every write, as upstream's field manager keeps them:
 *
 *   recordUpdate  (create, update, patch, /status, /scale): the manager comes to own the fields
 *                 the write added or changed and every other manager loses them, and fields
 *                 the write removed leave every manager. A request that sends managedFields
 *                 replaces the recorded ones (kubectl's migration to server-side apply does so),
 *                 `managedFields: []` starts over, and an object that has none is left
 *                 untracked until it is applied to.
 *   applyConfiguration (server-side apply): see updater.ts, plus kubectl's last-applied
 *                 annotation (last-applied.ts) and an owner "before-first-apply" for the fields of
 *                 an object that was never tracked.
 *
 * Fields nobody owns by definition (type and object identity, resourceVersion, ...) are never
 * recorded, nor is the status on the main resource or anything but the status on /status.
 */
import type { KubeObject } from "../../api/types.ts";
import { ApiError, errors } from "../../api/errors.ts";
import { parseApiVersion } from "../../api/types.ts";
import { jsonEqual, type JsonObject, type JsonValue } from "../../patch/json-value.ts";
import { rfc3339 } from "../../registry/object-meta.ts";
import { FieldSet } from "../fieldpath/field-set.ts";
import { fieldElement, fieldPath, serializePathElement } from "../fieldpath/path-element.ts";
import type { ResourceTypes } from "../schema/field-types.ts";
import { TypedValueError } from "../typed/typed-error.ts";
import { validateApplied } from "../typed/validate.ts";
import { capUpdateManagers } from "./cap-managers.ts";
import { applyConflictError } from "./conflict-error.ts";
import { fieldsStillAsLastApplied, KUBECTL_MANAGER, refreshLastApplied } from "./last-applied.ts";
import { decodeManagedFields, encodeManagedFields, isResetRequest, ManagedFieldsError, managerKey, type Managed, type ManagerIdentity } from "./managed-fields.ts";
import { applyConfig, ConflictsError, takeChangedFields, updatedFields, type FieldFilter, type UpdaterContext } from "./updater.ts";

/** The resource a write goes to. */
export interface ResourceInfo {
  /** group/version of the resource ("apps/v1"). */
  apiVersion: string;
  kind: string;
  statusSubresource: boolean;
}

/** Who writes, through which subresource, when. */
export interface WriteRecord {
  /** The requested manager name ("" is recorded as "unknown", as upstream does). */
  manager: string;
  subresource: "" | "status" | "scale";
  now: number;
}

/** Never owned by anyone (upstream's stripMeta set). */
const UNOWNED = FieldSet.of(
  fieldPath("apiVersion"),
  fieldPath("kind"),
  fieldPath("metadata"),
  fieldPath("metadata", "name"),
  fieldPath("metadata", "namespace"),
  fieldPath("metadata", "creationTimestamp"),
  fieldPath("metadata", "selfLink"),
  fieldPath("metadata", "uid"),
  fieldPath("metadata", "clusterName"),
  fieldPath("metadata", "generation"),
  fieldPath("metadata", "managedFields"),
  fieldPath("metadata", "resourceVersion"),
);
const STATUS = FieldSet.of(fieldPath("status"));
const STATUS_ELEMENT = fieldElement("status");

/** What a write may own: the main resource of a type with /status never owns the status, /status owns nothing else. */
function requestFilter(res: ResourceInfo, subresource: WriteRecord["subresource"]): FieldFilter {
  if (subresource === "status") {
    return (set) => {
      const out = new FieldSet();
      if (set.hasMember(STATUS_ELEMENT)) out.insert([STATUS_ELEMENT]);
      const below = set.withPrefix(STATUS_ELEMENT);
      return below.empty() ? out : out.union(prefixed(below));
    };
  }
  if (subresource === "" && res.statusSubresource) return (set) => set.recursiveDifference(STATUS);
  return (set) => set;
}

function prefixed(below: FieldSet): FieldSet {
  const out = new FieldSet();
  out.addChild(serializePathElement(STATUS_ELEMENT), { pe: STATUS_ELEMENT, set: below });
  return out;
}

/** The object as field management sees it: without its managedFields. */
function view(obj: KubeObject | JsonObject): JsonObject {
  const meta = obj.metadata;
  if (meta === null || typeof meta !== "object" || Array.isArray(meta) || !("managedFields" in meta)) return obj as JsonObject;
  const { managedFields: _dropped, ...rest } = meta as Record<string, unknown>;
  return { ...(obj as JsonObject), metadata: rest as JsonObject };
}

function decodeOrEmpty(value: unknown, stored: boolean): Managed {
  try {
    return decodeManagedFields(value as JsonValue | undefined, stored);
  } catch (err) {
    if (err instanceof ManagedFieldsError) return new Map();
    throw err;
  }
}

function identity(res: ResourceInfo, who: WriteRecord, operation: "Apply" | "Update", manager = who.manager): ManagerIdentity {
  return { manager: manager || "unknown", operation, apiVersion: res.apiVersion, subresource: who.subresource };
}

/** One update's bookkeeping on `managed` (the "current operation" merged into its manager). */
function recordInto(types: ResourceTypes, res: ResourceInfo, managed: Managed, before: JsonObject, after: JsonObject, who: WriteRecord, manager?: string): void {
  const ctx: UpdaterContext = { type: types.root, filter: requestFilter(res, who.subresource) };
  const comparison = takeChangedFields(ctx, before, after, managed, undefined, true);
  const changed = updatedFields(ctx, comparison).difference(UNOWNED);
  if (changed.empty()) return;
  const id = identity(res, who, "Update", manager);
  const key = managerKey(id);
  const previous = managed.get(key);
  managed.set(key, { identity: id, apiVersion: res.apiVersion, set: previous ? changed.union(previous.set) : changed, time: rfc3339(who.now) });
}

function setManagedFields(obj: KubeObject, managed: Managed): void {
  const encoded = encodeManagedFields(managed);
  const meta = { ...obj.metadata };
  if (encoded) meta.managedFields = encoded as NonNullable<typeof meta.managedFields>;
  else delete meta.managedFields;
  obj.metadata = meta;
}

/**
 * Records a create (`live` undefined) or an update on `next`'s managedFields. Never fails the
 * write: an object that cannot be walked is stored without managedFields, as upstream does.
 */
export function recordUpdate(types: ResourceTypes, res: ResourceInfo, live: KubeObject | undefined, next: KubeObject, who: WriteRecord): void {
  let managed: Managed;
  const sent = next.metadata?.managedFields as JsonValue | undefined;
  const stored = live?.metadata?.managedFields as JsonValue | undefined;
  // Most writes send back what they read (patches always do): then the stored entries are the ones to use.
  if ((who.subresource !== "" && live) || (stored !== undefined && sent !== undefined && jsonEqual(sent, stored))) managed = decodeOrEmpty(stored, true);
  else if (isResetRequest(sent)) managed = new Map();
  else {
    managed = decodeOrEmpty(sent, false);
    if (managed.size === 0 && live) managed = decodeOrEmpty(stored, true);
  }
  if (next.metadata) delete next.metadata.managedFields;
  // An object stored without managedFields stays untracked until someone applies to it.
  if (managed.size === 0 && live) return;
  try {
    recordInto(types, res, managed, view(live ?? types.zero()), view(next), who);
    capUpdateManagers(managed);
    setManagedFields(next, managed);
  } catch (err) {
    if (!(err instanceof TypedValueError)) throw err;
    if (next.metadata) delete next.metadata.managedFields;
  }
}

export interface ApplyOptions extends WriteRecord {
  force: boolean;
}

/** Upstream's GroupVersionKind.String(): "apps/v1, Kind=Deployment", "/v1, Kind=Pod". */
function gvkString(apiVersion: unknown, kind: unknown): string {
  const { group, version } = parseApiVersion(typeof apiVersion === "string" ? apiVersion : "");
  return `${group}/${version}, Kind=${typeof kind === "string" ? kind : ""}`;
}

/** A Go error that reached the handler as is: 500 without a reason. */
export class UnclassifiedError extends ApiError {
  constructor(message: string) {
    super(500, "InternalError", message);
  }

  override toStatus() {
    const { reason: _none, ...status } = super.toStatus();
    return status;
  }
}

function describeObject(config: JsonObject, res: ResourceInfo): string {
  const meta = (config.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  const ns = typeof meta.namespace === "string" ? meta.namespace : "";
  const name = typeof meta.name === "string" ? meta.name : "";
  return `${ns}/${name}; ${gvkString(res.apiVersion, res.kind)}`;
}

/**
 * Server-side apply of `config` by `who` to `live` (undefined: the object does not exist yet).
 * Returns the object to store, managedFields set; throws ApiError (409 on conflicts).
 */
export function applyConfiguration(types: ResourceTypes, res: ResourceInfo, live: KubeObject | undefined, config: JsonObject, who: ApplyOptions): KubeObject {
  if (config.apiVersion !== res.apiVersion || config.kind !== res.kind) throw errors.badRequest(`invalid object type: ${gvkString(config.apiVersion, config.kind)}`);
  let managed: Managed;
  try {
    managed = decodeManagedFields(live?.metadata?.managedFields as JsonValue | undefined, true);
  } catch (err) {
    if (!(err instanceof ManagedFieldsError)) throw err;
    throw new UnclassifiedError(`failed to decode managed fields: ${err.message}`);
  }
  const configMeta = config.metadata as JsonObject | undefined;
  if (configMeta && configMeta.managedFields !== undefined && configMeta.managedFields !== null) throw errors.badRequest("metadata.managedFields must be nil");
  try {
    validateApplied(types.root, config);
  } catch (err) {
    if (err instanceof TypedValueError) throw new UnclassifiedError(`failed to create typed patch object (${describeObject(config, res)}): ${err.message}`);
    throw err;
  }
  const before = view(live ?? types.zero());
  try {
    // Fields of an object nobody tracked belong to "before-first-apply", so applying to it
    // conflicts with what was there instead of silently taking it over.
    if (managed.size === 0 && live) recordInto(types, res, managed, view(types.zero()), before, { ...who, subresource: who.subresource }, "before-first-apply");
    const attempt = (force: boolean) => {
      const working: Managed = new Map(managed);
      return { working, result: applyOnce(types, res, working, before, config, who, force) };
    };
    let outcome: ReturnType<typeof attempt>;
    try {
      outcome = attempt(who.force);
    } catch (err) {
      if (!(err instanceof ConflictsError) || who.manager !== KUBECTL_MANAGER || !live) throw err;
      const excused = fieldsStillAsLastApplied(types.root, before, live, res.apiVersion);
      if (!excused) throw err;
      const remaining = err.conflicts.filter((c) => !excused.has(c.path));
      if (remaining.length > 0) throw new ConflictsError(remaining);
      outcome = attempt(true);
    }
    const object = structuredClone((outcome.result ?? before) as KubeObject);
    if (who.manager === KUBECTL_MANAGER) refreshLastApplied(object, config);
    setManagedFields(object, outcome.working);
    return object;
  } catch (err) {
    if (err instanceof ConflictsError) throw applyConflictError(err.conflicts);
    if (err instanceof TypedValueError) throw new UnclassifiedError(`failed to create typed live object (${describeObject(before, res)}): ${err.message}`);
    throw err;
  }
}

/** One apply attempt on `managed`; returns the merged object, or undefined when nothing changed. */
function applyOnce(types: ResourceTypes, res: ResourceInfo, managed: Managed, before: JsonObject, config: JsonObject, who: ApplyOptions, force: boolean): JsonObject | undefined {
  const ctx: UpdaterContext = { type: types.root, filter: requestFilter(res, who.subresource) };
  const id = identity(res, who, "Apply");
  const key = managerKey(id);
  const previous = managed.get(key);
  const { merged } = applyConfig(ctx, before, config, managed, key, { identity: id, apiVersion: res.apiVersion, time: previous?.time }, force);
  const entry = managed.get(key);
  if (entry) {
    const set = entry.set.difference(UNOWNED);
    if (set.empty()) managed.delete(key);
    else managed.set(key, { ...entry, set, time: merged !== undefined ? rfc3339(who.now) : entry.time });
  }
  return merged as JsonObject | undefined;
}
