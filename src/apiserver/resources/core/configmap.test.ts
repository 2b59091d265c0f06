import { describe, expect, test } from "bun:test";
import { configMapDefinition as def } from "./configmap.ts";
import { ago, create, headers, row, update } from "./testing.ts";

const cm = (extra: object) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg", namespace: "default" }, ...extra });

describe("configmaps", () => {
  test("metadata", () => {
    expect([def.plural, def.shortNames, def.namespaced, def.categories, def.statusSubresource]).toEqual(["configmaps", ["cm"], true, undefined, undefined]);
  });

  test.each<[string, object, string[]]>([
    ["typical", { data: { "app.conf": "x=1", KEY_NAME: "v", "key-name.d": "v" }, binaryData: { blob: "AAEC" } }, []],
    [
      "bad keys",
      { data: { "a/b": "x", "..": "y" } },
      [
        'data[a/b]: Invalid value: "a/b": a valid config key must consist of alphanumeric characters, \'-\', \'_\' or \'.\' (e.g. \'key.name\',  or \'KEY_NAME\',  or \'key-name\', regex used for validation is \'[-._a-zA-Z0-9]+\')',
        'data[..]: Invalid value: "..": must not be \'..\'',
      ],
    ],
    ["key in both maps", { data: { a: "x" }, binaryData: { a: "eA==" } }, ['data[a]: Invalid value: "a": duplicate of key present in binaryData']],
    ["over 1 MiB", { data: { a: "x".repeat(1024 * 1024), b: "y" } }, ["Too long: may not be more than 1048576 bytes"]],
  ])("validation: %s", (_n, extra, want) => {
    expect(create(def, cm(extra)).errors).toEqual(want);
  });

  test("immutable configmaps keep their data and the flag", () => {
    const stored = create(def, cm({ data: { a: "1" }, immutable: true })).obj;
    expect(update(def, cm({ data: { a: "1" }, immutable: true, metadata: { name: "cfg", labels: { x: "y" } } }), stored).errors).toEqual([]);
    expect(update(def, cm({ data: { a: "2" } }), stored).errors).toEqual([
      "immutable: Forbidden: field is immutable when `immutable` is set",
      "data: Forbidden: field is immutable when `immutable` is set",
    ]);
    const mutable = create(def, cm({ data: { a: "1" } })).obj;
    expect(update(def, cm({ data: { a: "2" } }), mutable).errors).toEqual([]);
  });

  test("table counts data and binaryData", () => {
    expect(headers(def)).toEqual(["Name", "Data", "Age"]);
    expect(row(def, cm({ metadata: { name: "cfg", creationTimestamp: ago(30_000) }, data: { a: "1", b: "2" }, binaryData: { c: "AA==" } }))).toEqual({ Name: "cfg", Data: 3, Age: "30s" });
    expect(row(def, cm({})).Data).toBe(0);
  });
});
