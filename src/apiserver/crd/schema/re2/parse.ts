/**
 * A parser for Go's regexp syntax (RE2, as regexp.Compile takes it: Perl flags, leftmost-first),
 * which CRD `pattern`s and CEL's matches()/find() use. Its errors read as Go's
 * ("error parsing regexp: missing closing ): `(abc`"); the tree it builds is translated to a
 * JavaScript RegExp or run by the linear-time matcher in ./pike.ts.
 */

export type Node =
  | { k: "empty" }
  | { k: "lit"; cp: number; fold: boolean }
  | { k: "class"; cls: CharClass }
  | { k: "any"; nl: boolean }
  | { k: "assert"; a: "bol" | "eol" | "bot" | "eot" | "wb" | "nwb" }
  | { k: "cat"; subs: Node[] }
  | { k: "alt"; subs: Node[] }
  | { k: "group"; sub: Node; capture: boolean; name?: string }
  | { k: "repeat"; sub: Node; min: number; max: number; greedy: boolean };

/** A set of code points: explicit ranges plus Unicode property escapes (kept symbolic for JS). */
export interface CharClass {
  ranges: Array<[number, number]>;
  /** JS property escapes (`L`, `Script=Greek`), each possibly negated. */
  props: Array<{ name: string; neg: boolean }>;
  neg: boolean;
}

export class RegexpError extends Error {
  constructor(code: string, expr: string) {
    super(`error parsing regexp: ${code}: \`${expr}\``);
  }
}

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
}

const MAX_REPEAT = 1000;
const MAX_DEPTH = 1000;
const MAX_CP = 0x10ffff;

const PERL_CLASSES: Record<string, Array<[number, number]>> = {
  d: [[0x30, 0x39]],
  s: [
    [0x09, 0x0a],
    [0x0c, 0x0d],
    [0x20, 0x20],
  ],
  w: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x5f, 0x5f],
    [0x61, 0x7a],
  ],
};

