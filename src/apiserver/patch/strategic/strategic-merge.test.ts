import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import { applyPatch, PATCH_TYPES, schemaFromTable } from "../index.ts";
import { thrownApiError as failure } from "../../api/testing.ts";

/** A made-up type exercising every kind of list and map metadata. */
const SCHEMA = schemaFromTable({
  mergingList: { strategy: "merge", mergeKey: "name" },
  "mergingList.mergingList": { strategy: "merge", mergeKey: "name" },
  "mergingList.mergingIntList": { strategy: "merge" },
  mergingIntList: { strategy: "merge" },
  replacingMap: { strategy: "replace" },
  retainKeysMap: { strategy: "retainKeys" },
  retainKeysMergingList: { strategy: "merge,retainKeys", mergeKey: "name" },
});

function smp(doc: Record<string, unknown>, patch: unknown): unknown {
  return applyPatch(PATCH_TYPES.strategic, doc as KubeObject, typeof patch === "string" ? patch : JSON.stringify(patch), SCHEMA);
}

type Case = [name: string, original: Record<string, unknown>, patch: unknown, want: unknown];

function table(cases: Case[]): void {
  for (const [name, original, patch, want] of cases) test(name, () => expect(smp(original, patch)).toEqual(want));
}

describe("maps", () => {
  table([
    ["members merge", { a: 1, m: { x: 1 } }, { b: 2, m: { y: 2 } }, { a: 1, b: 2, m: { x: 1, y: 2 } }],
    ["null deletes a member", { a: 1, m: { x: 1, y: 2 } }, { m: { x: null } }, { a: 1, m: { y: 2 } }],
    ["null for a missing member is dropped, not stored", { a: 1 }, { b: null, m: { x: null } }, { a: 1, m: {} }],
    ["$patch: replace on a map keeps only the patch's members", { m: { x: 1, y: 2 } }, { m: { $patch: "replace", z: 3 } }, { m: { z: 3 } }],
    ["$patch: delete on a map empties it", { m: { x: 1 } }, { m: { $patch: "delete" } }, { m: {} }],
    ["$patch: replace at the top", { a: 1, b: 2 }, { $patch: "replace", c: 3 }, { c: 3 }],
    ["replace strategy replaces the map", { replacingMap: { x: 1, y: 2 } }, { replacingMap: { z: 3 } }, { replacingMap: { z: 3 } }],
    ["a map replaces a scalar", { a: 1 }, { a: { b: 1 } }, { a: { b: 1 } }],
    ["a new map loses its nulls", {}, { m: { a: null, b: { c: null, d: 1 } } }, { m: { b: { d: 1 } } }],
    ["a new map marked $patch: delete is not added", {}, { m: { $patch: "delete", x: 1 } }, {}],
    ["null patch body changes nothing", { a: 1 }, "null", { a: 1 }],
  ]);
});

