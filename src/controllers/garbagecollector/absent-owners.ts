/**
 * Owners verified not to exist (upstream's absentOwnerCache): a bounded, least-recently-used set
 * of identities. A uid is never reused, so an entry never becomes wrong; the bound only limits
 * memory, and a forgotten owner is simply looked up again.
 */
import { type Identity, identityKey } from "./identity.ts";

export class AbsentOwners {
  private readonly keys = new Map<string, true>();

  constructor(private readonly capacity = 500) {}

  add(id: Identity): void {
    const key = identityKey(id);
    this.keys.delete(key);
    this.keys.set(key, true);
    if (this.keys.size > this.capacity) this.keys.delete(this.keys.keys().next().value!);
  }

  has(id: Identity): boolean {
    const key = identityKey(id);
    if (!this.keys.has(key)) return false;
    // Refresh its place, as a cache hit does in an LRU.
    this.keys.delete(key);
    this.keys.set(key, true);
    return true;
  }
}
