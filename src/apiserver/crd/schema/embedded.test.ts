import { describe, expect, test } from "bun:test";
import { FieldPath } from "../../validation/field.ts";
import { coerceEmbedded, validateEmbedded } from "./embedded.ts";
import { coerceObjectMeta } from "./object-meta.ts";
import { newStructural, type Structural } from "./structural.ts";
import { messages } from "./test-support.ts";

function schema(): Structural {
  const r = newStructural({
    type: "object",
    properties: {
      template: { type: "object", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true },
      byName: { type: "object", additionalProperties: { type: "object", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true } },
    },
  });
  if (!r.ok) throw new Error(r.error);
  return r.schema;
}

describe("ObjectMeta round trip", () => {
  test("unknown and empty fields are dropped, times are whole seconds in UTC", () => {
    expect(coerceObjectMeta({ name: "a", junk: 1, labels: {}, generation: 0, creationTimestamp: "2024-05-01T10:00:00.123+02:00", finalizers: ["f"] }, false)).toEqual({
      ok: true,
      meta: { name: "a", creationTimestamp: "2024-05-01T08:00:00Z", finalizers: ["f"] },
    });
  });
  test("owner references always carry apiVersion, kind, name and uid", () => {
    expect(coerceObjectMeta({ ownerReferences: [{ name: "o", controller: true, extra: 1 }] }, false)).toEqual({
      ok: true,
      meta: { ownerReferences: [{ apiVersion: "", kind: "", name: "o", uid: "", controller: true }] },
    });
  });
  test("mistyped fields fail a request, and are dropped when reading from storage", () => {
    expect(coerceObjectMeta({ name: "a", labels: { x: 1 } }, false)).toEqual({ ok: false, error: "json: cannot unmarshal number 1 into Go struct field ObjectMeta.labels of type string" });
    expect(coerceObjectMeta({ name: "a", labels: { x: 1 } }, true)).toEqual({ ok: true, meta: { name: "a" } });
  });
});

describe("embedded resources", () => {
  test("coercion rewrites embedded metadata, also under additionalProperties", () => {
    const obj = { template: { apiVersion: "v1", kind: "Pod", metadata: { name: "p", bogus: true } }, byName: { a: { kind: "X", metadata: { labels: { k: "v" }, z: 1 } } } };
    expect(coerceEmbedded(obj, schema(), false, false)).toBeUndefined();
    expect(obj as unknown).toEqual({ template: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" } }, byName: { a: { kind: "X", metadata: { labels: { k: "v" } } } } });
  });
  test("a non-string kind fails on requests and is dropped from storage", () => {
    expect(messages([coerceEmbedded({ template: { kind: 1 } }, schema(), false, false)!])).toEqual(["template.kind: Invalid value: 1: must be a string"]);
    const stored = { template: { kind: 1, apiVersion: "v1" } };
    expect(coerceEmbedded(stored, schema(), false, true)).toBeUndefined();
    expect(stored as unknown).toEqual({ template: { apiVersion: "v1" } });
  });
  test("embedded resources need apiVersion and kind, and valid metadata", () => {
    expect(messages(validateEmbedded({ template: { metadata: { name: "a/b", labels: { "bad key": "v" } } } }, schema()))).toEqual([
      "template.apiVersion: Required value: must not be empty",
      "template.kind: Required value: must not be empty",
      `template.metadata.name: Invalid value: "a/b": may not contain '/'`,
      `template.metadata.labels: Invalid value: "bad key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    ]);
  });
  test("kind and apiVersion syntax", () => {
    expect(messages(validateEmbedded({ byName: { x: { apiVersion: "a/b/c", kind: "my_kind" } } }, schema()))).toEqual([
      `byName[x].apiVersion: Invalid value: "a/b/c": unexpected GroupVersion string: a/b/c`,
      `byName[x].kind: Invalid value: "my_kind": may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
    ]);
  });
  test("paths are rooted where the caller says", () => {
    expect(messages(validateEmbedded({ kind: "A" }, { ...schema(), embeddedResource: true }, FieldPath.root("x").child("default")))).toEqual(["x.default.apiVersion: Required value: must not be empty"]);
  });
});
