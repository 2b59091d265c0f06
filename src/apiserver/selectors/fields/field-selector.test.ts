import { describe, expect, test } from "bun:test";
import { escapeFieldValue, parseFieldSelector, unescapeFieldValue } from "./field-selector.ts";
import { thrownApiError as failure } from "../../api/testing.ts";

describe("parsing", () => {
  const cases: Array<[input: string, requirements: Array<[string, string, string]>, printed: string]> = [
    ["", [], ""],
    ["metadata.name=foo", [["metadata.name", "=", "foo"]], "metadata.name=foo"],
    ["metadata.name==foo", [["metadata.name", "=", "foo"]], "metadata.name=foo"],
    ["status.phase!=Running", [["status.phase", "!=", "Running"]], "status.phase!=Running"],
    ["spec.nodeName=n1,status.phase!=Succeeded,status.phase!=Failed", [["spec.nodeName", "=", "n1"], ["status.phase", "!=", "Failed"], ["status.phase", "!=", "Succeeded"]], "spec.nodeName=n1,status.phase!=Failed,status.phase!=Succeeded"],
    ["involvedObject.namespace=", [["involvedObject.namespace", "=", ""]], "involvedObject.namespace="],
    ["a=b,,c=d", [["a", "=", "b"], ["c", "=", "d"]], "a=b,c=d"],
    ["x=a\\,b", [["x", "=", "a,b"]], "x=a\\,b"],
    ["x=a\\=b\\\\c", [["x", "=", "a=b\\c"]], "x=a\\=b\\\\c"],
    [" a = b ", [[" a ", "=", " b "]], " a = b "],
  ];
  for (const [input, requirements, printed] of cases) {
    test(JSON.stringify(input), () => {
      const sel = parseFieldSelector(input);
      expect(sel.requirements.map((r) => [r.field, r.operator, r.value])).toEqual(requirements);
      expect(sel.toString()).toBe(printed);
    });
  }
});

describe("malformed selectors are 400s", () => {
  const cases: Array<[string, string]> = [
    ["foo", "invalid selector: 'foo'; can't understand 'foo'"],
    ["b=1,a", "invalid selector: 'b=1,a'; can't understand 'a'"],
    // Upstream prints the offending rune as a number (61 is "=").
    ["x=a=b", "invalid field selector: unescaped character in value: 61"],
    // "!=" is found first, leaving "=y", whose "=" is unescaped.
    ["x!==y", "invalid field selector: unescaped character in value: 61"],
    ["x=a\\b", "invalid field selector: invalid escape sequence: \\b"],
    ["x=a\\", "invalid field selector: invalid escape sequence: \\"],
  ];
  for (const [input, message] of cases) {
    test(JSON.stringify(input), () => {
      const err = failure(() => parseFieldSelector(input));
      expect([err.code, err.reason, err.message]).toEqual([400, "BadRequest", message]);
    });
  }
});

describe("matching", () => {
  const pod: Record<string, string> = { "metadata.name": "p1", "spec.nodeName": "n1", "status.phase": "Running" };
  const get = (f: string) => pod[f];
  const cases: Array<[string, boolean]> = [
    ["", true],
    ["metadata.name=p1", true],
    ["metadata.name=p2", false],
    ["spec.nodeName=n1,status.phase!=Succeeded,status.phase!=Failed", true],
    ["status.phase!=Running", false],
    ["spec.schedulerName=", true],
    ["spec.schedulerName!=", false],
  ];
  for (const [selector, want] of cases) test(selector, () => expect(parseFieldSelector(selector).matches(get)).toBe(want));
});

describe("exact matches narrow lookups", () => {
  const cases: Array<[string, string, string | undefined]> = [
    ["metadata.name=foo", "metadata.name", "foo"],
    ["metadata.name==foo,status.phase=x", "metadata.name", "foo"],
    ["spec.nodeName=n1", "spec.nodeName", "n1"],
    ["metadata.name!=foo", "metadata.name", undefined],
    ["spec.nodeName=n1", "metadata.name", undefined],
    ["spec.nodeName=", "spec.nodeName", ""],
  ];
  for (const [selector, field, want] of cases) test(`${selector} on ${field}`, () => expect(parseFieldSelector(selector).exactMatch(field)).toBe(want));
});

describe("supported fields", () => {
  const POD_FIELDS = new Set(["metadata.name", "metadata.namespace", "spec.nodeName", "status.phase"]);

  test("known fields pass", () => {
    expect(() => parseFieldSelector("spec.nodeName=n1,status.phase!=Failed").checkSupported(POD_FIELDS)).not.toThrow();
  });

  test("an unknown field is 400 'field label not supported'", () => {
    const err = failure(() => parseFieldSelector("spec.nodeName=n1,spec.foo=x").checkSupported(POD_FIELDS));
    expect([err.code, err.reason, err.message]).toEqual([400, "BadRequest", "field label not supported: spec.foo"]);
  });

  test("types without their own field conversion use the generic wording", () => {
    const err = failure(() => parseFieldSelector("data.x=1").checkSupported(["metadata.name", "metadata.namespace"], "not a known field selector"));
    expect(err.message).toBe('"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"');
  });

  test("transform renames fields and drops emptied terms", () => {
    const sel = parseFieldSelector("spec.host=n1,metadata.name=p").transform((field, value) => {
      if (field === "spec.host") return { field: "spec.nodeName", value };
      return field === "metadata.name" ? { field: "", value: "" } : { field, value };
    });
    expect(sel.toString()).toBe("spec.nodeName=n1");
  });
});

describe("value escaping round-trips", () => {
  for (const v of ["", "plain", "a,b", "a=b", "back\\slash", "\\,=\\"]) {
    test(JSON.stringify(v), () => expect(unescapeFieldValue(escapeFieldValue(v))).toBe(v));
  }
});
