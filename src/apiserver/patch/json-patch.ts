/**
 * RFC 6902 JSON patch, applied as evanphx/json-patch v4 (the library kube-apiserver uses) does,
 * so requests behave the same: `replace` of a missing object member adds it, `add` without a
 * value adds null, `copy` from a missing member copies null, `test` of a missing member passes
 * only for null. Every failure is the same 422 upstream answers with; the reason is kept as
 * the error's cause.
 */
import { patchRejected } from "./patch-errors.ts";
import { childOf, existingIndex, insertIndex, locate, type Container, type Location } from "./json-pointer.ts";
import { deleteOwn, hasOwn, isJsonObject, jsonEqual, setOwn, type JsonObject, type JsonValue } from "./json-value.ts";
import type { Operation } from "./json-patch-decode.ts";

/** How much `copy` operations may grow a document (kube-apiserver's JSONPatchMaxCopyBytes). */
export const MAX_COPY_BYTES = 3 * 1024 * 1024;

interface PatchState {
  root: Container;
  copiedBytes: number;
}

const fail = (message: string): never => {
  throw patchRejected(message);
};

function requirePath(op: Operation, name: "path" | "from"): string {
  return op[name] ?? fail(`${op.op} operation failed to decode ${name}: missing value`);
}

function requireLocation(state: PatchState, path: string, what: string): Location {
  return locate(state.root, path) ?? fail(`${what} operation does not apply: doc is missing path: "${path}": missing value`);
}

function insert(loc: Location, value: JsonValue, path: string): void {
  const { container, key } = loc;
  if (!Array.isArray(container)) return setOwn(container, key, value);
  const i = insertIndex(container, key);
  if (i === undefined) fail(`error in add for path: '${path}': Unable to access invalid index: ${key}: invalid index referenced`);
  container.splice(i!, 0, value);
}

function removeAt(loc: Location, path: string): void {
  const { container, key } = loc;
  if (Array.isArray(container)) {
    const i = existingIndex(container, key) ?? fail(`error in remove for path: '${path}': Unable to access invalid index: ${key}`);
    container.splice(i, 1);
  } else if (hasOwn(container, key)) deleteOwn(container, key);
  else fail(`error in remove for path: '${path}': Unable to remove nonexistent key: ${key}: missing value`);
}

/** The value at a location; arrays must hold the index, objects may lack the member (undefined). */
function readAt(loc: Location, path: string, what: string): JsonValue | undefined {
  if (Array.isArray(loc.container) && existingIndex(loc.container, loc.key) === undefined) {
    fail(`${what} operation does not apply: doc is missing key: ${path}: missing value`);
  }
  return childOf(loc.container, loc.key);
}

function add(state: PatchState, op: Operation): void {
  const path = requirePath(op, "path");
  insert(requireLocation(state, path, "add"), op.value ?? null, path);
}

function remove(state: PatchState, op: Operation): void {
  const path = requirePath(op, "path");
  removeAt(requireLocation(state, path, "remove"), path);
}

function replace(state: PatchState, op: Operation): void {
  const path = requirePath(op, "path");
  if (path === "") {
    const v = op.value;
    if (!Array.isArray(v) && !isJsonObject(v)) fail("replace operation value must be object or array");
    state.root = v as Container;
    return;
  }
  const loc = requireLocation(state, path, "replace");
  readAt(loc, path, "replace");
  const { container, key } = loc;
  if (Array.isArray(container)) container[existingIndex(container, key)!] = op.value ?? null;
  else setOwn(container, key, op.value ?? null);
}

function move(state: PatchState, op: Operation): void {
  const from = requirePath(op, "from");
  const source = requireLocation(state, from, "move");
  const value = readAt(source, from, "move");
  removeAt(source, from);
  const path = requirePath(op, "path");
  insert(requireLocation(state, path, "move"), value ?? null, path);
}

function copy(state: PatchState, op: Operation): void {
  const from = requirePath(op, "from");
  const value = readAt(requireLocation(state, from, "copy"), from, "copy") ?? null;
  const path = requirePath(op, "path");
  const target = requireLocation(state, path, "copy");
  const text = JSON.stringify(value);
  state.copiedBytes += Buffer.byteLength(text);
  if (state.copiedBytes > MAX_COPY_BYTES) {
    fail(`Unable to complete the copy, the accumulated size increase of copy is ${state.copiedBytes}, exceeding the limit ${MAX_COPY_BYTES}`);
  }
  insert(target, JSON.parse(text) as JsonValue, path);
}

function test(state: PatchState, op: Operation): void {
  const path = requirePath(op, "path");
  const actual = path === "" ? state.root : readAt(requireLocation(state, path, "test"), path, "test");
  const expected = op.value;
  // A missing or null member equals only an explicit null; no "value" never matches.
  const passes = actual === undefined || actual === null ? expected === null : expected !== undefined && jsonEqual(actual, expected);
  if (!passes) fail(`testing value ${path} failed: test failed`);
}

const OPERATIONS: Record<string, (state: PatchState, op: Operation) => void> = { add, remove, replace, move, copy, test };

/** Applies `ops` to `doc` in place; returns the resulting document (a new root after `replace ""`). */
export function applyJsonPatch(doc: JsonObject, ops: readonly Operation[]): JsonValue {
  const state: PatchState = { root: doc, copiedBytes: 0 };
  for (const op of ops) {
    const kind = op.op ?? "unknown";
    const apply = Object.hasOwn(OPERATIONS, kind) ? OPERATIONS[kind]! : fail(`Unexpected kind: ${kind}`);
    apply(state, op);
  }
  return state.root;
}