describe("lists of objects with a merge key", () => {
  table([
    ["items merge by key", { mergingList: [{ name: "a", v: 1 }, { name: "b", v: 2 }] }, { mergingList: [{ name: "b", v: 3, w: 4 }] }, { mergingList: [{ name: "a", v: 1 }, { name: "b", v: 3, w: 4 }] }],
    ["a new item goes first (upstream's order)", { mergingList: [{ name: "a" }, { name: "b" }] }, { mergingList: [{ name: "c" }] }, { mergingList: [{ name: "c" }, { name: "a" }, { name: "b" }] }],
    [
      "the patch's order wins for the items it names",
      { mergingList: [{ name: "1" }, { name: "2", value: "b" }, { name: "3" }] },
      { mergingList: [{ name: "3", value: "c" }, { name: "1", value: "a" }] },
      { mergingList: [{ name: "2", value: "b" }, { name: "3", value: "c" }, { name: "1", value: "a" }] },
    ],
    ["$patch: delete removes every item with the key", { mergingList: [{ name: "a" }, { name: "b" }, { name: "a", x: 1 }] }, { mergingList: [{ name: "a", $patch: "delete" }] }, { mergingList: [{ name: "b" }] }],
    ["$patch: delete of an absent item is a no-op", { mergingList: [{ name: "a" }] }, { mergingList: [{ name: "z", $patch: "delete" }] }, { mergingList: [{ name: "a" }] }],
    ["$patch: replace makes the rest of the patch the list", { mergingList: [{ name: "a" }, { name: "b" }] }, { mergingList: [{ name: "c" }, { $patch: "replace" }] }, { mergingList: [{ name: "c" }] }],
    ["$patch: replace alone empties the list", { mergingList: [{ name: "a" }] }, { mergingList: [{ $patch: "replace" }] }, { mergingList: [] }],
    ["null in an item deletes that member", { mergingList: [{ name: "a", v: 1, w: 2 }] }, { mergingList: [{ name: "a", v: null }] }, { mergingList: [{ name: "a", w: 2 }] }],
    [
      "nested merge lists merge too",
      { mergingList: [{ name: "a", mergingList: [{ name: "x", v: 1 }], mergingIntList: [1, 2] }] },
      { mergingList: [{ name: "a", mergingList: [{ name: "x", v: 2 }, { name: "y" }], mergingIntList: [3] }] },
      // 3 is new to the server, so it goes before the server's items.
      { mergingList: [{ name: "a", mergingList: [{ name: "x", v: 2 }, { name: "y" }], mergingIntList: [3, 1, 2] }] },
    ],
    ["a list without metadata is replaced", { other: [{ name: "a" }, { name: "b" }] }, { other: [{ name: "c" }] }, { other: [{ name: "c" }] }],
    ["merging empty lists", { mergingList: [] }, { mergingList: [] }, { mergingList: [] }],
    ["a new list loses items marked $patch", {}, { mergingList: [{ name: "a" }, { name: "b", $patch: "delete" }] }, { mergingList: [{ name: "a" }] }],
  ]);
});

describe("lists of scalars", () => {
  table([
    ["merge strategy unions as a set", { mergingIntList: [1, 2] }, { mergingIntList: [2, 3] }, { mergingIntList: [1, 2, 3] }],
    ["the patch's order wins", { mergingIntList: [1, 2, 3] }, { mergingIntList: [3, 1, 2] }, { mergingIntList: [3, 1, 2] }],
    ["server-only items keep their place", { mergingIntList: [1, 2, 3] }, { mergingIntList: [3, 1] }, { mergingIntList: [2, 3, 1] }],
    ["without metadata the list is replaced", { tags: ["a", "b"] }, { tags: ["c"] }, { tags: ["c"] }],
    ["$deleteFromPrimitiveList removes values", { mergingIntList: [1, 2, 3] }, { "$deleteFromPrimitiveList/mergingIntList": [2] }, { mergingIntList: [1, 3] }],
    ["$deleteFromPrimitiveList works on replace lists too", { tags: ["a", "b", "c"] }, { "$deleteFromPrimitiveList/tags": ["b"] }, { tags: ["a", "c"] }],
    ["$deleteFromPrimitiveList of an absent value", { mergingIntList: [1] }, { "$deleteFromPrimitiveList/mergingIntList": [3] }, { mergingIntList: [1] }],
    ["$deleteFromPrimitiveList does not create the list", { foo: ["bar"] }, { "$deleteFromPrimitiveList/mergingIntList": [3] }, { foo: ["bar"] }],
  ]);
});

