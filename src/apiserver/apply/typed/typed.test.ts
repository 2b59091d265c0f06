import { describe, expect, test } from "bun:test";
import type { JsonValue } from "../../patch/json-value.ts";
import type { Schema } from "../../openapi/schema.ts";
import { FieldSet } from "../fieldpath/field-set.ts";
import { fromFieldsV1, toFieldsV1 } from "../fieldpath/fields-v1.ts";
import { pathString } from "../fieldpath/path-element.ts";
import { FieldTypeCatalog } from "../schema/field-types.ts";
import { TypeCompiler } from "../schema/from-openapi.ts";
import { compareValues } from "./compare.ts";
import { mergeValues } from "./merge.ts";
import { removeFields } from "./remove.ts";
import { toFieldSet } from "./to-field-set.ts";
import { TypedValueError } from "./typed-error.ts";
import { validateApplied } from "./validate.ts";

/** A custom-resource-like schema with every kind of list and map. */
const SCHEMA: Schema = {
  type: "object",
  properties: {
    atomicList: { type: "array", items: { type: "string" } },
    set: { type: "array", items: { type: "string" }, "x-kubernetes-list-type": "set" },
    ports: {
      type: "array",
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["port", "protocol"],
      items: { type: "object", properties: { port: { type: "integer" }, protocol: { type: "string", default: "TCP" }, name: { type: "string" } } },
    },
    labels: { type: "object", additionalProperties: { type: "string" } },
    selector: { type: "object", "x-kubernetes-map-type": "atomic", additionalProperties: { type: "string" } },
    free: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
    count: { type: "integer" },
  },
};
const node = new TypeCompiler(() => undefined).schema(SCHEMA);
const fields = (v: JsonValue) => toFieldsV1(toFieldSet(node, v));
const lines = (s: FieldSet) => s.paths().map(pathString);

describe("the fields a value sets", () => {
  test("atomic lists and maps are one field; sets by value; list maps by their keys, defaults filled in", () => {
    expect(
      fields({
        atomicList: ["a", "b"],
        set: ["x", "y"],
        ports: [{ port: 80, name: "http" }, { port: 53, protocol: "UDP" }],
        selector: { a: "1" },
        labels: { app: "web" },
      }),
    ).toEqual({
      "f:atomicList": {},
      "f:labels": { "f:app": {} },
      "f:ports": {
        'k:{"port":53,"protocol":"UDP"}': { ".": {}, "f:port": {}, "f:protocol": {} },
        'k:{"port":80,"protocol":"TCP"}': { ".": {}, "f:name": {}, "f:port": {} },
      },
      "f:selector": {},
      "f:set": { 'v:"x"': {}, 'v:"y"': {} },
    });
  });

  test("untyped parts: maps key by key (each key owned as a whole too), lists atomic", () => {
    expect(fields({ free: { a: { b: 1 }, list: [1, 2], empty: {} } })).toEqual({ "f:free": { "f:a": { ".": {}, "f:b": {} }, "f:empty": {}, "f:list": {} } });
  });

  test("empty maps and nulls are fields; an empty associative list is not", () => {
    expect(fields({ labels: {}, count: null, ports: [] })).toEqual({ "f:count": {}, "f:labels": {} });
  });

  test("duplicated items are owned whole, not looked into", () => {
    expect(fields({ set: ["a", "a", "b"] })).toEqual({ "f:set": { 'v:"a"': {}, 'v:"b"': {} } });
  });

  test("a list-map item without a key and without a default is an error naming the path", () => {
    const bad = () => toFieldSet(node, { ports: [{ name: "x" }] });
    expect(bad).toThrow(TypedValueError);
    expect(bad).toThrow('.ports: element 0: associative list with keys has an element that omits key field "port" (and doesn\'t have default value)');
  });
});

describe("compare", () => {
  test("leaves are added, modified or removed; a new granular map or list map is itself added too", () => {
    const c = compareValues(node, { count: 1, labels: { a: "1", b: "2" } }, { count: 2, labels: { a: "1", c: "3" }, ports: [{ port: 80 }] });
    expect(lines(c.modified)).toEqual([".count"]);
    expect(lines(c.removed)).toEqual([".labels.b"]);
    expect(lines(c.added)).toEqual([".ports", ".labels.c", '.ports[port=80,protocol="TCP"]', '.ports[port=80,protocol="TCP"].port']);
  });

  test("a map replacing null is not itself added (upstream's '.' comes only from absent maps)", () => {
    expect(lines(compareValues(node, { labels: null }, { labels: { a: "1" } }).added)).toEqual([".labels.a"]);
    expect(lines(compareValues(node, {}, { labels: { a: "1" } }).added)).toEqual([".labels", ".labels.a"]);
  });

  test("atomic values change as a whole", () => {
    const c = compareValues(node, { selector: { a: "1" }, atomicList: ["x"] }, { selector: { a: "2" }, atomicList: ["x", "y"] });
    expect(lines(c.modified)).toEqual([".atomicList", ".selector"]);
  });

  test("identical values compare empty", () => {
    const v = { ports: [{ port: 1 }], labels: { a: "b" }, set: ["q"] };
    const c = compareValues(node, v, structuredClone(v));
    expect(c.added.empty() && c.modified.empty() && c.removed.empty()).toBe(true);
  });
});

