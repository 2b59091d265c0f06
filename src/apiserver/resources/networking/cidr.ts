/**
 * CIDR arithmetic for NetworkPolicy ipBlocks: an `except` range must lie strictly inside `cidr`
 * (upstream compares the parsed networks: the except network's address is in the block, and its
 * prefix is longer).
 */
import { isCIDR, isIPv4 } from "../../validation/ip.ts";

export interface Network {
  bits: 32 | 128;
  prefix: number;
  /** The address with host bits cleared. */
  base: bigint;
}

function ipv4ToBigInt(ip: string): bigint {
  return ip.split(".").reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

/** Expands "a::b" (and an IPv4 tail) to 128 bits. */
function ipv6ToBigInt(ip: string): bigint {
  let text = ip.toLowerCase();
  const tail = text.slice(text.lastIndexOf(":") + 1);
  if (tail.includes(".")) {
    const v4 = ipv4ToBigInt(tail);
    text = `${text.slice(0, text.lastIndexOf(":") + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = "", rest] = text.split("::");
  const left = head ? head.split(":") : [];
  const right = rest ? rest.split(":") : [];
  const groups = rest === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** The network a CIDR names, or undefined when the text is not a CIDR. */
export function parseNetwork(cidr: string): Network | undefined {
  if (!isCIDR(cidr)) return undefined;
  const [ip = "", prefixText = ""] = cidr.split("/");
  const bits = isIPv4(ip) ? 32 : 128;
  const prefix = Number(prefixText);
  const value = bits === 32 ? ipv4ToBigInt(ip) : ipv6ToBigInt(ip);
  const hostBits = BigInt(bits - prefix);
  return { bits, prefix, base: (value >> hostBits) << hostBits };
}

/** Whether `inner` is a strictly smaller network inside `outer` (same family). */
export function isStrictSubnet(inner: Network, outer: Network): boolean {
  if (inner.bits !== outer.bits) return false;
  const hostBits = BigInt(outer.bits - outer.prefix);
  return inner.base >> hostBits === outer.base >> hostBits && outer.prefix < inner.prefix;
}
