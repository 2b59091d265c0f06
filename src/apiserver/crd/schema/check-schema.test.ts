import { describe, expect, test } from "bun:test";
import { checkSchema } from "./check-schema.ts";
import { AT, messages, SCHEMA_PATH } from "./test-support.ts";
import type { JSONSchemaProps } from "./types.ts";

const check = (s: JSONSchemaProps, hasStatusSubresource = false): string[] => messages(checkSchema(s, SCHEMA_PATH, { hasStatusSubresource }));
const obj = (properties: Record<string, JSONSchemaProps>, extra: JSONSchemaProps = {}): JSONSchemaProps => ({ type: "object", properties, ...extra });

describe("structural schemas", () => {
  test("a well-formed schema passes", () => {
    expect(check(obj({ spec: obj({ replicas: { type: "integer" }, tags: { type: "array", items: { type: "string" } } }) }))).toEqual([]);
  });

  const cases: Array<[string, JSONSchemaProps, string[]]> = [
    ["every field needs a type", obj({ spec: { properties: { a: { type: "string" } } } }), [`${AT}.properties[spec].type: Required value: must not be empty for specified object fields`]],
    ["array items need a type", obj({ list: { type: "array", items: {} } }), [`${AT}.properties[list].items.type: Required value: must not be empty for specified array items`]],
    ["the root needs a type", { properties: { a: { type: "string" } } }, [`${AT}.type: Required value: must not be empty at the root`]],
    ["the root must be an object", { type: "string" }, [`${AT}.type: Invalid value: "string": must be object at the root`]],
    ["arrays need items", obj({ list: { type: "array" } }), [`${AT}.properties[list].items: Required value: must be specified`]],
    ["additionalProperties is forbidden at the root", { type: "object", additionalProperties: { type: "string" } }, [`${AT}.additionalProperties: Forbidden: must not be used at the root`]],
    [
      "value validations may not declare types",
      obj({ a: { type: "string", anyOf: [{ type: "string" }, { pattern: "^a" }] } }),
      [`${AT}.properties[a].anyOf[0].type: Forbidden: must be empty to be structural`],
    ],
    [
      "value validations may not carry defaults, descriptions or extensions",
      obj({ a: { type: "object", allOf: [{ default: "x", description: "d", nullable: true, "x-kubernetes-preserve-unknown-fields": true }] } }),
      [
        `${AT}.properties[a].allOf[0].default: Forbidden: must be undefined to be structural`,
        `${AT}.properties[a].allOf[0].description: Forbidden: must be empty to be structural`,
        `${AT}.properties[a].allOf[0].nullable: Forbidden: must be false to be structural`,
        `${AT}.properties[a].allOf[0].x-kubernetes-preserve-unknown-fields: Forbidden: must be false to be structural`,
      ],
    ],
    [
      // Upstream checks this from the root's own value validations only.
      "value validations may only name declared properties",
      obj({ x: { type: "string" } }, { oneOf: [{ required: ["y"], properties: { y: { minLength: 1 } } }] }),
      [`${AT}.properties[y]: Required value: because it is defined in ${AT}.oneOf[0].properties[y]`],
    ],
    [
      "metadata at the root may only restrict name and generateName",
      obj({ metadata: obj({ labels: { type: "object", additionalProperties: { type: "string" } } }) }),
      [`${AT}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`],
    ],
    ["metadata may not appear in a nested value validation", obj({ a: { type: "object", not: { properties: { metadata: {} } } } }), [
      `${AT}.properties[a].not.properties[metadata]: Forbidden: must not be specified in a nested context`,
    ]],
    [
      "embedded resources must be objects with properties or preserve-unknown-fields",
      obj({ e: { type: "object", "x-kubernetes-embedded-resource": true } }),
      [`${AT}.properties[e].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields`],
    ],
    [
      "int-or-string excludes preserve-unknown-fields",
      obj({ a: { "x-kubernetes-int-or-string": true, "x-kubernetes-preserve-unknown-fields": true } }),
      [`${AT}.properties[a].x-kubernetes-preserve-unknown-fields: Invalid value: true: must be false if x-kubernetes-int-or-string is true`],
    ],
    [
      "invalid patterns",
      obj({ a: { type: "string", pattern: "(abc" } }),
      ["spec.versions[0].schema.openAPIV3Schema.properties[a].pattern: Invalid value: \"(abc\": must be a valid regular expression, but isn't: error parsing regexp: missing closing ): `(abc`"],
    ],
    ["int-or-string's anyOf is allowed", obj({ a: { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] } }), []],
  ];
  for (const [name, s, want] of cases) test(name, () => expect(check(s)).toEqual(want));

  test("a schema that cannot be structural at all says why", () => {
    expect(check(obj({ a: { type: "array", items: [{ type: "string" }] } }))).toEqual([`${AT}.properties[a].items: Forbidden: items must be a schema object and not an array`]);
  });
});

