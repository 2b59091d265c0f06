/** NodePort allocation from --service-node-port-range (default 30000-32767), like the IP allocator. */
export class PortRange {
  constructor(
    readonly low: number,
    readonly high: number,
  ) {
    if (!Number.isInteger(low) || !Number.isInteger(high) || low < 1 || high > 65535 || low > high) {
      throw new Error(`invalid port range ${low}-${high}`);
    }
  }

  static parse(text: string): PortRange {
    const m = /^(\d+)-(\d+)$/.exec(text.trim());
    if (!m) throw new Error(`invalid port range ${JSON.stringify(text)} (expected e.g. 30000-32767)`);
    return new PortRange(Number(m[1]), Number(m[2]));
  }

  contains(port: number): boolean {
    return port >= this.low && port <= this.high;
  }

  toString(): string {
    return `${this.low}-${this.high}`;
  }
}

export class PortAllocator {
  private readonly used = new Set<number>();

  constructor(readonly range: PortRange) {}

  claim(port: number): boolean {
    if (!this.range.contains(port) || this.used.has(port)) return false;
    this.used.add(port);
    return true;
  }

  allocate(): number | undefined {
    const size = this.range.high - this.range.low + 1;
    if (this.used.size >= size) return undefined;
    for (let tries = 0; tries < 64; tries++) {
      const p = this.range.low + Math.floor(Math.random() * size);
      if (!this.used.has(p)) {
        this.used.add(p);
        return p;
      }
    }
    for (let p = this.range.low; p <= this.range.high; p++) {
      if (!this.used.has(p)) {
        this.used.add(p);
        return p;
      }
    }
    return undefined;
  }

  release(port: number): void {
    this.used.delete(port);
  }
}
