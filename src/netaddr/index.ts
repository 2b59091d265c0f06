/**
 * IPv4 addresses and CIDR blocks as numbers: parsing, containment, the n-th address of a block,
 * and splitting a block into equal subnets (the node IPAM's pod CIDRs). The pod network, the
 * service proxy and the node IPAM controller share these.
 */

export interface Cidr {
  /** Network address as an unsigned 32-bit number. */
  readonly base: number;
  readonly bits: number;
  /** Number of addresses in the block. */
  readonly size: number;
}

export function parseIPv4(ip: string): number | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

export function isIPv4(ip: string): boolean {
  return parseIPv4(ip) !== undefined;
}

/** Parses "a.b.c.d/n"; host bits are cleared (10.42.3.7/16 is 10.42.0.0/16). */
export function parseCidr(text: string): Cidr | undefined {
  const [addr, bitsText, extra] = text.split("/");
  if (extra !== undefined || bitsText === undefined || !/^\d{1,2}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  const ip = parseIPv4(addr ?? "");
  if (ip === undefined || bits > 32) return undefined;
  const size = 2 ** (32 - bits);
  return { base: ip - (ip % size), bits, size };
}

export function mustParseCidr(text: string): Cidr {
  const c = parseCidr(text);
  if (!c) throw new Error(`${JSON.stringify(text)} is not an IPv4 CIDR (e.g. 10.42.0.0/16)`);
  return c;
}

export function formatCidr(c: Cidr): string {
  return `${formatIPv4(c.base)}/${c.bits}`;
}

export function cidrContains(c: Cidr, ip: string): boolean {
  const n = parseIPv4(ip);
  return n !== undefined && n >= c.base && n < c.base + c.size;
}

/** Whether two blocks share any address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + b.size && b.base < a.base + a.size;
}

/** The n-th address of the block (0 = the network address). */
export function cidrAddress(c: Cidr, n: number): string {
  return formatIPv4(c.base + n);
}

/** How many /`bits` subnets the block holds. */
export function subnetCount(c: Cidr, bits: number): number {
  return bits < c.bits || bits > 32 ? 0 : 2 ** (bits - c.bits);
}

/** The index-th /`bits` subnet of the block. */
export function subnet(c: Cidr, bits: number, index: number): Cidr {
  const size = 2 ** (32 - bits);
  return { base: c.base + index * size, bits, size };
}

/** Which /`bits` subnet of `c` the block `s` is, or undefined when it is not one. */
export function subnetIndex(c: Cidr, bits: number, s: Cidr): number | undefined {
  if (s.bits !== bits || s.base < c.base || s.base >= c.base + c.size) return undefined;
  return (s.base - c.base) / s.size;
}