const POSIX_CLASSES: Record<string, Array<[number, number]>> = {
  alnum: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  alpha: [
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  ascii: [[0x00, 0x7f]],
  blank: [
    [0x09, 0x09],
    [0x20, 0x20],
  ],
  cntrl: [
    [0x00, 0x1f],
    [0x7f, 0x7f],
  ],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [
    [0x21, 0x2f],
    [0x3a, 0x40],
    [0x5b, 0x60],
    [0x7b, 0x7e],
  ],
  space: [
    [0x09, 0x0d],
    [0x20, 0x20],
  ],
  upper: [[0x41, 0x5a]],
  word: PERL_CLASSES.w!,
  xdigit: [
    [0x30, 0x39],
    [0x41, 0x46],
    [0x61, 0x66],
  ],
};

const GENERAL_CATEGORIES = new Set(
  "L Lu Ll Lt Lm Lo M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po S Sm Sc Sk So Z Zs Zl Zp C Cc Cf Co Cs".split(" "),
);

/** The JS spelling of a Go Unicode class name, or undefined when Go would not know it. */
function unicodeProperty(name: string): string | undefined {
  if (name === "Any") return "Any";
  if (GENERAL_CATEGORIES.has(name)) return name;
  try {
    new RegExp(`\\p{Script=${name}}`, "u");
    return `Script=${name}`;
  } catch {
    return undefined;
  }
}

/** Simple case folding orbit of a code point (Go's unicode.SimpleFold closure, for the common cases). */
export function foldOrbit(cp: number): number[] {
  const ch = String.fromCodePoint(cp);
  const out = new Set<number>([cp]);
  for (const v of [ch.toLowerCase(), ch.toUpperCase()]) {
    if ([...v].length === 1) out.add(v.codePointAt(0)!);
  }
  for (const group of SPECIAL_FOLDS) if (group.some((g) => out.has(g))) for (const g of group) out.add(g);
  return [...out];
}

const SPECIAL_FOLDS = [
  [0x4b, 0x6b, 0x212a], // K k KELVIN SIGN
  [0x53, 0x73, 0x17f], // S s LONG S
  [0xc5, 0xe5, 0x212b], // Å å ANGSTROM SIGN
];

export function parseRegexp(pattern: string): Node {
  return new Parser(pattern).parse();
}

class Parser {
  private pos = 0;
  private readonly cps: number[];

  constructor(private readonly src: string) {
    this.cps = [...src].map((c) => c.codePointAt(0)!);
    // Go reads the pattern as UTF-8; a lone surrogate is not valid UTF-8.
    if (this.cps.some((c) => c >= 0xd800 && c <= 0xdfff)) throw new RegexpError("invalid UTF-8", src);
  }

  parse(): Node {
    const node = this.parseAlt({ i: false, m: false, s: false, U: false }, 0);
    if (this.pos < this.cps.length) throw new RegexpError("unexpected )", this.src);
    return node;
  }

  private peek(off = 0): number | undefined {
    return this.cps[this.pos + off];
  }

  private text(from: number, to: number): string {
    return String.fromCodePoint(...this.cps.slice(from, to));
  }

  private parseAlt(flags: Flags, depth: number): Node {
    if (depth > MAX_DEPTH) throw new RegexpError("expression nests too deeply", this.src);
    const alts: Node[] = [];
    const state = { flags };
    for (;;) {
      alts.push(this.parseConcat(state, depth));
      if (this.peek() !== 0x7c /* | */) break;
      this.pos++;
    }
    return alts.length === 1 ? alts[0]! : { k: "alt", subs: alts };
  }

  /** A sequence up to `|`, `)` or the end; flag groups like (?i) change `state.flags` for the rest. */
  private parseConcat(state: { flags: Flags }, depth: number): Node {
    const items: Node[] = [];
    let lastWasRepeat = false;
    let repeatStart = 0;
    while (this.pos < this.cps.length) {
      const c = this.peek()!;
      if (c === 0x7c || c === 0x29) break; // | )
      const opStart = this.pos;
      if (c === 0x2a || c === 0x2b || c === 0x3f || (c === 0x7b && this.repeatAhead())) {
        const [min, max] = this.parseRepeatOp();
        let greedy = true;
        if (this.peek() === 0x3f) {
          this.pos++;
          greedy = false;
        }
        if (state.flags.U) greedy = !greedy;
        if (items.length === 0) throw new RegexpError("missing argument to repetition operator", this.text(opStart, this.pos));
        if (lastWasRepeat) throw new RegexpError("invalid nested repetition operator", this.text(repeatStart, this.pos));
        const sub = items.pop()!;
        // Go bounds the product of nested counted repetitions by 1000, keeping programs small.
        if ((min >= 2 || max >= 2) && !repeatIsValid({ k: "repeat", sub, min, max, greedy }, MAX_REPEAT)) {
          throw new RegexpError("invalid repeat count", this.text(opStart, this.pos));
        }
        items.push({ k: "repeat", sub, min, max, greedy });
        lastWasRepeat = true;
        repeatStart = opStart;
        continue;
      }
      lastWasRepeat = false;
      if (c === 0x28) {
        const g = this.parseGroup(state, depth);
        if (g) items.push(g);
        continue;
      }
      items.push(this.parseAtom(state.flags));
    }
    if (items.length === 0) return { k: "empty" };
    return items.length === 1 ? items[0]! : { k: "cat", subs: items };
  }

  /** Whether the `{` at pos starts a valid {n}, {n,} or {n,m}; otherwise it is a literal. */
  private repeatAhead(): boolean {
    let i = this.pos + 1;
    const digits = () => {
      const start = i;
      while (this.cps[i] !== undefined && this.cps[i]! >= 0x30 && this.cps[i]! <= 0x39) i++;
      return i > start;
    };
    if (!digits()) return false;
    if (this.cps[i] === 0x2c) {
      i++;
      digits();
    }
    return this.cps[i] === 0x7d;
  }

  private parseRepeatOp(): [number, number] {
    const c = this.cps[this.pos++]!;
    if (c === 0x2a) return [0, -1];
    if (c === 0x2b) return [1, -1];
    if (c === 0x3f) return [0, 1];
    const start = this.pos - 1;
    const readInt = () => {
      let s = "";
      while (this.peek() !== undefined && this.peek()! >= 0x30 && this.peek()! <= 0x39) s += String.fromCodePoint(this.cps[this.pos++]!);
      return s;
    };
    const a = readInt();
    let b = a;
    if (this.peek() === 0x2c) {
      this.pos++;
      b = readInt();
    }
    this.pos++; // }
    const min = Number(a);
    const max = b === "" ? -1 : Number(b);
    if (min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max)) throw new RegexpError("invalid repeat count", this.text(start, this.pos));
    return [min, max];
  }

  private parseGroup(state: { flags: Flags }, depth: number): Node | undefined {
    const start = this.pos;
    this.pos++; // (
    let name: string | undefined;
    if (this.peek() === 0x3f) {
      // (?P<name>...), (?<name>...), (?flags), (?flags:...)
      const p1 = this.peek(1);
      if (p1 === 0x50 || p1 === 0x3c) {
        if (p1 === 0x50 && this.peek(2) !== 0x3c) throw new RegexpError("invalid or unsupported Perl syntax", this.text(start, Math.min(this.pos + 3, this.cps.length)));
        const nameStart = this.pos + (p1 === 0x50 ? 3 : 2);
        let i = nameStart;
        while (i < this.cps.length && this.cps[i] !== 0x3e) i++;
        if (i >= this.cps.length) throw new RegexpError("invalid named capture", this.text(start, this.cps.length));
        name = this.text(nameStart, i);
        if (!/^[A-Za-z0-9_]+$/.test(name)) throw new RegexpError("invalid named capture", this.text(start, i + 1));
        this.pos = i + 1;
      } else {
        this.pos++;
        const flags = { ...state.flags };
        let neg = false;
        let sawFlag = false;
        for (;;) {
          const c = this.peek();
          if (c === undefined) throw new RegexpError("missing closing )", this.src);
          this.pos++;
          if (c === 0x2d) {
            if (neg) throw new RegexpError("invalid or unsupported Perl syntax", this.text(start, this.pos));
            neg = true;
            sawFlag = false;
            continue;
          }
          if (c === 0x3a || c === 0x29) {
            if (neg && !sawFlag) throw new RegexpError("invalid or unsupported Perl syntax", this.text(start, this.pos));
            if (c === 0x29) {
              state.flags = flags;
              return undefined;
            }
            const sub = this.parseAlt(flags, depth + 1);
            this.expectClose(start);
            return { k: "group", sub, capture: false };
          }
          const f = String.fromCodePoint(c);
          if (f !== "i" && f !== "m" && f !== "s" && f !== "U") throw new RegexpError("invalid or unsupported Perl syntax", this.text(start, this.pos));
          flags[f] = !neg;
          sawFlag = true;
        }
      }
    }
    const sub = this.parseAlt(state.flags, depth + 1);
    this.expectClose(start);
    return { k: "group", sub, capture: true, name };
  }

  private expectClose(_start: number): void {
    if (this.peek() !== 0x29) throw new RegexpError("missing closing )", this.src);
    this.pos++;
  }

  private parseAtom(flags: Flags): Node {
    const c = this.cps[this.pos++]!;
    switch (c) {
      case 0x2e:
        return { k: "any", nl: flags.s };
      case 0x5e:
        return { k: "assert", a: flags.m ? "bol" : "bot" };
      case 0x24:
        return { k: "assert", a: flags.m ? "eol" : "eot" };
      case 0x5b:
        return this.parseClass(flags);
      case 0x5c:
        return this.parseEscapeAtom(flags);
      default:
        return { k: "lit", cp: c, fold: flags.i };
    }
  }

  private parseEscapeAtom(flags: Flags): Node {
    const start = this.pos - 1;
    const c = this.peek();
    if (c === undefined) throw new RegexpError("trailing backslash at end of expression", "");
    switch (String.fromCodePoint(c)) {
      case "A":
        this.pos++;
        return { k: "assert", a: "bot" };
      case "z":
        this.pos++;
        return { k: "assert", a: "eot" };
      case "b":
        this.pos++;
        return { k: "assert", a: "wb" };
      case "B":
        this.pos++;
        return { k: "assert", a: "nwb" };
      case "Q": {
        this.pos++;
        let end = this.pos;
        while (end < this.cps.length && !(this.cps[end] === 0x5c && this.cps[end + 1] === 0x45)) end++;
        const lits: Node[] = this.cps.slice(this.pos, end).map((cp) => ({ k: "lit", cp, fold: flags.i }));
        this.pos = Math.min(end + 2, this.cps.length);
        if (lits.length === 0) return { k: "empty" };
        return lits.length === 1 ? lits[0]! : { k: "group", sub: { k: "cat", subs: lits }, capture: false };
      }
      case "C":
        throw new RegexpError("invalid escape sequence", "\\C");
    }
    const cls = this.tryClassEscape(start);
    if (cls) return { k: "class", cls: flags.i ? foldClass(cls) : cls };
    return { k: "lit", cp: this.parseEscapeChar(start), fold: flags.i };
  }

  /** \d \s \w (and negations), \pX, \p{Name}, \PX. */
  private tryClassEscape(start: number): CharClass | undefined {
    const c = String.fromCodePoint(this.peek()!);
    const lower = c.toLowerCase();
    if ((lower === "d" || lower === "s" || lower === "w") && /[dswDSW]/.test(c)) {
      this.pos++;
      return { ranges: [...PERL_CLASSES[lower]!], props: [], neg: c !== lower };
    }
    if (c === "p" || c === "P") {
      this.pos++;
      let name: string;
      if (this.peek() === 0x7b) {
        const close = this.cps.indexOf(0x7d, this.pos);
        if (close < 0) throw new RegexpError("invalid character class range", this.text(start, this.cps.length));
        name = this.text(this.pos + 1, close);
        this.pos = close + 1;
      } else {
        if (this.peek() === undefined) throw new RegexpError("invalid character class range", this.text(start, this.pos));
        name = String.fromCodePoint(this.cps[this.pos++]!);
      }
      let neg = c === "P";
      if (name.startsWith("^")) {
        neg = !neg;
        name = name.slice(1);
      }
      const prop = unicodeProperty(name);
      if (!prop) throw new RegexpError("invalid character class range", this.text(start, this.pos));
      return { ranges: [], props: [{ name: prop, neg }], neg: false };
    }
    return undefined;
  }

  /** A single escaped character: \n, \x41, \x{263a}, \101, \. and other punctuation. */
  private parseEscapeChar(start: number): number {
    const c = this.cps[this.pos++]!;
    const ch = String.fromCodePoint(c);
    if (c >= 0x31 && c <= 0x37) {
      // \1-\7 are octal only when followed by more octal digits; alone they are backreferences, which RE2 refuses.
      if (!(this.peek() !== undefined && this.peek()! >= 0x30 && this.peek()! <= 0x37)) throw new RegexpError("invalid escape sequence", this.text(start, this.pos));
    }
    if (c >= 0x30 && c <= 0x37) {
      let v = c - 0x30;
      for (let n = 1; n < 3 && this.peek() !== undefined && this.peek()! >= 0x30 && this.peek()! <= 0x37; n++) v = v * 8 + (this.cps[this.pos++]! - 0x30);
      return v;
    }
    switch (ch) {
      case "a":
        return 7;
      case "f":
        return 12;
      case "t":
        return 9;
      case "n":
        return 10;
      case "r":
        return 13;
      case "v":
        return 11;
      case "x": {
        if (this.peek() === 0x7b) {
          const close = this.cps.indexOf(0x7d, this.pos);
          const hex = close < 0 ? "" : this.text(this.pos + 1, close);
          if (close < 0 || !/^[0-9A-Fa-f]+$/.test(hex) || parseInt(hex, 16) > MAX_CP) throw new RegexpError("invalid escape sequence", this.text(start, close < 0 ? this.cps.length : close + 1));
          this.pos = close + 1;
          return parseInt(hex, 16);
        }
        const hex = this.text(this.pos, this.pos + 2);
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new RegexpError("invalid escape sequence", this.text(start, Math.min(this.pos + 2, this.cps.length)));
        this.pos += 2;
        return parseInt(hex, 16);
      }
    }
    // Any punctuation may be escaped; letters and digits not listed above may not.
    if (c < 0x80 && !/[0-9A-Za-z]/.test(ch)) return c;
    throw new RegexpError("invalid escape sequence", this.text(start, this.pos));
  }

  private parseClass(flags: Flags): Node {
    const start = this.pos - 1;
    const cls: CharClass = { ranges: [], props: [], neg: false };
    if (this.peek() === 0x5e) {
      this.pos++;
      cls.neg = true;
    }
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === undefined) throw new RegexpError("missing closing ]", this.text(start, this.cps.length));
      if (c === 0x5d && !first) {
        this.pos++;
        break;
      }
      first = false;
      // [:alpha:]
      if (c === 0x5b && this.peek(1) === 0x3a) {
        let end = this.pos + 2;
        while (end + 1 < this.cps.length && !(this.cps[end] === 0x3a && this.cps[end + 1] === 0x5d)) end++;
        if (end + 1 < this.cps.length) {
          let name = this.text(this.pos + 2, end);
          let neg = false;
          if (name.startsWith("^")) {
            neg = true;
            name = name.slice(1);
          }
          const ranges = POSIX_CLASSES[name];
          if (!ranges) throw new RegexpError("invalid character class range", this.text(this.pos, end + 2));
          this.pos = end + 2;
          addRanges(cls, neg ? negateRanges(ranges) : ranges);
          continue;
        }
      }
      const itemStart = this.pos;
      if (c === 0x5c) {
        this.pos++;
        if (this.peek() === undefined) throw new RegexpError("trailing backslash at end of expression", "");
        const sub = this.tryClassEscape(itemStart);
        if (sub) {
          if (sub.props.length) cls.props.push(...sub.props);
          else addRanges(cls, sub.neg ? negateRanges(sub.ranges) : sub.ranges);
          continue;
        }
      }
      const lo = this.classChar(itemStart);
      let hi = lo;
      if (this.peek() === 0x2d && this.peek(1) !== undefined && this.peek(1) !== 0x5d) {
        this.pos++;
        const hiStart = this.pos;
        if (this.peek() === 0x5c) this.pos++;
        hi = this.classChar(hiStart);
        if (hi < lo) throw new RegexpError("invalid character class range", this.text(itemStart, this.pos));
      }
      cls.ranges.push([lo, hi]);
    }
    return { k: "class", cls: flags.i ? foldClass(cls) : cls };
  }

  /** One class member character at pos (after a consumed backslash if it was escaped). */
  private classChar(itemStart: number): number {
    if (this.cps[itemStart] === 0x5c) {
      if (this.pos === itemStart) this.pos++;
      if (this.peek() === undefined) throw new RegexpError("trailing backslash at end of expression", "");
      return this.parseEscapeChar(itemStart);
    }
    return this.cps[this.pos++]!;
  }
}

