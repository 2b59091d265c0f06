import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../apiserver/api/types.ts";
import { classifyOwner, decide, unblocked, withoutReferences } from "./decisions.ts";
import type { OwnerReference } from "./identity.ts";

const ref = (uid: string, block?: boolean): OwnerReference => ({ apiVersion: "v1", kind: "ConfigMap", name: uid, uid, blockOwnerDeletion: block });
const obj = (finalizers?: string[], deleting = false): KubeObject => ({ metadata: { name: "x", uid: "x", finalizers, deletionTimestamp: deleting ? "2025-01-01T00:00:00Z" : undefined } });
const noDeps = { count: 0, anyDeletingDependents: false };

describe("classifyOwner", () => {
  test("absent, other uid, foreground-deleting, or solid", () => {
    expect(classifyOwner(undefined, ref("a"))).toBe("dangling");
    expect(classifyOwner({ metadata: { uid: "b" } }, ref("a"))).toBe("dangling");
    expect(classifyOwner({ metadata: { uid: "a", deletionTimestamp: "t", finalizers: ["foregroundDeletion"] } }, ref("a"))).toBe("waiting");
    // Deleting without foreground (background or orphan): still an owner.
    expect(classifyOwner({ metadata: { uid: "a", deletionTimestamp: "t", finalizers: ["orphan"] } }, ref("a"))).toBe("solid");
    expect(classifyOwner({ metadata: { uid: "a" } }, ref("a"))).toBe("solid");
  });
});

describe("decide", () => {
  test("a solid owner keeps the object; stale references are removed", () => {
    expect(decide(obj(), { solid: [ref("a")], dangling: [], waiting: [] }, noDeps)).toEqual({ kind: "keep" });
    expect(decide(obj(), { solid: [ref("a")], dangling: [ref("b")], waiting: [ref("c")] }, noDeps)).toEqual({ kind: "removeReferences", uids: ["b", "c"] });
  });

  test("all owners gone: deleted in the background, unless the object carries a GC finalizer", () => {
    expect(decide(obj(), { solid: [], dangling: [ref("a")], waiting: [] }, noDeps)).toEqual({ kind: "delete", policy: "Background" });
    expect(decide(obj(["orphan"]), { solid: [], dangling: [ref("a")], waiting: [] }, noDeps)).toEqual({ kind: "delete", policy: "Orphan" });
    expect(decide(obj(["foregroundDeletion"]), { solid: [], dangling: [ref("a")], waiting: [] }, noDeps)).toEqual({ kind: "delete", policy: "Foreground" });
  });

  test("an owner deleting in the foreground: an object with dependents follows in the foreground; a leaf goes in the background", () => {
    const waiting = { solid: [], dangling: [], waiting: [ref("a")] };
    expect(decide(obj(), waiting, { count: 2, anyDeletingDependents: false })).toEqual({ kind: "deleteForeground", unblockFirst: false });
    expect(decide(obj(), waiting, { count: 1, anyDeletingDependents: true })).toEqual({ kind: "deleteForeground", unblockFirst: true });
    expect(decide(obj(), waiting, noDeps)).toEqual({ kind: "delete", policy: "Background" });
  });
});

test("reference edits", () => {
  expect(withoutReferences([ref("a"), ref("b"), ref("c")], ["b"]).map((r) => r.uid)).toEqual(["a", "c"]);
  expect(unblocked([ref("a", true), ref("b")])).toEqual([{ ...ref("a"), blockOwnerDeletion: false }, ref("b")]);
});
