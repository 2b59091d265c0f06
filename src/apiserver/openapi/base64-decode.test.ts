import { expect, test } from "bun:test";
import { base64Error } from "./base64-decode.ts";

test.each(["", "YQ==", "YWI=", "YWJj", "YWJjZA==", "YW\nJj", "YWJj\r\n", "\nYWJj", "YQ=\n=", "+/+/"])("decodes %p", (v) => {
  expect(base64Error(v)).toBeUndefined();
});

test.each([
  ["!!!!", 0],
  ["YWJ", 0],
  ["YWJjZ", 4],
  ["YWJjZA", 4],
  ["YWJjZA=", 7],
  ["YQ", 0],
  ["Y===", 1],
  ["YQ=a", 2],
  ["YQ==YQ==", 4],
  ["YWI=\nx", 5],
  ["YWJj YWJj", 4],
  ["YWJj-_", 4],
  ["é", 0],
  ["YWJjé", 4],
  ["YWJjZA==\n\n!", 10],
])("%p fails at input byte %p", (v, offset) => {
  expect(base64Error(v)).toBe(`illegal base64 data at input byte ${offset}`);
});