function repeatIsValid(node: Node, n: number): boolean {
  if (node.k === "repeat") {
    let m = node.max;
    if (m === 0) return true;
    if (m < 0) m = node.min;
    if (m > n) return false;
    if (m > 0) n = Math.floor(n / m);
    return repeatIsValid(node.sub, n);
  }
  if (node.k === "cat" || node.k === "alt") return node.subs.every((s) => repeatIsValid(s, n));
  if (node.k === "group") return repeatIsValid(node.sub, n);
  return true;
}

function addRanges(cls: CharClass, ranges: Array<[number, number]>): void {
  cls.ranges.push(...ranges);
}

export function negateRanges(ranges: Array<[number, number]>): Array<[number, number]> {
  const sorted = normalizeRanges(ranges);
  const out: Array<[number, number]> = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CP) out.push([next, MAX_CP]);
  return out;
}

export function normalizeRanges(ranges: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/** Adds the case variants of every member; large ranges only gain their ASCII letter counterparts. */
function foldClass(cls: CharClass): CharClass {
  const extra: Array<[number, number]> = [];
  for (const [lo, hi] of cls.ranges) {
    if (hi - lo > 2000) {
      const a = Math.max(lo, 0x41);
      const b = Math.min(hi, 0x7a);
      for (let c = a; c <= b; c++) for (const f of foldOrbit(c)) extra.push([f, f]);
      continue;
    }
    for (let c = lo; c <= hi; c++) for (const f of foldOrbit(c)) if (f < lo || f > hi) extra.push([f, f]);
  }
  return { ...cls, ranges: normalizeRanges([...cls.ranges, ...extra]) };
}
