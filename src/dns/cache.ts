/**
 * Encoded responses kept for reuse. A hit costs a copy and a few byte writes: the client's ID,
 * its question (the same name in the client's own letter case), and, for upstream answers, the
 * TTLs lowered by the time spent in the cache. Entries leave oldest first past `capacity`.
 */

export interface CachedResponse {
  /** The response as first encoded (no OPT record for cluster answers). */
  bytes: Uint8Array;
  /** Monotonic milliseconds when stored. */
  storedAt: number;
  /** Monotonic milliseconds after which the entry is not served. */
  expiresAt: number;
  /** Offsets of TTL fields to lower by the age (upstream answers). */
  ttlOffsets?: number[];
  /** TTL values as stored, matching ttlOffsets. */
  ttls?: number[];
  /** A run of equal-size address records to rotate per answer (CoreDNS's loadbalance). */
  rotate?: { offset: number; count: number; size: number };
}

export class ResponseCache {
  private readonly entries = new Map<string, CachedResponse>();
  hits = 0;
  misses = 0;

  constructor(private readonly capacity: number) {}

  get(key: string, now: number): CachedResponse | undefined {
    const e = this.entries.get(key);
    if (!e || now >= e.expiresAt) {
      if (e) this.entries.delete(key);
      this.misses++;
      return undefined;
    }
    this.hits++;
    return e;
  }

  set(key: string, entry: CachedResponse): void {
    this.entries.delete(key);
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, entry);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * A cached response made into the answer to one query: `question` is the query's question bytes
 * (from offset 12), `id` its ID, `rd` its recursion-desired bit.
 */
export function materialize(entry: CachedResponse, id: number, question: Uint8Array, rd: boolean, now: number): Uint8Array {
  const out = new Uint8Array(entry.bytes);
  out[0] = id >> 8;
  out[1] = id & 0xff;
  out[2] = (out[2]! & ~0x01) | (rd ? 0x01 : 0);
  out.set(question, 12);
  if (entry.ttlOffsets && entry.ttls) {
    const age = Math.floor((now - entry.storedAt) / 1000);
    if (age > 0) {
      const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
      for (let i = 0; i < entry.ttlOffsets.length; i++) view.setUint32(entry.ttlOffsets[i]!, Math.max(0, entry.ttls[i]! - age));
    }
  }
  const r = entry.rotate;
  if (r && r.count > 1) {
    const k = Math.floor(Math.random() * r.count);
    if (k > 0) {
      const block = entry.bytes.subarray(r.offset, r.offset + r.count * r.size);
      out.set(block.subarray(k * r.size), r.offset);
      out.set(block.subarray(0, k * r.size), r.offset + (r.count - k) * r.size);
    }
  }
  return out;
}
