/**
 * ClusterIP allocation from the service CIDR (IPv4). Held in memory and rebuilt from the stored
 * services at start; the store's services are the record of truth, as there is one API server.
 * Addresses are picked at random (upstream does too, so a deleted IP is not reused at once), the
 * network and broadcast addresses are never handed out, and the first host address belongs to
 * the `kubernetes` service.
 */
export class IpRange {
  readonly base: number;
  readonly size: number;

  constructor(readonly cidr: string) {
    const [addr, bitsText] = cidr.split("/");
    const bits = Number(bitsText);
    const base = ipToInt(addr ?? "");
    if (base === undefined || !Number.isInteger(bits) || bits < 8 || bits > 30) throw new Error(`invalid IPv4 CIDR ${JSON.stringify(cidr)} (a /8 to /30 is needed)`);
    this.size = 2 ** (32 - bits);
    this.base = base - (base % this.size);
  }

  contains(ip: string): boolean {
    const n = ipToInt(ip);
    return n !== undefined && n >= this.base && n < this.base + this.size;
  }

  /** The n-th address of the range (0 = network address). */
  at(n: number): string {
    return intToIp(this.base + n);
  }
}

export class IpAllocator {
  private readonly used = new Set<number>();

  constructor(readonly range: IpRange) {}

  /** Marks an address taken; false if it already was or is outside the range. */
  claim(ip: string): boolean {
    const n = ipToInt(ip);
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
        return intToIp(n);
      }
    }
    for (let n = this.range.base + 1; n < this.range.base + this.range.size - 1; n++) {
      if (!this.used.has(n)) {
        this.used.add(n);
        return intToIp(n);
      }
    }
    return undefined;
  }

  release(ip: string): void {
    const n = ipToInt(ip);
    if (n !== undefined) this.used.delete(n);
  }

  isUsable(ip: string): boolean {
    const n = ipToInt(ip);
    return n !== undefined && n > this.range.base && n < this.range.base + this.range.size - 1;
  }
}

export function ipToInt(ip: string): number | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}
