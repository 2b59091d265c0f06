/** A binary heap with lazy deletion: entries no longer current for their key are dropped when they surface. */
export class Heap<T> {
  private readonly items: T[] = [];

  constructor(
    private readonly less: (a: T, b: T) => boolean,
    /** Whether an entry is still live (lazy deletion). */
    private readonly live: (item: T) => boolean,
  ) {}

  push(item: T): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(a[i]!, a[parent]!)) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }

  /** The smallest live entry, without removing it. */
  peek(): T | undefined {
    this.dropDead();
    return this.items[0];
  }

  pop(): T | undefined {
    this.dropDead();
    return this.removeTop();
  }

  /** Entries stored, dead ones included. */
  get rawSize(): number {
    return this.items.length;
  }

  private dropDead(): void {
    while (this.items.length > 0 && !this.live(this.items[0]!)) this.removeTop();
  }

  private removeTop(): T | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l]!, a[m]!)) m = l;
        if (r < a.length && this.less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}
