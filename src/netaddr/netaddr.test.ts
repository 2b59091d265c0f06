import { expect, test } from "bun:test";
import { cidrAddress, cidrContains, cidrsOverlap, formatCidr, mustParseCidr, parseCidr, parseIPv4, subnet, subnetCount, subnetIndex } from "./index.ts";

test("IPv4 and CIDR parsing: host bits cleared, bad input refused", () => {
  expect(parseIPv4("10.42.1.7")).toBe(0x0a2a0107);
  expect(parseIPv4("10.42.1")).toBeUndefined();
  expect(parseIPv4("10.42.1.256")).toBeUndefined();
  expect(formatCidr(mustParseCidr("10.42.3.7/16"))).toBe("10.42.0.0/16");
  for (const bad of ["10.42.0.0", "10.42.0.0/33", "10.42.0.0/16/1", "x/8", "10.42.0.0/a"]) expect(parseCidr(bad)).toBeUndefined();
});

test("containment, overlap and subnets", () => {
  const c = mustParseCidr("10.42.0.0/16");
  expect(cidrContains(c, "10.42.255.255")).toBe(true);
  expect(cidrContains(c, "10.43.0.0")).toBe(false);
  expect(cidrsOverlap(c, mustParseCidr("10.42.7.0/24"))).toBe(true);
  expect(cidrsOverlap(c, mustParseCidr("10.43.0.0/16"))).toBe(false);
  expect(subnetCount(c, 24)).toBe(256);
  expect(formatCidr(subnet(c, 24, 5))).toBe("10.42.5.0/24");
  expect(subnetIndex(c, 24, mustParseCidr("10.42.5.0/24"))).toBe(5);
  expect(subnetIndex(c, 24, mustParseCidr("10.42.5.0/25"))).toBeUndefined();
  expect(cidrAddress(mustParseCidr("10.42.5.0/24"), 1)).toBe("10.42.5.1");
});
