/**
 * cel-go's strings extension at version 2 (what Kubernetes 1.29+ enables): charAt, indexOf,
 * lastIndexOf, lowerAscii, upperAscii, replace, split, substring, trim, join, strings.quote and
 * format. Indices count code points.
 */
import { goQuote } from "../../../../validation/go-quote.ts";
import { T } from "../types.ts";
import { ArrayList, CelError, CelList, type Val } from "../values.ts";
import { fn, noSuchOverload, traversal, type FunctionDef } from "./registry.ts";
import { sizeOf, toStringVal } from "./core.ts";

const cps = (s: string): string[] => [...s];

function int(v: Val | undefined): number {
  if (typeof v !== "bigint") return noSuchOverload();
  return Number(v);
}

function str(v: Val | undefined): string {
  if (typeof v !== "string") return noSuchOverload();
  return v;
}

function indexOf(s: string, sub: string, from: number, last: boolean): bigint {
  const a = cps(s);
  const b = cps(sub);
  if (from < 0 || from > a.length) throw new CelError(`index out of range: ${from}`);
  if (b.length === 0) return BigInt(last ? from : from);
  const matchesAt = (i: number) => b.every((c, j) => a[i + j] === c);
  if (last) {
    for (let i = Math.min(from, a.length - b.length); i >= 0; i--) if (matchesAt(i)) return BigInt(i);
    return -1n;
  }
  for (let i = from; i + b.length <= a.length; i++) if (matchesAt(i)) return BigInt(i);
  return -1n;
}

/** Go's strings.Replace with a count (-1 for all). */
function replace(s: string, from: string, to: string, n: number): string {
  if (n === 0 || from === to) return s;
  if (from === "") {
    const chars = cps(s);
    const out: string[] = [];
    let done = 0;
    for (let i = 0; i <= chars.length; i++) {
      if (n < 0 || done < n) {
        out.push(to);
        done++;
      }
      if (i < chars.length) out.push(chars[i]!);
    }
    return out.join("");
  }
  let out = "";
  let rest = s;
  let done = 0;
  for (;;) {
    const i = rest.indexOf(from);
    if (i < 0 || (n >= 0 && done >= n)) return out + rest;
    out += rest.slice(0, i) + to;
    rest = rest.slice(i + from.length);
    done++;
  }
}

