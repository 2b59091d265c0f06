import { describe, expect, test } from "bun:test";
import { fieldErrorMessage } from "../api/errors.ts";
import { FieldPath } from "./field.ts";
import { selectorMatches, validateAnnotations, validateLabels, validateLabelSelector } from "./labels.ts";

const msgs = (errs: Parameters<typeof fieldErrorMessage>[0][]) => errs.map(fieldErrorMessage);

describe("label validation", () => {
  test("label errors sit on the map's path, as upstream's", () => {
    expect(msgs(validateLabels({ "app/": "x" }, FieldPath.root("spec").child("selector")))).toEqual(["spec.selector: Invalid value: \"app/\": name part must be non-empty"]);
    expect(validateLabels({ app: "web", "example.com/tier": "front" }, FieldPath.root("x"))).toEqual([]);
    expect(msgs(validateLabels({ app: "bad value" }, FieldPath.root("x")))[0]).toStartWith('x: Invalid value: "bad value": a valid label must be an empty string');
  });

  test("selector expressions need values for In and none for Exists", () => {
    const p = FieldPath.root("spec").child("selector");
    expect(
      msgs(
        validateLabelSelector(
          {
            matchExpressions: [
              { key: "a", operator: "In" },
              { key: "b", operator: "Exists", values: ["x"] },
              { key: "c", operator: "Near" },
            ],
          },
          p,
        ),
      ),
    ).toEqual([
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      'spec.selector.matchExpressions[2].operator: Invalid value: "Near": not a valid selector operator',
    ]);
  });

  test("annotation keys are case-insensitive qualified names; the map is capped at 256 KiB", () => {
    expect(validateAnnotations({ "Example.COM/Key": "v" }, FieldPath.root("a"))).toEqual([]);
    expect(msgs(validateAnnotations({ big: "x".repeat(256 * 1024) }, FieldPath.root("metadata").child("annotations")))).toEqual([
      "metadata.annotations: Too long: may not be more than 262144 bytes",
    ]);
  });

  test("selectorMatches applies labels and expressions", () => {
    const labels = { app: "web", tier: "front" };
    expect(selectorMatches({ matchLabels: { app: "web" } }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: "db" } }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: "tier", operator: "In", values: ["front", "back"] }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["front"] }] }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: "zone", operator: "DoesNotExist" }] }, labels)).toBe(true);
  });
});
