/**
 * Addresses that make no sense as endpoints or external IPs (upstream's ValidateNonSpecialIP):
 * unspecified, loopback, link-local.
 */
import type { FieldError } from "../../api/errors.ts";
import { field, type FieldPath } from "../../validation/field.ts";
import { isIPv4 } from "../../validation/ip.ts";

function ipv4Octets(ip: string): number[] {
  return ip.split(".").map(Number);
}

/** Expands an IPv6 address to its 8 groups (an IPv4 tail becomes two). */
function ipv6Groups(ip: string): number[] {
  let text = ip.toLowerCase();
  const tail = text.slice(text.lastIndexOf(":") + 1);
  if (tail.includes(".")) {
    const [a, b, c, d] = ipv4Octets(tail) as [number, number, number, number];
    text = `${text.slice(0, text.lastIndexOf(":") + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", rest] = text.split("::");
  const h = head ? head.split(":") : [];
  const r = rest !== undefined && rest !== "" ? rest.split(":") : [];
  const fill = rest === undefined ? [] : Array<string>(8 - h.length - r.length).fill("0");
  return [...h, ...fill, ...r].map((g) => parseInt(g, 16));
}

export function validateNonSpecialIP(ip: string, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (isIPv4(ip)) {
    const [a, b, c] = ipv4Octets(ip) as [number, number, number];
    if (ip === "0.0.0.0") errs.push(field.invalid(path, ip, `may not be unspecified (${ip})`));
    if (a === 127) errs.push(field.invalid(path, ip, "may not be in the loopback range (127.0.0.0/8, ::1/128)"));
    if (a === 169 && b === 254) errs.push(field.invalid(path, ip, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"));
    if (a === 224 && b === 0 && c === 0) errs.push(field.invalid(path, ip, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"));
    return errs;
  }
  const g = ipv6Groups(ip);
  if (g.length !== 8) return [field.invalid(path, ip, "must be a valid IP address")];
  const zeroUntil = (n: number) => g.slice(0, n).every((x) => x === 0);
  // IPv4-mapped addresses (::ffff:a.b.c.d) are judged as IPv4, as Go's net.IP does.
  if (zeroUntil(5) && g[5] === 0xffff) return validateNonSpecialIP(`${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`, path).map((e) => ({ ...e, value: ip }));
  if (g.every((x) => x === 0)) errs.push(field.invalid(path, ip, `may not be unspecified (${ip})`));
  if (zeroUntil(7) && g[7] === 1) errs.push(field.invalid(path, ip, "may not be in the loopback range (127.0.0.0/8, ::1/128)"));
  if ((g[0]! & 0xffc0) === 0xfe80) errs.push(field.invalid(path, ip, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"));
  if ((g[0]! & 0xff0f) === 0xff02) errs.push(field.invalid(path, ip, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"));
  return errs;
}
