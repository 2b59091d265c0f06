import { describe, expect, test } from "bun:test";
import { compileSchema } from "./index.ts";
import { messages } from "./test-support.ts";
import type { JSONSchemaProps, ValidationRule } from "./types.ts";

const withRules = (rules: ValidationRule[], spec: JSONSchemaProps = { type: "object", properties: { replicas: { type: "integer" }, min: { type: "integer" }, name: { type: "string" } } }): JSONSchemaProps => ({
  type: "object",
  properties: { spec: { ...spec, "x-kubernetes-validations": rules } },
});

const validate = (schema: JSONSchemaProps, obj: unknown, old?: unknown) => messages(compileSchema(schema).validate(obj, old));

describe("rule results", () => {
  test("a failing rule reports its message, or the rule itself", () => {
    expect(validate(withRules([{ rule: "self.replicas >= self.min" }]), { spec: { replicas: 1, min: 2 } })).toEqual(['spec: Invalid value: "object": failed rule: self.replicas >= self.min']);
    expect(validate(withRules([{ rule: "self.replicas >= self.min", message: " too few " }]), { spec: { replicas: 1, min: 2 } })).toEqual(['spec: Invalid value: "object": too few']);
  });
  test("messageExpression builds the message; a bad result falls back to the default", () => {
    const rule = { rule: "self.replicas >= self.min", messageExpression: "'need ' + string(self.min) + ' replicas'" };
    expect(validate(withRules([rule]), { spec: { replicas: 1, min: 2 } })).toEqual(['spec: Invalid value: "object": need 2 replicas']);
    expect(validate(withRules([{ ...rule, messageExpression: "' '" }]), { spec: { replicas: 1, min: 2 } })).toEqual(['spec: Invalid value: "object": failed rule: self.replicas >= self.min']);
  });
  test("reason chooses the error type", () => {
    const fails = (reason: string) => validate(withRules([{ rule: "has(self.name)", message: "name is needed", reason }]), { spec: {} });
    expect(fails("FieldValueRequired")).toEqual(["spec: Required value: name is needed"]);
    expect(fails("FieldValueForbidden")).toEqual(["spec: Forbidden: name is needed"]);
    expect(fails("FieldValueDuplicate")).toEqual(['spec: Duplicate value: "object"']);
  });
  test("fieldPath moves the error to a field", () => {
    expect(validate(withRules([{ rule: "self.replicas >= 0", fieldPath: ".replicas" }]), { spec: { replicas: -1 } })).toEqual(['spec.replicas: Invalid value: "object": failed rule: self.replicas >= 0']);
  });
  test("rules at the root are reported on <nil>", () => {
    const s: JSONSchemaProps = { type: "object", properties: { spec: { type: "object" } }, "x-kubernetes-validations": [{ rule: "self.metadata.name.startsWith('a')" }] };
    expect(validate(s, { metadata: { name: "b" }, spec: {} })).toEqual(['<nil>: Invalid value: "object": failed rule: self.metadata.name.startsWith(\'a\')']);
  });
  test("rules in lists and maps report each element", () => {
    const s: JSONSchemaProps = {
      type: "object",
      properties: {
        l: { type: "array", items: { type: "integer", "x-kubernetes-validations": [{ rule: "self > 0" }] } },
        m: { type: "object", additionalProperties: { type: "string", "x-kubernetes-validations": [{ rule: "self != ''" }] } },
      },
    };
    expect(validate(s, { l: [1, 0, -1], m: { a: "", b: "x" } })).toEqual([
      'l[1]: Invalid value: "integer": failed rule: self > 0',
      'l[2]: Invalid value: "integer": failed rule: self > 0',
      'm[a]: Invalid value: "string": failed rule: self != \'\'',
    ]);
  });
  test("runtime errors name the rule", () => {
    expect(validate(withRules([{ rule: "self.name.size() > 0" }]), { spec: {} })).toEqual(['spec: Invalid value: "object": no such key: name evaluating rule: self.name.size() > 0']);
    expect(validate(withRules([{ rule: "dyn(self.replicas) + 'x' == 'y'" }]), { spec: { replicas: 1 } })).toEqual([
      "spec: Invalid value: \"object\": 'no such overload': call arguments did not match a supported operator, function or macro signature for rule: dyn(self.replicas) + 'x' == 'y'",
    ]);
  });
  test("rules are skipped when the schema already found the object unusable", () => {
    const s = withRules([{ rule: "self.replicas > 0" }], { type: "object", required: ["name"], properties: { replicas: { type: "integer" }, name: { type: "string" } } });
    expect(validate(s, { spec: { replicas: 0 } })).toEqual([
      "spec.name: Required value",
      '<nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
    ]);
  });
});