describe("$setElementOrder", () => {
  table([
    [
      "orders the merged list",
      { mergingList: [{ name: "1", other: "a" }, { name: "2", value: "2", other: "b" }] },
      { "$setElementOrder/mergingList": [{ name: "4" }, { name: "1" }, { name: "2" }, { name: "3" }], mergingList: [{ name: "4", value: "4" }, { name: "3", value: "3" }] },
      { mergingList: [{ name: "4", value: "4" }, { name: "1", other: "a" }, { name: "2", value: "2", other: "b" }, { name: "3", value: "3" }] },
    ],
    [
      "reorders without other changes",
      { mergingList: [{ name: "1" }, { name: "2" }, { name: "3" }] },
      { "$setElementOrder/mergingList": [{ name: "3" }, { name: "1" }, { name: "2" }] },
      { mergingList: [{ name: "3" }, { name: "1" }, { name: "2" }] },
    ],
    [
      "a server-only item goes before the first named item the server had after it",
      { mergingList: [{ name: "a", x: 1 }, { name: "b" }, { name: "s" }, { name: "c" }, { name: "d" }] },
      { "$setElementOrder/mergingList": [{ name: "b" }, { name: "a" }, { name: "d" }, { name: "c" }] },
      { mergingList: [{ name: "b" }, { name: "a", x: 1 }, { name: "s" }, { name: "d" }, { name: "c" }] },
    ],
    [
      "a server-only item first on the server stays first",
      { mergingList: [{ name: "s" }, { name: "1" }, { name: "2" }] },
      { "$setElementOrder/mergingList": [{ name: "2" }, { name: "1" }] },
      { mergingList: [{ name: "s" }, { name: "2" }, { name: "1" }] },
    ],
    [
      "names absent from the list are ignored",
      { mergingList: [{ name: "1" }, { name: "3" }] },
      { "$setElementOrder/mergingList": [{ name: "3" }, { name: "2" }, { name: "1" }], mergingList: [{ name: "3", value: "3" }, { name: "1", value: "1" }] },
      { mergingList: [{ name: "3", value: "3" }, { name: "1", value: "1" }] },
    ],
    ["orders scalars", { mergingIntList: [1, 3] }, { "$setElementOrder/mergingIntList": [3, 2, 1] }, { mergingIntList: [3, 1] }],
    ["creates the list from the patch", {}, { "$setElementOrder/mergingList": [{ name: "b" }, { name: "a" }], mergingList: [{ name: "b" }, { name: "a" }] }, { mergingList: [{ name: "b" }, { name: "a" }] }],
    ["for an absent list does nothing", { a: 1 }, { "$setElementOrder/mergingList": [{ name: "a" }] }, { a: 1 }],
    [
      "with deletions",
      { mergingList: [{ name: "a" }, { name: "b" }, { name: "c" }] },
      { "$setElementOrder/mergingList": [{ name: "c" }, { name: "a" }], mergingList: [{ name: "b", $patch: "delete" }] },
      { mergingList: [{ name: "c" }, { name: "a" }] },
    ],
  ]);
});

describe("$retainKeys", () => {
  table([
    ["clears members not listed", { retainKeysMap: { name: "foo", value: "a", other: "b" } }, { retainKeysMap: { $retainKeys: ["name", "value"], value: "c" } }, { retainKeysMap: { name: "foo", value: "c" } }],
    ["null members of the patch need not be listed", { retainKeysMap: { a: 1, b: 2 } }, { retainKeysMap: { $retainKeys: ["a"], b: null } }, { retainKeysMap: { a: 1 } }],
    ["without the directive the map merges", { retainKeysMap: { name: "foo" } }, { retainKeysMap: { value: "bar" } }, { retainKeysMap: { name: "foo", value: "bar" } }],
    [
      "in list items",
      { retainKeysMergingList: [{ name: "a", x: 1, y: 2 }, { name: "b", x: 1 }] },
      { retainKeysMergingList: [{ name: "a", $retainKeys: ["name", "y"], y: 3 }] },
      { retainKeysMergingList: [{ name: "a", y: 3 }, { name: "b", x: 1 }] },
    ],
  ]);
});

