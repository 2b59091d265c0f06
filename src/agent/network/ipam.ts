/**
 * Pod addresses from the node's pod CIDR (the CNI host-local IPAM's role). The network address,
 * the gateway (the bridge, the CIDR's first address) and the broadcast address are never handed
 * out. Addresses go round-robin from the last one given, so an address just freed is not reused
 * at once (a peer may still hold connections or conntrack entries for it).
 *
 * Docker is the source of truth, not a file: each sandbox carries its address as a label, and the
 * allocator is rebuilt from the running (or just created) sandboxes Docker reports, plus the
 * addresses handed out but not yet on a created container (`pending`). A sandbox that stopped has
 * lost its network namespace, so its address is free again.
 */
import { cidrContains, formatIPv4, mustParseCidr, parseIPv4, type Cidr } from "../../netaddr/index.ts";

export class PodIpam {
  readonly cidr: Cidr;
  private readonly used = new Set<number>();
  private readonly pending = new Set<number>();
  /** Offset (in the block) of the last address handed out. */
  private last = 0;
  /** Whether this allocator gave out an address yet. */
  private handedOut = false;

  constructor(cidr: string) {
    this.cidr = mustParseCidr(cidr);
    if (this.cidr.bits > 30) throw new Error(`pod CIDR ${cidr} is too small (at most /30)`);
  }

  /** The gateway: the bridge's address. */
  get gateway(): string {
    return formatIPv4(this.cidr.base + 1);
  }

  /** Offsets that may be handed out: 2 … size-2. */
  private usable(offset: number): boolean {
    return offset >= 2 && offset <= this.cidr.size - 2;
  }

  private offset(ip: string): number | undefined {
    const n = parseIPv4(ip);
    return n !== undefined && cidrContains(this.cidr, ip) ? n - this.cidr.base : undefined;
  }

  /**
   * Makes the taken addresses exactly `taken` (Docker's view) plus the pending ones. `latest` (the
   * address of the newest sandbox) is where round-robin resumes, but only in a fresh allocator (an
   * agent restart): later rebuilds must not move it back, or an address just freed would be next.
   */
  rebuild(taken: Iterable<string>, latest?: string): void {
    this.used.clear();
    for (const ip of taken) {
      const o = this.offset(ip);
      if (o !== undefined) this.used.add(o);
    }
    for (const o of this.pending) this.used.add(o);
    const l = latest !== undefined ? this.offset(latest) : undefined;
    if (!this.handedOut && l !== undefined && this.usable(l)) this.last = l;
  }

  /** The next free address after the last one given; undefined when the range is full. */
  allocate(): string | undefined {
    const size = this.cidr.size;
    for (let i = 1; i <= size; i++) {
      const o = (this.last + i) % size;
      if (!this.usable(o) || this.used.has(o)) continue;
      this.used.add(o);
      this.pending.add(o);
      this.last = o;
      this.handedOut = true;
      return formatIPv4(this.cidr.base + o);
    }
    return undefined;
  }

  /** The address is now on a created container (Docker will report it). */
  commit(ip: string): void {
    const o = this.offset(ip);
    if (o !== undefined) this.pending.delete(o);
  }

  /** The address is free again (its sandbox failed, stopped or was removed). */
  release(ip: string): void {
    const o = this.offset(ip);
    if (o === undefined) return;
    this.used.delete(o);
    this.pending.delete(o);
  }

  has(ip: string): boolean {
    const o = this.offset(ip);
    return o !== undefined && this.used.has(o);
  }

  /** How many addresses are taken. */
  get size(): number {
    return this.used.size;
  }
}