describe("transition rules", () => {
  const s: JSONSchemaProps = { type: "object", properties: { spec: { type: "object", properties: { name: { type: "string", "x-kubernetes-validations": [{ rule: "self == oldSelf", message: "name is immutable" }] } } } } };
  test("run only on updates", () => {
    expect(validate(s, { spec: { name: "a" } })).toEqual([]);
    expect(validate(s, { spec: { name: "b" } }, { spec: { name: "a" } })).toEqual(['spec.name: Invalid value: "string": name is immutable']);
    expect(validate(s, { spec: { name: "a" } }, { spec: { name: "a" } })).toEqual([]);
  });
  test("a field added by the update has no old value, so its transition rules do not run", () => {
    expect(validate(s, { spec: { name: "b" } }, { spec: {} })).toEqual([]);
  });
  test("optionalOldSelf runs on creates with oldSelf as an optional", () => {
    const o: JSONSchemaProps = { type: "object", properties: { n: { type: "integer", "x-kubernetes-validations": [{ rule: "!oldSelf.hasValue() || self >= oldSelf.value()", optionalOldSelf: true }] } } };
    expect(validate(o, { n: 1 })).toEqual([]);
    expect(validate(o, { n: 1 }, { n: 2 })).toEqual(['n: Invalid value: "integer": failed rule: !oldSelf.hasValue() || self >= oldSelf.value()']);
  });
  test("items of map lists correlate by key", () => {
    const l: JSONSchemaProps = {
      type: "object",
      properties: {
        l: {
          type: "array",
          "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["k"],
          items: { type: "object", required: ["k"], properties: { k: { type: "string" }, v: { type: "number", "x-kubernetes-validations": [{ rule: "self >= oldSelf" }] } } },
        },
      },
    };
    expect(validate(l, { l: [{ k: "b", v: 1 }, { k: "a", v: 0.9 }] }, { l: [{ k: "a", v: 1.0 }, { k: "b", v: 1 }] })).toEqual(['l[1].v: Invalid value: "number": failed rule: self >= oldSelf']);
  });
  test("errors of unchanged values ratchet, unless the rule uses oldSelf", () => {
    const r = withRules([{ rule: "self.replicas < 10" }]);
    expect(validate(r, { spec: { replicas: 20 } }, { spec: { replicas: 20 } })).toEqual([]);
    expect(validate(r, { spec: { replicas: 21 } }, { spec: { replicas: 20 } })).toEqual(['spec: Invalid value: "object": failed rule: self.replicas < 10']);
  });
});

describe("cost", () => {
  const s: JSONSchemaProps = {
    type: "object",
    properties: { l: { type: "array", items: { type: "integer" }, "x-kubernetes-validations": [{ rule: "self.all(x, self.all(y, self.all(z, x + y + z >= 0)))" }, { rule: "size(self) >= 0" }] } },
  };
  test("a rule over its per-call limit stops all further rules", () => {
    const l = Array.from({ length: 200 }, (_, i) => i);
    expect(validate(s, { l })).toEqual([
      "l: Invalid value: \"array\": 'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: self.all(x, self.all(y, self.all(z, x + y + z >= 0)))",
    ]);
  });
  test("a cheap rule on small data passes", () => expect(validate(s, { l: [1, 2, 3] })).toEqual([]));
  test("the per-object budget is shared by all rules", () => {
    const items: JSONSchemaProps = { type: "object", properties: { l: { type: "array", items: { type: "array", items: { type: "integer" }, "x-kubernetes-validations": [{ rule: "self.all(x, self.all(y, x + y >= 0))" }] } } } };
    const inner = Array.from({ length: 250 }, (_, i) => i);
    const errs = validate(items, { l: Array.from({ length: 60 }, () => inner) });
    expect(errs.at(-1)).toEndWith("validation failed due to running out of cost budget, no further validation rules will be run");
  });
});
