/**
 * Controller expectations (upstream's ControllerExpectations with UID tracking): after a
 * controller asks for N creations or deletions, it does not act on that object again until its
 * informer has seen them (or five minutes passed), so a cache that lags behind the writes never
 * makes it create or delete twice.
 */
const TTL_MS = 5 * 60_000;

interface Expectation {
  add: number;
  del: number;
  at: number;
  /** Keys of pods whose deletion is awaited: a pod seen deleted twice (marked, then gone) counts once. */
  deleting: Set<string>;
}

export class Expectations {
  private readonly items = new Map<string, Expectation>();

  constructor(private readonly now: () => number = Date.now) {}

  /** True when nothing is awaited for the key, or the wait has expired. */
  satisfied(key: string): boolean {
    const e = this.items.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.now() - e.at > TTL_MS;
  }

  expectCreations(key: string, n: number): void {
    this.items.set(key, { add: n, del: 0, at: this.now(), deleting: new Set() });
  }

  expectDeletions(key: string, podKeys: string[]): void {
    this.items.set(key, { add: 0, del: podKeys.length, at: this.now(), deleting: new Set(podKeys) });
  }

  /** Both at once (the DaemonSet controller creates and deletes in one pass). */
  set(key: string, add: number, podKeysToDelete: string[]): void {
    this.items.set(key, { add, del: podKeysToDelete.length, at: this.now(), deleting: new Set(podKeysToDelete) });
  }

  creationObserved(key: string): void {
    const e = this.items.get(key);
    if (e) e.add--;
  }

  /** A deletion seen; a pod key not awaited (or already counted) changes nothing. */
  deletionObserved(key: string, podKey?: string): void {
    const e = this.items.get(key);
    if (!e) return;
    if (podKey !== undefined) {
      if (!e.deleting.delete(podKey)) return;
    }
    e.del--;
  }

  delete(key: string): void {
    this.items.delete(key);
  }
}