describe("keywords", () => {
  const cases: Array<[string, JSONSchemaProps, string[]]> = [
    ["unknown types", obj({ a: { type: "foo" } }), [`${AT}.properties[a].type: Unsupported value: "foo": supported values: "array", "boolean", "integer", "number", "object", "string"`]],
    ["$ref", obj({ a: { type: "string", $ref: "#/x" } }), [`${AT}.properties[a].$ref: Forbidden: $ref is not supported`]],
    ["uniqueItems", obj({ a: { type: "array", items: { type: "string" }, uniqueItems: true } }), [`${AT}.properties[a].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`]],
    [
      "properties with additionalProperties",
      obj({ a: { type: "object", properties: { x: { type: "string" } }, additionalProperties: { type: "string" } } }),
      [`${AT}.properties[a].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`],
    ],
    ["nullable root", { type: "object", nullable: true }, [`${AT}.nullable: Forbidden: nullable cannot be true at the root`]],
    ["defaults in metadata", obj({ metadata: { type: "object", default: {} } }), [`${AT}.properties[metadata].default: Forbidden: must not be set in top-level metadata`]],
    ["preserve-unknown-fields false", obj({ a: { type: "object", "x-kubernetes-preserve-unknown-fields": false } }), [`${AT}.properties[a].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined`]],
    ["list-type needs an array", obj({ a: { type: "object", "x-kubernetes-list-type": "set" } }), [`${AT}.properties[a].type: Invalid value: "object": must be array if x-kubernetes-list-type is specified`]],
    ["unknown list-type", obj({ a: { type: "array", items: { type: "string" }, "x-kubernetes-list-type": "bag" } }), [`${AT}.properties[a].x-kubernetes-list-type: Unsupported value: "bag": supported values: "atomic", "set", "map"`]],
    ["unknown map-type", obj({ a: { type: "object", "x-kubernetes-map-type": "tree" } }), [`${AT}.properties[a].x-kubernetes-map-type: Unsupported value: "tree": supported values: "atomic", "granular"`]],
    ["map lists need keys", obj({ a: { type: "array", items: obj({ k: { type: "string" } }, { required: ["k"] }), "x-kubernetes-list-type": "map" } }), [`${AT}.properties[a].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map`]],
    [
      "map list keys must be properties, required or defaulted",
      obj({ a: { type: "array", items: obj({ k: { type: "string" } }), "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["k", "z"] } }),
      [
        `${AT}.properties[a].x-kubernetes-list-map-keys: Invalid value: []string{"k", "z"}: entries must all be names of item properties`,
        `${AT}.properties[a].items.properties[k].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property`,
      ],
    ],
    [
      "set items must be atomic objects",
      obj({ a: { type: "array", items: obj({ k: { type: "string" } }), "x-kubernetes-list-type": "set" } }),
      [`${AT}.properties[a].items.x-kubernetes-map-type: Invalid value: "null": must be atomic as item of a list with x-kubernetes-list-type=set`],
    ],
    ["map-list keys need a list-type of map", obj({ a: { type: "array", items: { type: "string" }, "x-kubernetes-list-map-keys": ["k"] } }), [
      `${AT}.properties[a].x-kubernetes-list-type: Required value: must be map if x-kubernetes-list-map-keys is non-empty`,
    ]],
    ["embedded resources inside metadata", obj({ e: { type: "object", "x-kubernetes-embedded-resource": true, properties: { metadata: { type: "object", properties: { foo: { type: "object", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true } } } } } }), [
      `${AT}.properties[e].properties[metadata].properties[foo].x-kubernetes-embedded-resource: Forbidden: must not be used inside of resource meta`,
    ]],
  ];
  for (const [name, s, want] of cases) test(name, () => expect(check(s)).toEqual(want));
});

describe("status subresource", () => {
  test("the root may only use keywords that survive extracting status", () => {
    expect(check({ type: "object", properties: {}, maxProperties: 3 }, true)).toHaveLength(1);
    expect(check({ type: "object", properties: {}, maxProperties: 3 }, true)[0]).toEndWith(
      "only [Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs Example XPreserveUnknownFields XValidations] fields are allowed at the root of the schema if the status subresource is enabled",
    );
    expect(check({ type: "object", properties: { status: { type: "object" } }, required: ["spec"], "x-kubernetes-validations": [{ rule: "true" }] }, true)).toEqual([]);
  });
});

describe("defaults", () => {
  test("must validate against their schema (the default is the validated root, so its name is empty)", () => {
    expect(check(obj({ a: { type: "integer", maximum: 3, default: 5 } }))).toEqual([`${AT}.properties[a].default: Invalid value: 5:  in body should be less than or equal to 3`]);
    expect(check(obj({ a: { type: "string", default: 5 } }))).toEqual([`${AT}.properties[a].default: Invalid value: "integer":  in body must be of type string: "integer"`]);
    expect(check(obj({ a: obj({ n: { type: "integer" } }, { default: { n: "x" } }) }))).toEqual([`${AT}.properties[a].default.n: Invalid value: "string": n in body must be of type integer: "string"`]);
  });
  test("must not contain fields that would be pruned", () => {
    expect(check(obj({ a: obj({ x: { type: "string" } }, { default: { x: "1", y: "2" } }) }))).toEqual([
      `${AT}.properties[a].default: Invalid value: map[string]interface {}{"x":"1", "y":"2"}: must not have unknown fields`,
    ]);
    expect(check(obj({ a: { type: "object", "x-kubernetes-preserve-unknown-fields": true, default: { y: 1 } } }))).toEqual([]);
  });
  test("must pass the node's rules", () => {
    expect(check(obj({ a: { type: "integer", default: 0, "x-kubernetes-validations": [{ rule: "self > 0" }] } }))).toEqual([
      `${AT}.properties[a].default: Invalid value: "integer": failed rule: self > 0`,
    ]);
  });
  test("embedded resource defaults must be well-formed", () => {
    const e: JSONSchemaProps = { type: "object", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true, default: { kind: "Foo" } };
    expect(check(obj({ e }))).toEqual([`${AT}.properties[e].default.apiVersion: Required value: must not be empty`]);
  });
});

describe("x-kubernetes-validations", () => {
  const withRule = (rule: Record<string, unknown>, node: JSONSchemaProps = obj({ replicas: { type: "integer" } })): JSONSchemaProps =>
    obj({ spec: { ...node, "x-kubernetes-validations": [rule as { rule: string }] } });

  test("a valid rule compiles", () => expect(check(withRule({ rule: "self.replicas >= 0" }))).toEqual([]));
  test("compile errors name the rule", () => {
    expect(check(withRule({ rule: "self.replicaz > 0" }))).toEqual([
      `${AT}.properties[spec].x-kubernetes-validations[0].rule: Invalid value: apiextensions.ValidationRule{Rule:"self.replicaz > 0", Message:"", MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", OptionalOldSelf:(*bool)(nil)}: compilation failed: ERROR: <input>:1:5: undefined field 'replicaz'\n | self.replicaz > 0\n | ....^`,
    ]);
  });
  test("rules must be boolean", () => {
    expect(check(withRule({ rule: "self.replicas" }))[0]).toEndWith(": cel expression must evaluate to a bool");
  });
  test("messageExpression must be a string", () => {
    expect(check(withRule({ rule: "true", messageExpression: "self.replicas" }))[0]).toEndWith(": messageExpression must evaluate to a string");
  });
  test("rule, message, reason and fieldPath are checked", () => {
    expect(check(withRule({ rule: " " }))).toEqual([`${AT}.properties[spec].x-kubernetes-validations[0].rule: Required value: rule is not specified`]);
    expect(check(withRule({ rule: "true", message: "a\nb" }))).toEqual([`${AT}.properties[spec].x-kubernetes-validations[0].message: Invalid value: "a\\nb": message must not contain line breaks`]);
    expect(check(withRule({ rule: "true &&\ntrue" }))).toEqual([`${AT}.properties[spec].x-kubernetes-validations[0].message: Required value: message must be specified if rule contains line breaks`]);
    expect(check(withRule({ rule: "true", reason: "Nope" }))).toEqual([
      `${AT}.properties[spec].x-kubernetes-validations[0].reason: Unsupported value: "Nope": supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"`,
    ]);
    expect(check(withRule({ rule: "true", fieldPath: ".nope" }))).toEqual([`${AT}.properties[spec].x-kubernetes-validations[0].fieldPath: Invalid value: ".nope": fieldPath must be a valid path`]);
    expect(check(withRule({ rule: "true", fieldPath: ".replicas" }))).toEqual([]);
  });
  test("oldSelf only where old values correlate", () => {
    const list: JSONSchemaProps = { type: "array", items: { type: "object", properties: { v: { type: "integer" } }, "x-kubernetes-validations": [{ rule: "self.v >= oldSelf.v" }] } };
    expect(check(obj({ list }))).toEqual([
      `${AT}.properties[list].items.x-kubernetes-validations[0].rule: Invalid value: "self.v >= oldSelf.v": oldSelf cannot be used on the uncorrelatable portion of the schema within ${AT}.properties[list]`,
    ]);
    expect(check(obj({ list: { ...list, "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["v"], items: { ...(list.items as JSONSchemaProps), required: ["v"] } } }))).toEqual([]);
  });
  test("optionalOldSelf needs oldSelf", () => {
    expect(check(withRule({ rule: "true", optionalOldSelf: true }))).toEqual([
      `${AT}.properties[spec].x-kubernetes-validations[0].optionalOldSelf: Invalid value: true: may not be set if oldSelf is not used in rule`,
    ]);
  });
  test("literal arguments are checked at compile time", () => {
    expect(check(withRule({ rule: "duration('1d') > duration('1h')" }))[0]).toContain("compilation failed: ERROR: <input>:1:10: invalid duration argument");
    expect(check(withRule({ rule: "'a'.matches(')')" }))[0]).toContain("compilation failed: ERROR: <input>:1:13: invalid matches argument");
  });
  test("rules are not compiled while the schema around them is invalid", () => {
    expect(check(withRule({ rule: "self.nope" }, { properties: { replicas: { type: "integer" } } }))).toEqual([
      `${AT}.properties[spec].type: Required value: must not be empty for specified object fields`,
    ]);
  });
  test("the root sees apiVersion, kind and metadata.name only", () => {
    const root = (rule: string): JSONSchemaProps => ({ type: "object", properties: { spec: { type: "object" } }, "x-kubernetes-validations": [{ rule }] });
    expect(check(root("self.metadata.name.startsWith('a') && self.kind == 'X'"))).toEqual([]);
    expect(check(root("has(self.metadata.namespace)"))[0]).toContain("undefined field 'namespace'");
  });
  test("unsupported functions fail at compile time", () => {
    expect(check(withRule({ rule: "url('https://x').getHost() == 'x'" }))[0]).toContain("undeclared reference to 'url' (in container '')");
  });
});

describe("estimated rule cost", () => {
  test("a rule that could cost too much on the largest allowed value is refused", () => {
    const s = obj({ l: { type: "array", items: { type: "string" }, "x-kubernetes-validations": [{ rule: "self.all(x, self.exists(y, x == y))" }] } });
    expect(check(s)).toContain(
      `${AT}.properties[l].x-kubernetes-validations[0].rule: Forbidden: estimated rule cost exceeds budget by factor of more than 100x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`,
    );
  });
  test("limits make the same rule acceptable", () => {
    const s = obj({ l: { type: "array", maxItems: 10, items: { type: "string", maxLength: 20 }, "x-kubernetes-validations": [{ rule: "self.all(x, self.exists(y, x == y))" }] } });
    expect(check(s)).toEqual([]);
  });
  test("rules under lists run once per item: unbounded items multiply the estimate, and the CRD total is checked too", () => {
    const items = { type: "string", "x-kubernetes-validations": [{ rule: "self.matches('^[a-z]+$')" }] };
    const errs = check(obj({ l: { type: "array", items } }));
    expect(errs).toEqual([
      `${AT}.properties[l].items.x-kubernetes-validations[0].rule: Forbidden: estimated rule cost exceeds budget by factor of more than 100x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`,
      `${AT}.properties[l].items.x-kubernetes-validations[0].rule: Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema`,
      `${AT}: Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of more than 100x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`,
    ]);
    expect(check(obj({ l: { type: "array", maxItems: 100, items: { ...items, maxLength: 63 } } }))).toEqual([]);
  });
  test("factors below 1.5 print with six decimals", () => {
    // 1 + 1572863 × 4 + 1 = 6291454 per list, twice under a list of at most two: 12582908 = 1.258291x.
    const s = obj({ outer: { type: "array", maxItems: 2, items: { type: "array", items: { type: "number" }, "x-kubernetes-validations": [{ rule: "self.all(x, x == 0.0)" }] } } });
    expect(check(s)).toEqual([
      `${AT}.properties[outer].items.x-kubernetes-validations[0].rule: Forbidden: estimated rule cost exceeds budget by factor of 1.258291x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`,
    ]);
  });
});
