import { describe, expect, test } from "bun:test";
import { fieldErrorMessage } from "../../api/errors.ts";
import { FieldPath } from "../../validation/field.ts";
import { labelSelectorFromObject, labelSelectorToString, validateLabelSelector, type LabelSelectorObject } from "./from-object.ts";
import { thrownApiError as failure } from "../../api/testing.ts";

/** A pattern matching strings that begin with `prefix`. */
const startsWith = (prefix: string) => new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`);

describe("conversion (metav1.LabelSelectorAsSelector)", () => {
  test("null selects nothing, empty selects everything", () => {
    expect(labelSelectorFromObject(null).matches({ a: "b" })).toBe(false);
    expect(labelSelectorFromObject(undefined).matches({})).toBe(false);
    expect(labelSelectorFromObject(null).isEmpty()).toBe(false);
    expect(labelSelectorFromObject({}).matches({ a: "b" })).toBe(true);
    expect(labelSelectorFromObject({ matchLabels: {}, matchExpressions: [] }).isEmpty()).toBe(true);
  });

  const cases: Array<[LabelSelectorObject, string, Record<string, string>, boolean]> = [
    [{ matchLabels: { app: "web" } }, "app=web", { app: "web", x: "y" }, true],
    [{ matchLabels: { tier: "front", app: "web" } }, "app=web,tier=front", { app: "web" }, false],
    [{ matchExpressions: [{ key: "env", operator: "In", values: ["prod", "dev"] }] }, "env in (dev,prod)", { env: "dev" }, true],
    [{ matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod"] }] }, "env notin (prod)", {}, true],
    [{ matchExpressions: [{ key: "env", operator: "Exists" }] }, "env", { env: "" }, true],
    [{ matchExpressions: [{ key: "env", operator: "DoesNotExist" }] }, "!env", { env: "x" }, false],
    [{ matchLabels: { b: "1" }, matchExpressions: [{ key: "a", operator: "Exists" }] }, "a,b=1", { a: "", b: "1" }, true],
  ];
  for (const [sel, printed, labels, want] of cases) {
    test(printed, () => {
      expect(labelSelectorToString(sel)).toBe(printed);
      expect(labelSelectorFromObject(sel).matches(labels)).toBe(want);
    });
  }

  const bad: Array<[LabelSelectorObject, string]> = [
    [{ matchExpressions: [{ key: "a", operator: "Gt", values: ["1"] }] }, '"Gt" is not a valid label selector operator'],
    [{ matchExpressions: [{ key: "a", operator: "In" }] }, "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty"],
    [{ matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] }, `values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist`],
    [{ matchLabels: { "bad key": "v" } }, 'key: Invalid value: "bad key": name part must consist of alphanumeric characters'],
  ];
  for (const [sel, message] of bad) {
    test(`rejects ${JSON.stringify(sel)}`, () => {
      const err = failure(() => labelSelectorFromObject(sel));
      expect(err.code).toBe(400);
      expect(err.message).toStartWith(message);
    });
  }
});

describe("validation (ValidateLabelSelector)", () => {
  const path = FieldPath.root("spec").child("selector");
  const messages = (sel: LabelSelectorObject | null) => validateLabelSelector(sel, path).map(fieldErrorMessage);

  test("a valid selector has no errors", () => {
    expect(messages({ matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In", values: ["a"] }] })).toEqual([]);
    expect(messages(null)).toEqual([]);
  });

  test("each problem is a field error at upstream's path", () => {
    const errs = messages({
      matchLabels: { "-bad": "ok", good: "-bad" },
      matchExpressions: [
        { key: "a", operator: "In", values: [] },
        { key: "b", operator: "Exists", values: ["x"] },
        { key: "c", operator: "Maybe" },
        { key: "d/e/f", operator: "NotIn", values: ["_x"] },
      ],
    });
    expect(errs).toEqual([
      expect.stringMatching(startsWith('spec.selector.matchLabels: Invalid value: "-bad": name part must consist')),
      expect.stringMatching(startsWith('spec.selector.matchLabels: Invalid value: "-bad": a valid label must be')),
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      'spec.selector.matchExpressions[2].operator: Invalid value: "Maybe": not a valid selector operator',
      expect.stringMatching(startsWith('spec.selector.matchExpressions[3].key: Invalid value: "d/e/f": a qualified name must consist')),
      expect.stringMatching(startsWith('spec.selector.matchExpressions[3].values[0]: Invalid value: "_x": a valid label must be')),
    ]);
  });

  test("the path may be given as a string", () => {
    expect(validateLabelSelector({ matchExpressions: [{ key: "a", operator: "Nope" }] }, "selector").map((e) => e.field)).toEqual(["selector.matchExpressions[0].operator"]);
  });
});
