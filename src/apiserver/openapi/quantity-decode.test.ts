import { expect, test } from "bun:test";
import { QUANTITY_NUMERIC_ERROR, QUANTITY_SUFFIX_ERROR, quantityDecodeError } from "./quantity-decode.ts";

const FORMAT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

test.each([
  "1",
  "0",
  "100m",
  "1Gi",
  "1.5Gi",
  "0.5",
  "1e3",
  "1E3",
  "1e-3",
  "+1k",
  "-1M",
  "1E",
  "1.",
  ".5",
  // upstream's scanner accepts these, so decoding must too
  ".",
  "-",
  "+",
  " 1Gi ",
  "\t2\n",
  "\u00a01\u00a0",
  "1Pi",
  "-Ki",
  null,
  3,
  1.5,
  -2e9,
])("%p decodes", (v) => {
  expect(quantityDecodeError(v)).toBeUndefined();
});

test.each([
  ["", FORMAT],
  ["   ", FORMAT],
  ["abc", FORMAT],
  ["1x", FORMAT],
  ["1KB", FORMAT],
  ["2GB", FORMAT],
  ["100mb", FORMAT],
  ["1 Gi", FORMAT],
  ["1g", FORMAT],
  ["1e3x", FORMAT],
  ["1.2.3", FORMAT],
  ["\ufeff1", FORMAT],
  ["1K", QUANTITY_SUFFIX_ERROR],
  ["1e", QUANTITY_SUFFIX_ERROR],
  ["1mm", QUANTITY_SUFFIX_ERROR],
  ["1Gi2", QUANTITY_SUFFIX_ERROR],
  ["1e99999999999999999999", QUANTITY_SUFFIX_ERROR],
  ["-Pi", QUANTITY_NUMERIC_ERROR],
  [".Ei", QUANTITY_NUMERIC_ERROR],
  ["-e-10", QUANTITY_NUMERIC_ERROR],
  [true, FORMAT],
  [{ cpu: 1 }, FORMAT],
  [[1], FORMAT],
])("%p fails with %p", (v, message) => {
  expect(quantityDecodeError(v)).toBe(message);
});
