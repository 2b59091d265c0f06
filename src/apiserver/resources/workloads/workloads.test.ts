import { describe, expect, test } from "bun:test";
import { fieldErrorMessage } from "../../api/errors.ts";
import { FieldPath } from "../../validation/field.ts";
import { containerCells, formatLabels } from "./columns.ts";
import { intOrPercentValue, validateNotMoreThan100Percent, validatePositiveIntOrPercent } from "./int-or-percent.ts";
import { formatLabelSelector, parseSelector } from "./label-selector.ts";
import { semanticEqual } from "./semantic-equal.ts";

const p = FieldPath.root("x");

describe("int-or-percent", () => {
  test.each([
    [3, 3],
    ["25%", 25],
    ["7", 7],
    ["abc", 0],
    [undefined, 0],
  ])("value of %p is %p", (v, n) => expect(intOrPercentValue(v)).toBe(n));

  test("validation", () => {
    expect(validatePositiveIntOrPercent("10%", p)).toEqual([]);
    expect(validatePositiveIntOrPercent(-1, p).map(fieldErrorMessage)).toEqual(["x: Invalid value: -1: must be greater than or equal to 0"]);
    expect(validatePositiveIntOrPercent("1.5%", p)).toHaveLength(1);
    expect(validateNotMoreThan100Percent("100%", p)).toEqual([]);
    expect(validateNotMoreThan100Percent(150, p)).toEqual([]);
    expect(validateNotMoreThan100Percent("101%", p).map(fieldErrorMessage)).toEqual(['x: Invalid value: "101%": must not be greater than 100%']);
  });
});

describe("semanticEqual", () => {
  test.each<[unknown, unknown]>([
    [{ a: 1 }, { a: 1 }],
    [{ a: [] }, {}],
    [{ a: {} }, { a: undefined }],
    [{ a: "" }, { a: null }],
    [{ a: 0, b: false }, {}],
    [{ matchLabels: { x: "1" } }, { matchLabels: { x: "1" }, matchExpressions: [] }],
  ])("%p equals %p", (a, b) => expect(semanticEqual(a, b)).toBe(true));

  test.each<[unknown, unknown]>([
    [{ a: 1 }, { a: 2 }],
    [{ a: [0] }, { a: [""] }],
    [{ a: [1, 2] }, { a: [2, 1] }],
    [{ a: { b: "x" } }, {}],
    [[{ name: "a" }], [{ name: "a" }, {}]],
  ])("%p differs from %p", (a, b) => expect(semanticEqual(a, b)).toBe(false));
});

describe("label selectors", () => {
  test("parsing follows LabelSelectorAsSelector: nothing, everything, or requirements", () => {
    expect(parseSelector(undefined)?.matches({ a: "b" })).toBe(false);
    expect(parseSelector({})?.isEmpty()).toBe(true);
    expect(parseSelector({ matchLabels: { a: "b" } })?.matches({ a: "b", c: "d" })).toBe(true);
    expect(parseSelector({ matchExpressions: [{ key: "a", operator: "In" }] })).toBeUndefined();
  });

  test("FormatLabelSelector", () => {
    expect(formatLabelSelector({ matchLabels: { b: "2", a: "1" } })).toBe("a=1,b=2");
    expect(formatLabelSelector({ matchExpressions: [{ key: "env", operator: "NotIn", values: ["qa", "dev"] }, { key: "gpu", operator: "Exists" }] })).toBe("env notin (dev,qa),gpu");
    expect(formatLabelSelector({})).toBe("<none>");
    expect(formatLabelSelector(undefined)).toBe("<none>");
    expect(formatLabelSelector({ matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] })).toBe("<error>");
  });
});

test("container and label cells", () => {
  expect(containerCells([{ name: "a", image: "x" }, { name: "b", image: "y" }])).toEqual({ names: "a,b", images: "x,y" });
  expect(containerCells([])).toEqual({ names: "", images: "" });
  expect(formatLabels({ zone: "a", disk: "ssd" })).toBe("disk=ssd,zone=a");
  expect(formatLabels(undefined)).toBe("<none>");
});
