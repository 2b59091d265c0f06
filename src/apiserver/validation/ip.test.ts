import { expect, test } from "bun:test";
import { isCIDR, isIP, isIPv4, isIPv6 } from "./ip.ts";

test.each(["10.0.0.1", "255.255.255.255", "0.0.0.0"])("IPv4 %s", (ip) => expect(isIPv4(ip)).toBe(true));
test.each(["10.0.0.256", "10.0.0", "010.0.0.1", "a.b.c.d", ""])("not IPv4 %s", (ip) => expect(isIPv4(ip)).toBe(false));
test.each(["::1", "2001:db8::ffff", "fe80::1:2:3:4", "::ffff:10.0.0.1", "1:2:3:4:5:6:7:8"])("IPv6 %s", (ip) => expect(isIPv6(ip)).toBe(true));
test.each(["1:2:3:4:5:6:7:8:9", "1::2::3", "12345::1", "::g", "1:2:3:4:5:6:7"])("not IPv6 %s", (ip) => expect(isIPv6(ip)).toBe(false));
test("CIDRs", () => {
  expect(isCIDR("10.42.0.0/16")).toBe(true);
  expect(isCIDR("2001:db8::/64")).toBe(true);
  expect(isCIDR("10.42.0.0/33")).toBe(false);
  expect(isCIDR("10.42.0.0")).toBe(false);
  expect(isIP("10.42.0.0/16")).toBe(false);
});
