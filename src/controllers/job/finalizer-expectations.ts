/**
 * Per-Job sets of pod UIDs whose tracking-finalizer removal the controller waits to observe
 * (upstream's uidTrackingExpectations): until the informer shows the finalizer gone, the pod
 * must not be counted a second time.
 */
export class FinalizerExpectations {
  private readonly sets = new Map<string, Set<string>>();

  expect(key: string, uids: string[]): void {
    let set = this.sets.get(key);
    if (!set) this.sets.set(key, (set = new Set()));
    for (const uid of uids) set.add(uid);
  }

  observed(key: string, uid: string): void {
    const set = this.sets.get(key);
    set?.delete(uid);
    if (set?.size === 0) this.sets.delete(key);
  }

  get(key: string): ReadonlySet<string> {
    return this.sets.get(key) ?? new Set();
  }

  delete(key: string): void {
    this.sets.delete(key);
  }
}
