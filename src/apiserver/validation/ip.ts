/**
 * IP and CIDR syntax, with upstream's messages (k8s.io/apimachinery/pkg/util/validation/ip.go).
 * Parsing is strict: no leading zeros in IPv4 octets, no zones.
 */
import type { FieldError } from "../api/errors.ts";
import { field, type FieldPath } from "./field.ts";

const IPV4_OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4 = new RegExp(`^${IPV4_OCTET}(\\.${IPV4_OCTET}){3}$`);

export function isIPv4(value: string): boolean {
  return IPV4.test(value);
}

/** IPv6 text in any RFC 4291 form; an embedded IPv4 tail must pass `ipv4` (strict by default). */
export function isIPv6(value: string, ipv4: (text: string) => boolean = isIPv4): boolean {
  if (!value.includes(":") || /[^0-9a-fA-F:.]/.test(value)) return false;
  let text = value;
  let groupsNeeded = 8;
  // An embedded IPv4 tail takes the place of two groups.
  const lastColon = text.lastIndexOf(":");
  const tail = text.slice(lastColon + 1);
  if (tail.includes(".")) {
    if (!ipv4(tail)) return false;
    text = text.slice(0, lastColon + 1) + "0";
    groupsNeeded = 7;
  }
  const halves = text.split("::");
  if (halves.length > 2) return false;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const all = halves.flatMap(groups);
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? all.length < groupsNeeded : all.length === groupsNeeded;
}

export function isIP(value: string): boolean {
  return isIPv4(value) || isIPv6(value);
}

/** upstream's IsValidIP: one Invalid error on `path` when `value` is not an IP. */
export function validateIP(path: FieldPath, value: string): FieldError[] {
  return isIP(value) ? [] : [field.invalid(path, value, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")];
}

export function isCIDR(value: string): boolean {
  const slash = value.indexOf("/");
  if (slash < 0) return false;
  const ip = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return false;
  const max = isIPv4(ip) ? 32 : isIPv6(ip) ? 128 : -1;
  return max >= 0 && Number(bits) <= max;
}

/** upstream's IsValidCIDR. */
export function validateCIDR(path: FieldPath, value: string): FieldError[] {
  return isCIDR(value) ? [] : [field.invalid(path, value, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)")];
}
