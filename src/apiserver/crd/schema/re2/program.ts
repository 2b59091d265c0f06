/**
 * Regexp trees compiled to an NFA program, as RE2 does. Matching never backtracks (see
 * ./match.ts), so a hostile pattern or input costs time linear in the input, never exponential:
 * CRD patterns come from CRD authors and are run against every object users send.
 */
import { foldOrbit, normalizeRanges, type CharClass, type Node } from "./parse.ts";

export const enum Op {
  Char,
  Split,
  Jmp,
  Assert,
  Match,
}

export type AssertKind = "bol" | "eol" | "bot" | "eot" | "wb" | "nwb";

export interface Inst {
  op: Op;
  /** Char: the class; Split/Jmp: targets. */
  match?: (cp: number) => boolean;
  x: number;
  y: number;
  assert?: AssertKind;
}

/** Programs beyond this many instructions are refused (Go's regexp has a similar size limit). */
const MAX_INSTS = 500_000;

export class ProgramTooLarge extends Error {}

export function compileProgram(node: Node): Inst[] {
  const insts: Inst[] = [];
  const emit = (i: Inst): number => {
    if (insts.length >= MAX_INSTS) throw new ProgramTooLarge("expression too large");
    insts.push(i);
    return insts.length - 1;
  };
  const gen = (n: Node): void => {
    switch (n.k) {
      case "empty":
        return;
      case "lit": {
        const cps = n.fold ? foldOrbit(n.cp) : [n.cp];
        const cp = n.cp;
        emit({ op: Op.Char, match: cps.length === 1 ? (c) => c === cp : (c) => cps.includes(c), x: 0, y: 0 });
        return;
      }
      case "class":
        emit({ op: Op.Char, match: classMatcher(n.cls), x: 0, y: 0 });
        return;
      case "any":
        emit({ op: Op.Char, match: n.nl ? () => true : (c) => c !== 10, x: 0, y: 0 });
        return;
      case "assert":
        emit({ op: Op.Assert, assert: n.a, x: 0, y: 0 });
        return;
      case "cat":
        for (const s of n.subs) gen(s);
        return;
      case "group":
        gen(n.sub);
        return;
      case "alt": {
        // split L1, next; L1: a; jmp end; next: split L2, ...
        const jumps: number[] = [];
        n.subs.forEach((s, i) => {
          if (i < n.subs.length - 1) {
            const split = emit({ op: Op.Split, x: 0, y: 0 });
            insts[split]!.x = insts.length;
            gen(s);
            jumps.push(emit({ op: Op.Jmp, x: 0, y: 0 }));
            insts[split]!.y = insts.length;
          } else gen(s);
        });
        for (const j of jumps) insts[j]!.x = insts.length;
        return;
      }
      case "repeat": {
        for (let i = 0; i < n.min; i++) gen(n.sub);
        if (n.max === -1) {
          // L: split body, end (greedy prefers body)
          const split = emit({ op: Op.Split, x: 0, y: 0 });
          const body = insts.length;
          gen(n.sub);
          emit({ op: Op.Jmp, x: split, y: 0 });
          setSplit(insts[split]!, body, insts.length, n.greedy);
          return;
        }
        const splits: number[] = [];
        for (let i = n.min; i < n.max; i++) {
          const split = emit({ op: Op.Split, x: 0, y: 0 });
          splits.push(split);
          insts[split]!.x = insts.length;
          gen(n.sub);
        }
        for (const s of splits) setSplit(insts[s]!, insts[s]!.x, insts.length, n.greedy);
        return;
      }
    }
  };
  gen(node);
  emit({ op: Op.Match, x: 0, y: 0 });
  return insts;
}

function setSplit(inst: Inst, body: number, exit: number, greedy: boolean): void {
  inst.x = greedy ? body : exit;
  inst.y = greedy ? exit : body;
}

/** A membership test for a class: ASCII by table, the rest by binary search and property regexps. */
function classMatcher(cls: CharClass): (cp: number) => boolean {
  const ranges = normalizeRanges(cls.ranges);
  const ascii = new Uint8Array(128);
  for (const [lo, hi] of ranges) for (let c = lo; c <= Math.min(hi, 127); c++) ascii[c] = 1;
  const props = cls.props.map((p) => new RegExp(`^${p.neg ? "\\P" : "\\p"}{${p.name}}$`, "u"));
  const inRanges = (cp: number): boolean => {
    let lo = 0;
    let hi = ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [a, b] = ranges[mid]!;
      if (cp < a) hi = mid - 1;
      else if (cp > b) lo = mid + 1;
      else return true;
    }
    return false;
  };
  const member = (cp: number): boolean => {
    if (cp < 128 && ascii[cp] === 1) return true;
    if (cp >= 128 && inRanges(cp)) return true;
    if (props.length === 0) return false;
    const ch = String.fromCodePoint(cp);
    return props.some((re) => re.test(ch));
  };
  return cls.neg ? (cp) => !member(cp) : member;
}

export function isWordChar(cp: number): boolean {
  return (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || cp === 0x5f;
}

/** Whether an empty-width assertion holds between `prev` and `next` (-1 at the text's ends). */
export function assertHolds(kind: AssertKind, prev: number, next: number): boolean {
  switch (kind) {
    case "bot":
      return prev === -1;
    case "eot":
      return next === -1;
    case "bol":
      return prev === -1 || prev === 10;
    case "eol":
      return next === -1 || next === 10;
    case "wb":
      return (prev !== -1 && isWordChar(prev)) !== (next !== -1 && isWordChar(next));
    case "nwb":
      return (prev !== -1 && isWordChar(prev)) === (next !== -1 && isWordChar(next));
  }
}
