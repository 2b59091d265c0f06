/**
 * ClusterIP allocation from the service CIDR (IPv4). Held in memory and rebuilt from the stored
 * services at start; the store's services are the record of truth, as there is one API server.
 * Addresses are picked at random (upstream does too, so a deleted IP is not reused at once), the
 * network and broadcast addresses are never handed out, and the first host address belongs to
 * the `kubernetes` service.
 */
import { type Cidr, cidrContains, formatIPv4, parseCidr, parseIPv4 } from "../../netaddr/index.ts";

export class IpRange implements Cidr {
  readonly base: number;
  readonly bits: number;
  readonly size: number;

  constructor(readonly cidr: string) {
    const block = parseCidr(cidr);
    if (!block || block.bits < 8 || block.bits > 30) throw new Error(`invalid IPv4 CIDR ${JSON.stringify(cidr)} (a /8 to /30 is needed)`);
    ({ base: this.base, bits: this.bits, size: this.size } = block);
  }

  contains(ip: string): boolean {
    return cidrContains(this, ip);
  }

  /** The n-th address of the range (0 = network address). */
  at(n: number): string {
    return formatIPv4(this.base + n);
  }
}

export class IpAllocator {
  private readonly used = new Set<number>();

  constructor(readonly range: IpRange) {}

  /** Marks an address taken; false if it already was or is outside the range. */
  claim(ip: string): boolean {
    const n = parseIPv4(ip);
    if (n === undefined || !this.range.contains(ip) || this.used.has(n)) return false;
    this.used.add(n);
    return true;
  }

  allocate(): string | undefined {
    const usable = this.range.size - 2;
    if (this.used.size >= usable) return undefined;
    for (let tries = 0; tries < 64; tries++) {
      const n = this.range.base + 1 + Math.floor(Math.random() * usable);
      if (!this.used.has(n)) {
        this.used.add(n);
        return formatIPv4(n);
      }
    }
    for (let n = this.range.base + 1; n < this.range.base + this.range.size - 1; n++) {
      if (!this.used.has(n)) {
        this.used.add(n);
        return formatIPv4(n);
      }
    }
    return undefined;
  }

  release(ip: string): void {
    const n = parseIPv4(ip);
    if (n !== undefined) this.used.delete(n);
  }

  isUsable(ip: string): boolean {
    const n = parseIPv4(ip);
    return n !== undefined && n > this.range.base && n < this.range.base + this.range.size - 1;
  }
}
