import { describe, expect, test } from "bun:test";
import { FieldSet } from "./field-set.ts";
import { fieldPath, pathString } from "./path-element.ts";

const set = (...paths: string[]) => FieldSet.of(...paths.map((p) => fieldPath(...p.split("."))));
const lines = (s: FieldSet) => s.paths().map(pathString);

describe("field sets", () => {
  test("union, intersection and difference work path by path", () => {
    const a = set("spec.replicas", "spec.template.image", "metadata.labels.app");
    const b = set("spec.replicas", "spec.paused", "metadata.labels.app", "metadata.labels.tier");
    expect(lines(a.union(b))).toEqual([".metadata.labels.app", ".metadata.labels.tier", ".spec.paused", ".spec.replicas", ".spec.template.image"]);
    expect(lines(a.intersection(b))).toEqual([".metadata.labels.app", ".spec.replicas"]);
    expect(lines(a.difference(b))).toEqual([".spec.template.image"]);
    expect(lines(b.difference(a))).toEqual([".metadata.labels.tier", ".spec.paused"]);
  });

  test("difference removes exact paths; recursive difference also what is below them", () => {
    const owned = set("spec", "spec.replicas", "status.phase");
    const drop = set("spec", "status");
    expect(lines(owned.difference(drop))).toEqual([".spec.replicas", ".status.phase"]);
    expect(lines(owned.recursiveDifference(drop))).toEqual([]);
  });

  test("iteration lists a level's members before descending, each in element order", () => {
    expect(lines(set("b.x", "a", "c", "b"))).toEqual([".a", ".b", ".c", ".b.x"]);
  });

  test("emptiness ignores empty subsets; equality is by paths", () => {
    const s = new FieldSet();
    s.descend(fieldPath("spec")[0]!);
    expect(s.empty()).toBe(true);
    expect(set("a.b", "c").equals(set("c", "a.b"))).toBe(true);
    expect(set("a.b").equals(set("a"))).toBe(false);
  });

  test("set operations leave their operands alone", () => {
    const a = set("x.y");
    const b = set("x.z");
    a.union(b);
    a.difference(b);
    expect(lines(a)).toEqual([".x.y"]);
    expect(lines(b)).toEqual([".x.z"]);
  });
});
