import { describe, expect, test } from "bun:test";
import { canonicalQuantity, compareQuantities, parseQuantity } from "./quantity.ts";

describe("canonicalQuantity (what kube-apiserver stores)", () => {
  test.each([
    ["100m", "100m"],
    ["0.5", "500m"],
    ["1000m", "1"],
    ["1500m", "1500m"],
    ["12000", "12k"],
    ["1024Mi", "1Gi"],
    ["1536Mi", "1536Mi"],
    ["2048Ki", "2Mi"],
    ["0.5Gi", "512Mi"],
    ["0.5Ki", "512"],
    ["1.5Gi", "1536Mi"],
    ["128974848", "128974848"],
    ["129e6", "129e6"],
    ["1e3", "1e3"],
    ["1M", "1M"],
    ["0", "0"],
    ["0Gi", "0"],
    ["-1", "-1"],
    ["1n", "1n"],
    ["0.1n", "1n"],
  ])("%s -> %s", (input, want) => {
    expect(canonicalQuantity(input)).toBe(want);
  });

  test.each([
    ["0.0001", "1m"],
    ["1n", "1m"],
    ["100m", "100m"],
    ["1.0001", "1001m"],
  ])("resource lists round %s up to milli-units: %s", (input, want) => {
    expect(canonicalQuantity(input, true)).toBe(want);
  });

  test("garbage is returned unchanged for validation to report", () => {
    expect(canonicalQuantity("lots")).toBe("lots");
    expect(parseQuantity("1.2.3")).toBeUndefined();
    expect(parseQuantity("")).toBeUndefined();
    expect(parseQuantity(" 1")).toBeUndefined();
  });

  test("comparison is exact across suffixes", () => {
    const q = (s: string) => parseQuantity(s)!;
    expect(compareQuantities(q("1Gi"), q("1024Mi"))).toBe(0);
    expect(compareQuantities(q("1G"), q("1Gi"))).toBe(-1);
    expect(compareQuantities(q("2"), q("1500m"))).toBe(1);
  });
});