describe("directives never reach the stored object", () => {
  table([
    ["in a new map", {}, { m: { $retainKeys: ["a"], a: 1, "$setElementOrder/l": [], "$deleteFromPrimitiveList/l": [] } }, { m: { a: 1 } }],
    ["in items of a replaced list", { other: [] }, { other: [{ name: "a", $patch: "delete", "$setElementOrder/x": [] }] }, { other: [{ name: "a" }] }],
    ["in a map under $patch: replace", { m: { x: 1 } }, { m: { $patch: "replace", n: { $retainKeys: ["a"], a: 1, b: null } } }, { m: { n: { a: 1 } } }],
    ["in a new list item", { mergingList: [] }, { mergingList: [{ name: "a", $retainKeys: ["name"], "$setElementOrder/mergingList": [] }] }, { mergingList: [{ name: "a" }] }],
  ]);

  test("data of the stored object that looks like a directive is left alone", () => {
    const stored = { data: { $patch: "x", "$retainKeys/y": "z" }, a: 1 };
    expect(smp(stored, { a: 2 })).toEqual({ data: { $patch: "x", "$retainKeys/y": "z" }, a: 2 });
  });
});

describe("errors", () => {
  const cases: Array<[string, Record<string, unknown>, string, number, string]> = [
    ["body is an array", {}, "[1]", 400, "json: cannot unmarshal array into Go value of type map[string]interface {}"],
    ["body is not JSON", {}, "{x", 400, "invalid character 'x' looking for beginning of object key string"],
    ["$retainKeys is not a list", { m: {} }, '{"m":{"$retainKeys":"a"}}', 400, "invalid patch format of retainKeys"],
    ["a member missing from $retainKeys", { m: {} }, '{"m":{"$retainKeys":["a"],"b":1}}', 400, "invalid patch format of retainKeys"],
    ["$setElementOrder without a field", {}, '{"$setElementOrderX":[]}', 400, "invalid patch format of setElementOrder list"],
    ["$deleteFromPrimitiveList without a field", { a: [1] }, '{"$deleteFromPrimitiveListX":[1]}', 400, "invalid patch format of primitive list"],
    ["lists of lists", { mergingIntList: [[1]] }, '{"mergingIntList":[[2]]}', 422, "the server rejected our request due to an error in our request"],
    ["$patch: merge in a list", { mergingList: [] }, '{"mergingList":[{"$patch":"merge"}]}', 500, "merging lists cannot yet be specified in the patch"],
    ["unknown $patch on a map", { m: {} }, '{"m":{"$patch":"foo","a":1}}', 500, "unknown patch type: foo in map: map[$patch:foo a:1]"],
    ["$patch: merge on a map", { m: {} }, '{"m":{"$patch":"merge"}}', 500, "unknown patch type: merge in map: map[$patch:merge]"],
    ["item without the merge key", { mergingList: [{ name: "a" }] }, '{"mergingList":[{"image":"x"}]}', 500, "map: map[image:x] does not contain declared merge key: name"],
    ["deletion without the merge key", { mergingList: [{ name: "a" }] }, '{"mergingList":[{"$patch":"delete"}]}', 500, "map: map[$patch:delete] does not contain declared merge key: name"],
    ["mixed element types", { mergingIntList: [1] }, '{"mergingIntList":["a"]}', 500, "list element types are not identical: [[1] [a]]"],
    ["$setElementOrder is not a list", { mergingList: [] }, '{"$setElementOrder/mergingList":{}}', 500, "expected a []interface {}, but received a map[string]interface {}"],
  ];
  for (const [name, doc, body, code, message] of cases) {
    test(name, () => {
      const err = failure(() => smp(doc, body));
      expect([err.code, err.message]).toEqual([code, message]);
    });
  }

  test("$setElementOrder that contradicts the patch's order", () => {
    const err = failure(() =>
      smp({ mergingList: [{ name: "1" }, { name: "3" }, { name: "2" }] }, { "$setElementOrder/mergingList": [{ name: "1" }, { name: "2" }, { name: "3" }], mergingList: [{ name: "3" }, { name: "1" }] }),
    );
    expect(err.code).toBe(500);
    expect(err.message).toStartWith("The order in patch list:\n[map[name:3] map[name:1]]\n doesn't match $setElementOrder list:\n");
  });
});