describe("merge", () => {
  test("the configuration wins at leaves; granular maps merge; atomic ones are replaced", () => {
    const live = { count: 1, labels: { a: "1", b: "2" }, selector: { a: "1", b: "2" } };
    expect(mergeValues(node, live, { count: 3, labels: { b: "x" }, selector: { c: "3" } })).toEqual({ count: 3, labels: { a: "1", b: "x" }, selector: { c: "3" } });
  });

  test("list maps merge item by item: the configuration's order for its items, live-only items where they were", () => {
    // Upstream's walk: 2 waits for 4 (the configuration puts it first), 3 is not applied and stays before 4.
    const live: JsonValue = { ports: [{ port: 1, name: "one" }, { port: 2 }, { port: 3 }, { port: 4 }] };
    const merged = mergeValues(node, live, { ports: [{ port: 4, name: "four" }, { port: 2, name: "two" }] }) as { ports: unknown[] };
    expect(merged.ports).toEqual([{ port: 1, name: "one" }, { port: 3 }, { port: 4, name: "four" }, { port: 2, name: "two" }]);
    // New items go where the configuration has them relative to shared ones.
    const added = mergeValues(node, { ports: [{ port: 1 }, { port: 2 }] }, { ports: [{ port: 1 }, { port: 9 }, { port: 2 }] }) as { ports: unknown[] };
    expect(added.ports).toEqual([{ port: 1 }, { port: 9 }, { port: 2 }]);
  });

  test("sets merge by value; atomic lists are replaced", () => {
    expect(mergeValues(node, { set: ["a", "b"], atomicList: ["a", "b"] }, { set: ["c", "a"], atomicList: ["c"] })).toEqual({ set: ["c", "a", "b"], atomicList: ["c"] });
  });

  test("duplicate items in a configuration are refused", () => {
    expect(() => mergeValues(node, {}, { set: ["a", "a"] })).toThrow('.set: duplicate entries for key [="a"]');
  });
});

describe("remove", () => {
  test("removes fields and list items; what empties is dropped", () => {
    const value: JsonValue = { labels: { a: "1" }, ports: [{ port: 1, name: "x" }, { port: 2 }], set: ["a", "b"], count: 5 };
    const drop = fromFieldsV1({ "f:labels": { "f:a": {} }, "f:ports": { 'k:{"port":1,"protocol":"TCP"}': { "f:name": {} }, 'k:{"port":2,"protocol":"TCP"}': {} }, "f:set": { 'v:"b"': {} } });
    expect(removeFields(node, value, drop)).toEqual({ ports: [{ port: 1 }], set: ["a"], count: 5 });
  });
});

describe("validation of applied configurations", () => {
  test("scalars of the wrong kind, unknown fields, duplicates", () => {
    expect(() => validateApplied(node, { count: "many" })).toThrow(".count: expected numeric (int or float), got string");
    expect(() => validateApplied(node, { nope: 1 })).toThrow(".nope: field not declared in schema");
    expect(() => validateApplied(node, { ports: [{ port: 1 }, { port: 1, protocol: "TCP" }] })).toThrow('.ports: duplicate entries for key [port=1,protocol="TCP"]');
    expect(() => validateApplied(node, { atomicList: ["a", 2] })).toThrow(".atomicList[1]: expected string, got 2");
    expect(() => validateApplied(node, { free: { anything: [1, { x: 2 }] }, labels: { a: "b" } })).not.toThrow();
  });
});

describe("built-in types", () => {
  const deployment = new FieldTypeCatalog().forResource({ group: "apps", version: "v1", kind: "Deployment" }).root;

  test("semantics come from the Go markers: selectors atomic, containers by name, ports by port and protocol", () => {
    const set = toFieldSet(deployment, {
      spec: {
        selector: { matchLabels: { app: "web" } },
        template: { spec: { containers: [{ name: "web", ports: [{ containerPort: 80 }], args: ["a"] }], nodeSelector: { disk: "ssd" } } },
      },
    });
    expect(toFieldsV1(set)).toEqual({
      "f:spec": {
        "f:selector": {},
        "f:template": {
          "f:spec": {
            "f:containers": { 'k:{"name":"web"}': { ".": {}, "f:args": {}, "f:name": {}, "f:ports": { 'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {} } } } },
            "f:nodeSelector": {},
          },
        },
      },
    });
  });

  test("finalizers are a set, owner references a map by uid of atomic items", () => {
    const set = toFieldSet(deployment, { metadata: { finalizers: ["a"], ownerReferences: [{ uid: "u", name: "n" }] } });
    expect(toFieldsV1(set)).toEqual({ "f:metadata": { "f:finalizers": { 'v:"a"': {} }, "f:ownerReferences": { 'k:{"uid":"u"}': {} } } });
  });
});
