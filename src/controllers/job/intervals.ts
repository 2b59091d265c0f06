/**
 * Sets of completion indexes as ordered, merged intervals, printed and parsed as Job status
 * carries them ("1,3-5,7": two neighbours print as "3,4", longer runs as "3-5").
 */
export interface Interval {
  first: number;
  last: number;
}

export class Intervals {
  constructor(readonly list: readonly Interval[] = []) {}

  /** Parses status text, ignoring corrupt pieces and indexes at or past `completions` (upstream's parseIndexesFromString). */
  static parse(text: string | undefined | null, completions: number): Intervals {
    if (!text) return new Intervals();
    const out: Interval[] = [];
    for (const piece of text.split(",")) {
      const limits = piece.split("-");
      const first = Number.parseInt(limits[0] ?? "", 10);
      if (!/^\d+$/.test(limits[0] ?? "") || Number.isNaN(first)) continue;
      if (first >= completions) break;
      let last = first;
      if (limits.length > 1) {
        if (!/^\d+$/.test(limits[1] ?? "")) continue;
        last = Math.min(Number.parseInt(limits[1]!, 10), completions - 1);
      }
      const prev = out.at(-1);
      if (prev && prev.last === first - 1) prev.last = last;
      else out.push({ first, last });
    }
    return new Intervals(out);
  }

  /** These intervals plus the given indexes (in increasing order). */
  withIndexes(indexes: readonly number[]): Intervals {
    return this.merge(new Intervals(indexes.map((i) => ({ first: i, last: i }))));
  }

  merge(other: Intervals): Intervals {
    const all = [...this.list, ...other.list].sort((a, b) => a.first - b.first);
    const out: Interval[] = [];
    for (const iv of all) {
      const prev = out.at(-1);
      if (!prev || iv.first > prev.last + 1) out.push({ ...iv });
      else if (prev.last < iv.last) prev.last = iv.last;
    }
    return new Intervals(out);
  }

  total(): number {
    return this.list.reduce((n, iv) => n + iv.last - iv.first + 1, 0);
  }

  has(ix: number): boolean {
    return this.list.some((iv) => iv.first <= ix && ix <= iv.last);
  }

  toString(): string {
    return this.list.map((iv) => (iv.last === iv.first ? `${iv.first}` : iv.last === iv.first + 1 ? `${iv.first},${iv.last}` : `${iv.first}-${iv.last}`)).join(",");
  }
}
