import { expect, test } from "bun:test";
import { numberLiterals } from "./number-literals.ts";

test("plain integers and numbers inside strings are not recorded", () => {
  expect(numberLiterals('{"spec":{"replicas":3,"image":"nginx:1.25","note":"\\": 1.5,"},"a":[1,2,-3]}').size).toBe(0);
});

test("literals JSON.parse would change are recorded by JSON path", () => {
  const text = '{"spec":{"replicas":1.0,"template":{"spec":{"containers":[{"ports":[{"containerPort":80},{"containerPort":8e1}]}]}}},"big":12345678901234567890,"neg":-0.5,"arr":[1,2.50]}';
  expect([...numberLiterals(text)]).toEqual([
    ["spec.replicas", "1.0"],
    ["spec.template.spec.containers[0].ports[1].containerPort", "8e1"],
    ["big", "12345678901234567890"],
    ["neg", "-0.5"],
    ["arr[1]", "2.50"],
  ]);
});

test("escaped keys are unescaped, as JSON.parse does", () => {
  expect([...numberLiterals('{"a\\u0062": {"c" : 1E+2}}')]).toEqual([["ab.c", "1E+2"]]);
});
