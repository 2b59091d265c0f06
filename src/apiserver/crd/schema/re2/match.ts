/**
 * Linear-time matching of compiled programs: a lazily built DFA answers "does it match
 * anywhere" (CRD `pattern`, CEL matches()), a Pike VM finds leftmost-first match positions
 * (CEL find()/findAll()). Neither backtracks.
 */
import { assertHolds, isWordChar, Op, type Inst } from "./program.ts";

/** What is known about the character before the current position. */
const enum Prev {
  Start,
  Newline,
  Word,
  Other,
}

const PREV_CP: Record<Prev, number> = { [Prev.Start]: -1, [Prev.Newline]: 10, [Prev.Word]: 0x61, [Prev.Other]: 0x20 };

function prevOf(cp: number): Prev {
  if (cp === 10) return Prev.Newline;
  return isWordChar(cp) ? Prev.Word : Prev.Other;
}

interface Transition {
  next: DState;
  /** A match ended right before the character that was read. */
  matched: boolean;
}

interface DState {
  pcs: number[];
  prev: Prev;
  ascii: Array<Transition | undefined>;
  other: Map<number, Transition>;
  atEnd?: boolean;
}

/** States kept before the cache is thrown away (RE2 does the same; the cost stays linear). */
const MAX_STATES = 4096;

export class Matcher {
  private states = new Map<string, DState>();
  private start: DState | undefined;
  /** Generation-marked visited set for closures. */
  private readonly mark: Int32Array;
  private gen = 0;

  constructor(private readonly prog: Inst[]) {
    this.mark = new Int32Array(prog.length);
  }

  /** Whether the program matches anywhere in `s` (Go's MatchString). */
  test(s: string): boolean {
    let state = this.startState();
    for (let i = 0; i < s.length; i++) {
      let cp = s.charCodeAt(i);
      if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < s.length) {
        const lo = s.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo <= 0xdfff) {
          cp = (cp - 0xd800) * 0x400 + (lo - 0xdc00) + 0x10000;
          i++;
        }
      }
      const t = this.transition(state, cp);
      if (t.matched) return true;
      state = t.next;
      if (this.states.size > MAX_STATES) {
        this.states.clear();
        this.start = undefined;
        state = this.intern([...state.pcs], state.prev);
      }
    }
    if (state.atEnd === undefined) state.atEnd = this.resolve(state.pcs, PREV_CP[state.prev], -1).matched;
    return state.atEnd;
  }

  private startState(): DState {
    this.start ??= this.intern(this.closure([0]), Prev.Start);
    return this.start;
  }

  private intern(pcs: number[], prev: Prev): DState {
    const key = `${prev}:${pcs.join(",")}`;
    let st = this.states.get(key);
    if (!st) {
      st = { pcs, prev, ascii: [], other: new Map() };
      this.states.set(key, st);
    }
    return st;
  }

  private transition(state: DState, cp: number): Transition {
    const cached = cp < 128 ? state.ascii[cp] : state.other.get(cp);
    if (cached) return cached;
    const { pcs, matched } = this.resolve(state.pcs, PREV_CP[state.prev], cp);
    const stepped: number[] = [];
    for (const pc of pcs) {
      const inst = this.prog[pc]!;
      if (inst.op === Op.Char && inst.match!(cp)) stepped.push(pc + 1);
    }
    // Unanchored search: a new attempt may begin at every position.
    stepped.push(0);
    const next = this.intern(this.closure(stepped), prevOf(cp));
    const t = { next, matched };
    if (cp < 128) state.ascii[cp] = t;
    else state.other.set(cp, t);
    return t;
  }

  /** Follows Split/Jmp from `starts`, stopping at Char, Match and (undecided) Assert. */
  private closure(starts: number[]): number[] {
    const gen = ++this.gen;
    const out: number[] = [];
    const stack = [...starts].reverse();
    while (stack.length) {
      const pc = stack.pop()!;
      if (this.mark[pc] === gen) continue;
      this.mark[pc] = gen;
      const inst = this.prog[pc]!;
      if (inst.op === Op.Split) stack.push(inst.y, inst.x);
      else if (inst.op === Op.Jmp) stack.push(inst.x);
      else out.push(pc);
    }
    return out.sort((a, b) => a - b);
  }

  /** Settles the assertions of a state now that the characters around the position are known. */
  private resolve(pcs: number[], prev: number, next: number): { pcs: number[]; matched: boolean } {
    const gen = ++this.gen;
    const out: number[] = [];
    let matched = false;
    const stack = [...pcs];
    while (stack.length) {
      const pc = stack.pop()!;
      if (this.mark[pc] === gen) continue;
      this.mark[pc] = gen;
      const inst = this.prog[pc]!;
      switch (inst.op) {
        case Op.Split:
          stack.push(inst.y, inst.x);
          break;
        case Op.Jmp:
          stack.push(inst.x);
          break;
        case Op.Assert:
          if (assertHolds(inst.assert!, prev, next)) stack.push(pc + 1);
          break;
        case Op.Match:
          matched = true;
          break;
        default:
          out.push(pc);
      }
    }
    return { pcs: out, matched };
  }
}

interface Thread {
  pc: number;
  start: number;
}

/**
 * The leftmost-first match at or after `from` (UTF-16 offsets), as Go's FindStringIndex,
 * or undefined.
 */
export function pikeFind(prog: Inst[], s: string, from: number): [number, number] | undefined {
  const mark = new Int32Array(prog.length);
  let gen = 0;
  let clist: Thread[] = [];
  let matched: [number, number] | undefined;
  const add = (list: Thread[], pc0: number, start: number, prev: number, next: number, pos: number) => {
    const stack: number[] = [pc0];
    while (stack.length) {
      const pc = stack.pop()!;
      if (mark[pc] === gen) continue;
      mark[pc] = gen;
      const inst = prog[pc]!;
      if (inst.op === Op.Split) stack.push(inst.y, inst.x);
      else if (inst.op === Op.Jmp) stack.push(inst.x);
      else if (inst.op === Op.Assert) {
        if (assertHolds(inst.assert!, prev, next)) stack.push(pc + 1);
      } else list.push({ pc, start });
    }
  };
  let pos = from;
  let prev = from > 0 ? codePointBefore(s, from) : -1;
  for (;;) {
    const next = pos < s.length ? s.codePointAt(pos)! : -1;
    gen++;
    // Threads carried over keep their marks for this position; re-add them in priority order.
    const carried = clist;
    clist = [];
    for (const t of carried) add(clist, t.pc, t.start, prev, next, pos);
    if (!matched) add(clist, 0, pos, prev, next, pos);
    if (clist.length === 0) break;
    const nlist: Thread[] = [];
    for (const t of clist) {
      const inst = prog[t.pc]!;
      if (inst.op === Op.Match) {
        matched = [t.start, pos];
        break; // lower-priority threads lose (leftmost-first)
      }
      if (next !== -1 && inst.match!(next)) nlist.push({ pc: t.pc + 1, start: t.start });
    }
    if (next === -1) break;
    clist = nlist;
    prev = next;
    pos += next > 0xffff ? 2 : 1;
  }
  return matched;
}

function codePointBefore(s: string, i: number): number {
  const lo = s.charCodeAt(i - 1);
  if (lo >= 0xdc00 && lo <= 0xdfff && i >= 2) {
    const hi = s.charCodeAt(i - 2);
    if (hi >= 0xd800 && hi <= 0xdbff) return (hi - 0xd800) * 0x400 + (lo - 0xdc00) + 0x10000;
  }
  return lo;
}
