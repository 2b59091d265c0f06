import { describe, expect, test } from "bun:test";
import { findResults } from "./evaluate.ts";
import { JsonPathSyntaxError, parseTemplate } from "./parse.ts";
import { printResult } from "./print.ts";

const obj = {
  metadata: { name: "web", labels: { "app.kubernetes.io/name": "web", tier: "front" } },
  spec: {
    replicas: 3,
    ratio: 0.5,
    big: 1234567.5,
    tiny: 0.00001,
    enabled: true,
    nothing: null,
    ports: [
      { name: "http", port: 80 },
      { name: "https", port: 443 },
      { name: "admin", port: 8080 },
    ],
  },
  status: {
    conditions: [
      { type: "Ready", status: "True" },
      { type: "Synced", status: "False" },
    ],
  },
};

/** The first result of a one-action template, as a column takes it. */
const first = (path: string, data: unknown = obj) => findResults(parseTemplate(`{${path}}`), data)[0]?.[0];
const all = (path: string, data: unknown = obj) => findResults(parseTemplate(`{${path}}`), data)[0];

describe("JSONPath evaluation (client-go dialect)", () => {
  test("fields, and missing keys as no result", () => {
    expect(first(".spec.replicas")).toBe(3);
    expect(first(".metadata.name")).toBe("web");
    expect(all(".spec.missing.deeper")).toEqual([]);
    expect(first(".spec.nothing")).toBeNull();
  });

  test("bracket keys, with dots escaped or quoted", () => {
    expect(first(".metadata.labels.app\\.kubernetes\\.io/name")).toBe("web");
    expect(first(".metadata.labels['tier']")).toBe("front");
  });

  test("indexes, negative indexes, slices with steps, and wildcards", () => {
    expect(first(".spec.ports[0].port")).toBe(80);
    expect(first(".spec.ports[-1].name")).toBe("admin");
    expect(all(".spec.ports[0:2].name")).toEqual(["http", "https"]);
    expect(all(".spec.ports[::2].port")).toEqual([80, 8080]);
    expect(all(".spec.ports[*].port")).toEqual([80, 443, 8080]);
    expect(all(".spec.ports[0,2].name")).toEqual(["http", "admin"]);
  });

  test("an index past the end is an error, not a result", () => {
    expect(() => all(".spec.ports[5].port")).toThrow("array index out of bounds: index 5, length 3");
  });

  test("filters compare strings and numbers of the same kind", () => {
    expect(first('.status.conditions[?(@.type=="Ready")].status')).toBe("True");
    expect(all(".spec.ports[?(@.port>100)].name")).toEqual(["https", "admin"]);
    expect(all(".spec.ports[?(@.name)].port")).toEqual([80, 443, 8080]);
    expect(all('.status.conditions[?(@.type!="Ready")].type')).toEqual(["Synced"]);
    // int64 and float64 do not compare in text/template.
    expect(() => all(".spec.ports[?(@.port>1.5)].name")).toThrow("incompatible types");
  });

  test("recursive descent finds a field at any depth", () => {
    expect(all("..port")).toEqual([80, 443, 8080]);
  });

  test("syntax errors are refused as client-go refuses them", () => {
    expect(() => parseTemplate("{.spec[}")).toThrow(JsonPathSyntaxError);
    expect(() => parseTemplate("{.spec.a")).toThrow("unclosed action");
    expect(() => parseTemplate("{#}")).toThrow("unrecognized character in action: U+0023 '#'");
    expect(() => parseTemplate("{.a[x]}")).toThrow("invalid array index x");
    expect(() => parseTemplate("{....a}")).toThrow("invalid multiple recursive descent");
  });

  test("text around actions is kept", () => {
    expect(findResults(parseTemplate("n={.metadata.name}"), obj)).toEqual([["n="], ["web"]]);
  });
});

describe("printing a result as a string column does", () => {
  test("scalars as Go's fmt prints them", () => {
    expect(printResult(3)).toBe("3");
    expect(printResult(0.5)).toBe("0.5");
    expect(printResult(1234567.5)).toBe("1.2345675e+06");
    expect(printResult(0.00001)).toBe("1e-05");
    expect(printResult(true)).toBe("true");
    expect(printResult("plain")).toBe("plain");
    expect(printResult(null)).toBe("<no value>");
  });

  test("maps and lists as Go's JSON encoder writes them: sorted keys, HTML escapes", () => {
    expect(printResult({ b: 1, a: "<x>" })).toBe('{"a":"\\u003cx\\u003e","b":1}');
    expect(printResult([1, "a"])).toBe('[1,"a"]');
  });
});
