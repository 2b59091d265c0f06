/**
 * A set of field paths, stored as a trie: at each level, `members` are the paths that end there
 * and `children` the subsets under each element. A path can be both a member and a prefix of
 * others (a list item that is owned as a whole and field by field): FieldsV1 writes that as ".".
 *
 * Elements are indexed by their serialized form (unique per element); ordering for output and
 * iteration is upstream's element order. Results of set operations share subsets with their
 * operands, so only a set being built (insert/descend/add*) is ever changed in place. Every
 * write computes several sets, so the maps are only allocated once something goes in them and
 * operations with an empty side return the other side as it is.
 */
import { comparePathElements, pathString, serializePathElement, type Path, type PathElement } from "./path-element.ts";

export interface Child {
  pe: PathElement;
  set: FieldSet;
}

const NO_MEMBERS: ReadonlyMap<string, PathElement> = new Map();
const NO_CHILDREN: ReadonlyMap<string, Child> = new Map();

export class FieldSet {
  private memberMap: Map<string, PathElement> | undefined;
  private childMap: Map<string, Child> | undefined;

  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** The paths that end at this level, by element id. */
  get members(): ReadonlyMap<string, PathElement> {
    return this.memberMap ?? NO_MEMBERS;
  }

  /** The subsets below this level, by element id. */
  get children(): ReadonlyMap<string, Child> {
    return this.childMap ?? NO_CHILDREN;
  }

  addMember(id: string, pe: PathElement): void {
    (this.memberMap ??= new Map()).set(id, pe);
  }

  addChild(id: string, child: Child): void {
    (this.childMap ??= new Map()).set(id, child);
  }

  insert(path: Path): void {
    if (path.length === 0) return;
    let s: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) s = s.descend(path[i]!);
    const last = path[path.length - 1]!;
    s.addMember(serializePathElement(last), last);
  }

  /** The subset under `pe`, created if missing. */
  descend(pe: PathElement): FieldSet {
    const id = serializePathElement(pe);
    let child = this.childMap?.get(id);
    if (!child) {
      child = { pe, set: new FieldSet() };
      this.addChild(id, child);
    }
    return child.set;
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    let s: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1 && s; i++) s = s.children.get(serializePathElement(path[i]!))?.set;
    return s?.members.has(serializePathElement(path[path.length - 1]!)) ?? false;
  }

  hasMember(pe: PathElement): boolean {
    return this.members.has(serializePathElement(pe));
  }

  /** The paths under `pe` (relative to it); empty when there are none. */
  withPrefix(pe: PathElement): FieldSet {
    return this.children.get(serializePathElement(pe))?.set ?? new FieldSet();
  }

  empty(): boolean {
    if (this.members.size > 0) return false;
    for (const c of this.children.values()) if (!c.set.empty()) return false;
    return true;
  }

  union(other: FieldSet): FieldSet {
    if (other.empty()) return this;
    if (this.empty()) return other;
    const out = new FieldSet();
    for (const [k, pe] of this.members) out.addMember(k, pe);
    for (const [k, pe] of other.members) out.addMember(k, pe);
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      out.addChild(k, o ? { pe: c.pe, set: c.set.union(o.set) } : c);
    }
    for (const [k, c] of other.children) if (!this.children.has(k)) out.addChild(k, c);
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    if (this.empty() || other.empty()) return out;
    for (const [k, pe] of this.members) if (other.members.has(k)) out.addMember(k, pe);
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      if (!o) continue;
      const both = c.set.intersection(o.set);
      if (!both.empty()) out.addChild(k, { pe: c.pe, set: both });
    }
    return out;
  }

  /** The paths of this set that are not in `other` (a member of `other` removes only that path). */
  difference(other: FieldSet): FieldSet {
    if (other.empty()) return this;
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!other.members.has(k)) out.addMember(k, pe);
    for (const [k, c] of this.children) {
      const o = other.children.get(k);
      if (!o) {
        out.addChild(k, c);
        continue;
      }
      const rest = c.set.difference(o.set);
      if (!rest.empty()) out.addChild(k, { pe: c.pe, set: rest });
    }
    return out;
  }

  /** Like difference, but a member of `other` also removes every path below it. */
  recursiveDifference(other: FieldSet): FieldSet {
    if (other.empty()) return this;
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (!other.members.has(k)) out.addMember(k, pe);
    for (const [k, c] of this.children) {
      if (other.members.has(k)) continue;
      const o = other.children.get(k);
      if (!o) {
        out.addChild(k, c);
        continue;
      }
      const rest = c.set.recursiveDifference(o.set);
      if (!rest.empty()) out.addChild(k, { pe: c.pe, set: rest });
    }
    return out;
  }

  equals(other: FieldSet): boolean {
    return this.difference(other).empty() && other.difference(this).empty();
  }

  /** Members in element order. */
  sortedMembers(): PathElement[] {
    return [...this.members.values()].sort(comparePathElements);
  }

  /** Children in element order. */
  sortedChildren(): Child[] {
    return [...this.children.values()].sort((a, b) => comparePathElements(a.pe, b.pe));
  }

  /** Every path, in upstream's iteration order: a level's members, then each child's paths. */
  paths(): Path[] {
    const out: Path[] = [];
    const walk = (s: FieldSet, prefix: PathElement[]) => {
      for (const pe of s.sortedMembers()) out.push([...prefix, pe]);
      for (const c of s.sortedChildren()) walk(c.set, [...prefix, c.pe]);
    };
    walk(this, []);
    return out;
  }

  /** One path per line, for test failures and debugging. */
  toString(): string {
    return this.paths().map(pathString).join("\n");
  }
}
