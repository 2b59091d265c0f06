import { describe, expect, test } from "bun:test";
import { FieldSet } from "./field-set.ts";
import { fromFieldsV1, toFieldsV1, FieldsV1Error } from "./fields-v1.ts";
import { fieldElement, fieldPath, keyElement, pathString } from "./path-element.ts";

/** A FieldsV1 as kube-apiserver 1.32 writes it for a Deployment created by kubectl (keys in upstream's order). */
const UPSTREAM = {
  "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
  "f:spec": {
    "f:replicas": {},
    "f:template": {
      "f:spec": {
        "f:containers": {
          'k:{"name":"web"}': {
            ".": {},
            "f:image": {},
            "f:name": {},
            "f:ports": { ".": {}, 'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {}, "f:protocol": {} } },
          },
        },
      },
    },
  },
};

describe("FieldsV1", () => {
  test("round-trips upstream's encoding, key order included", () => {
    const set = fromFieldsV1(UPSTREAM);
    const again = toFieldsV1(set);
    expect(JSON.stringify(again)).toBe(JSON.stringify(UPSTREAM));
  });

  test("{} owns a path, '.' owns a path that also has owned paths below it", () => {
    const set = fromFieldsV1(UPSTREAM);
    const port = keyElement([{ name: "protocol", value: "TCP" }, { name: "containerPort", value: 80 }]);
    const container = [...fieldPath("spec", "template", "spec", "containers"), keyElement([{ name: "name", value: "web" }])];
    expect(set.has(fieldPath("spec", "replicas"))).toBe(true);
    expect(set.has(fieldPath("metadata", "labels"))).toBe(true);
    expect(set.has(fieldPath("metadata"))).toBe(false);
    expect(set.has(container)).toBe(true);
    expect(set.has([...container, fieldElement("ports"), port, fieldElement("protocol")])).toBe(true);
    expect(set.has(fieldPath("spec", "template"))).toBe(false);
  });

  test("value and index elements; keys are written sorted by field name, in Go's JSON", () => {
    const set = FieldSet.of(
      [...fieldPath("metadata", "finalizers"), { kind: "value", value: "a<b" }],
      [...fieldPath("spec", "list"), { kind: "index", index: 2 }],
      [fieldElement("spec"), fieldElement("ports"), keyElement([{ name: "protocol", value: "UDP" }, { name: "port", value: 53 }])],
    );
    expect(toFieldsV1(set)).toEqual({
      "f:metadata": { "f:finalizers": { 'v:"a\\u003cb"': {} } },
      "f:spec": { "f:list": { "i:2": {} }, "f:ports": { 'k:{"port":53,"protocol":"UDP"}': {} } },
    });
    expect(fromFieldsV1(toFieldsV1(set)).equals(set)).toBe(true);
  });

  test("path elements sort fields before keys before values before indices", () => {
    const set = FieldSet.of([fieldElement("z")], [{ kind: "index", index: 0 }], [{ kind: "value", value: 1 }], [keyElement([{ name: "a", value: "b" }])], [fieldElement("a")]);
    expect(Object.keys(toFieldsV1(set))).toEqual(["f:a", "f:z", 'k:{"a":"b"}', "v:1", "i:0"]);
    expect(set.paths().map(pathString)).toEqual([".a", ".z", '[a="b"]', "[=1]", "[0]"]);
  });

  test("unknown element kinds are skipped, bad ones refused", () => {
    expect(fromFieldsV1({ "x:future": {}, "f:a": {} }).equals(FieldSet.of(fieldPath("a")))).toBe(true);
    expect(() => fromFieldsV1({ "k:[1]": {} })).toThrow(FieldsV1Error);
    expect(() => fromFieldsV1({ "i:x": {} })).toThrow(FieldsV1Error);
    expect(() => fromFieldsV1({ "f:a": "no" })).toThrow(FieldsV1Error);
    expect(() => fromFieldsV1([] as never)).toThrow(FieldsV1Error);
  });

  test("an empty set is {}", () => {
    expect(toFieldsV1(new FieldSet())).toEqual({});
    expect(fromFieldsV1({}).empty()).toBe(true);
  });
});