/** Go's strings.SplitN (n < 0: all; n == 0: none). */
function split(s: string, sep: string, n: number): string[] {
  if (n === 0) return [];
  if (sep === "") {
    const chars = cps(s);
    if (n < 0 || n >= chars.length) return chars;
    return [...chars.slice(0, n - 1), chars.slice(n - 1).join("")];
  }
  const parts = s.split(sep);
  if (n < 0 || parts.length <= n) return parts;
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

const WHITESPACE = /^[\s\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\s\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

function stringList(v: Val | undefined): string[] {
  if (!(v instanceof CelList)) return noSuchOverload();
  return [...v].map((x) => str(x));
}

/** strings.format: %s %d %f %e %x %X %o %b and %%, with an optional precision for %f/%e. */
function format(template: string, args: Val[]): string {
  let i = 0;
  return template.replace(/%(?:\.(\d+))?([sdfeExXob%])/g, (_m, prec: string | undefined, verb: string) => {
    if (verb === "%") return "%";
    if (i >= args.length) throw new CelError(`index ${i} out of range`);
    const a = args[i++]!;
    switch (verb) {
      case "s":
        return String(toStringVal([a]));
      case "d":
        if (typeof a !== "bigint" && !(typeof a === "number" && Number.isInteger(a))) throw new CelError("error during formatting: decimal clause can only be used on integers");
        return String(a);
      case "f":
      case "e": {
        const n = typeof a === "bigint" ? Number(a) : typeof a === "number" ? a : NaN;
        if (typeof a !== "bigint" && typeof a !== "number") throw new CelError(`error during formatting: ${verb === "f" ? "fixed-point" : "scientific"} clause can only be used on doubles`);
        const p = prec === undefined ? 6 : Number(prec);
        return verb === "f" ? n.toFixed(p) : n.toExponential(p).replace(/e([+-])(\d)$/, "e$10$2");
      }
      case "x":
      case "X": {
        let t: string;
        if (typeof a === "bigint") t = a.toString(16);
        else if (typeof a === "string") t = Buffer.from(a, "utf8").toString("hex");
        else if (a instanceof Uint8Array) t = Buffer.from(a).toString("hex");
        else throw new CelError("error during formatting: only integers, byte buffers, and strings can be formatted as hex");
        return verb === "X" ? t.toUpperCase() : t;
      }
      case "o":
        if (typeof a !== "bigint") throw new CelError("error during formatting: octal clause can only be used on integers");
        return a.toString(8);
      case "b":
        if (typeof a === "bigint") return a.toString(2);
        if (typeof a === "boolean") return a ? "1" : "0";
        throw new CelError("error during formatting: only integers and bools can be formatted as binary");
    }
    return "";
  });
}

const strCost = ([s]: Val[]): number => traversal(sizeOf(s!));

export const STRINGS: FunctionDef[] = [
  {
    name: "charAt",
    overloads: [fn(true, [T.string, T.int], T.string)],
    impl: ([s, i]) => {
      const chars = cps(str(s));
      const n = int(i);
      if (n < 0 || n > chars.length) throw new CelError(`index out of range: ${n}`);
      return chars[n] ?? "";
    },
    cost: strCost,
  },
  {
    name: "indexOf",
    overloads: [fn(true, [T.string, T.string], T.int), fn(true, [T.string, T.string, T.int], T.int)],
    impl: ([s, sub, from]) => indexOf(str(s), str(sub), from === undefined ? 0 : int(from), false),
    cost: strCost,
  },
  {
    name: "lastIndexOf",
    overloads: [fn(true, [T.string, T.string], T.int), fn(true, [T.string, T.string, T.int], T.int)],
    impl: ([s, sub, from]) => indexOf(str(s), str(sub), from === undefined ? cps(str(s)).length : int(from), true),
    cost: strCost,
  },
  { name: "lowerAscii", overloads: [fn(true, [T.string], T.string)], impl: ([s]) => str(s).replace(/[A-Z]+/g, (m) => m.toLowerCase()), cost: strCost },
  { name: "upperAscii", overloads: [fn(true, [T.string], T.string)], impl: ([s]) => str(s).replace(/[a-z]+/g, (m) => m.toUpperCase()), cost: strCost },
  {
    name: "replace",
    overloads: [fn(true, [T.string, T.string, T.string], T.string), fn(true, [T.string, T.string, T.string, T.int], T.string)],
    impl: ([s, a, b, n]) => replace(str(s), str(a), str(b), n === undefined ? -1 : int(n)),
    cost: strCost,
  },
  {
    name: "split",
    overloads: [fn(true, [T.string, T.string], T.list(T.string)), fn(true, [T.string, T.string, T.int], T.list(T.string))],
    impl: ([s, sep, n]) => new ArrayList(split(str(s), str(sep), n === undefined ? -1 : int(n))),
    cost: strCost,
  },
  {
    name: "substring",
    overloads: [fn(true, [T.string, T.int], T.string), fn(true, [T.string, T.int, T.int], T.string)],
    impl: ([s, a, b]) => {
      const chars = cps(str(s));
      const start = int(a);
      const end = b === undefined ? chars.length : int(b);
      if (start < 0 || start > chars.length) throw new CelError(`index out of range: ${start}`);
      if (end < 0 || end > chars.length) throw new CelError(`index out of range: ${end}`);
      if (start > end) throw new CelError(`invalid substring range. start: ${start}, end: ${end}`);
      return chars.slice(start, end).join("");
    },
    cost: strCost,
  },
  { name: "trim", overloads: [fn(true, [T.string], T.string)], impl: ([s]) => str(s).replace(WHITESPACE, ""), cost: strCost },
  {
    name: "join",
    overloads: [fn(true, [T.list(T.string)], T.string), fn(true, [T.list(T.string), T.string], T.string)],
    impl: ([l, sep]) => stringList(l).join(sep === undefined ? "" : str(sep)),
    cost: ([l]) => (l instanceof CelList ? traversal([...l].reduce<number>((n, x) => n + sizeOf(x), 0)) : 0),
  },
  { name: "strings.quote", overloads: [fn(false, [T.string], T.string)], impl: ([s]) => goQuote(str(s)), cost: strCost },
  {
    name: "format",
    overloads: [fn(true, [T.string, T.list(T.dyn)], T.string)],
    impl: ([s, args]) => {
      if (!(args instanceof CelList)) return noSuchOverload();
      return format(str(s), [...args]);
    },
    cost: strCost,
  },
];
