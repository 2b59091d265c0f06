/**
 * CEL's grammar (cel-spec), parsed by recursive descent. Macros are recognized here, as cel-go
 * does: has(), and the receiver-style all/exists/exists_one/map/filter with an identifier first
 * argument. Syntax errors are reported like cel-go's ("Syntax error: ..."), with the
 * wording of ANTLR's common cases approximated.
 */
import type { Expr, MacroKind } from "./ast.ts";
import { CompileError, type Issue } from "./issues.ts";
import { CelError, checkedInt, UInt, type Val } from "./values.ts";

/** Lexer keywords: never identifiers. */
const KEYWORDS = new Set(["true", "false", "null", "in"]);
const RESERVED = new Set(["as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop", "package", "namespace", "return", "var", "void", "while"]);

/** Nesting deeper than this is refused (cel-go limits recursion to 250 as well). */
const MAX_DEPTH = 250;
/** Expressions longer than this are refused before parsing (cel-go: 100,000 code points). */
const MAX_SOURCE = 100_000;

type TokKind = "int" | "uint" | "double" | "string" | "bytes" | "ident" | "op" | "eof";

interface Tok {
  kind: TokKind;
  text: string;
  off: number;
  value?: Val;
}

const OPERATORS = ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "+", "-", "*", "/", "%", "!", "?", ":", ".", ",", "(", ")", "[", "]", "{", "}"];

class Lexer {
  private pos = 0;
  readonly toks: Tok[] = [];

  constructor(
    private readonly cps: string[],
    private readonly issues: Issue[],
  ) {
    for (;;) {
      const t = this.next();
      this.toks.push(t);
      if (t.kind === "eof") break;
    }
  }

  private ch(off = 0): string {
    return this.cps[this.pos + off] ?? "";
  }

  private next(): Tok {
    for (;;) {
      const c = this.ch();
      if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f") this.pos++;
      else if (c === "/" && this.ch(1) === "/") while (this.pos < this.cps.length && this.ch() !== "\n") this.pos++;
      else break;
    }
    const off = this.pos;
    const c = this.ch();
    if (c === "") return { kind: "eof", text: "<EOF>", off };
    if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(this.ch(1)))) return this.number(off);
    if (/[A-Za-z_]/.test(c)) {
      // String and bytes prefixes: r"", b"", rb"", br"".
      const prefix = /^(?:[rR][bB]?|[bB][rR]?)$/;
      let j = 0;
      while (j < 2 && /[rRbB]/.test(this.ch(j))) j++;
      for (let n = j; n >= 1; n--) {
        const p = this.cps.slice(this.pos, this.pos + n).join("");
        const q = this.ch(n);
        if (prefix.test(p) && (q === '"' || q === "'")) {
          this.pos += n;
          return this.string(off, /[rR]/.test(p), /[bB]/.test(p));
        }
      }
      let end = this.pos;
      while (end < this.cps.length && /[A-Za-z0-9_]/.test(this.cps[end]!)) end++;
      const text = this.cps.slice(this.pos, end).join("");
      this.pos = end;
      return { kind: "ident", text, off };
    }
    if (c === '"' || c === "'") return this.string(off, false, false);
    for (const op of OPERATORS) {
      if (this.cps.slice(this.pos, this.pos + op.length).join("") === op) {
        this.pos += op.length;
        return { kind: "op", text: op, off };
      }
    }
    this.issues.push({ off, message: `Syntax error: token recognition error at: '${c}'` });
    this.pos++;
    return this.next();
  }

  private number(off: number): Tok {
    const rest = this.cps.slice(this.pos).join("");
    const hex = /^0[xX][0-9a-fA-F]+[uU]?/.exec(rest);
    const float = /^(?:[0-9]+\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+|\.[0-9]+(?:[eE][+-]?[0-9]+)?)/.exec(rest);
    const int = /^[0-9]+[uU]?/.exec(rest);
    let text: string;
    let tok: Tok;
    if (hex) {
      text = hex[0];
      const unsigned = /[uU]$/.test(text);
      const digits = unsigned ? text.slice(0, -1) : text;
      tok = { kind: unsigned ? "uint" : "int", text, off, value: unsigned ? new UInt(BigInt(digits)) : BigInt(digits) };
    } else if (float) {
      text = float[0];
      tok = { kind: "double", text, off, value: Number(text) };
    } else {
      text = int![0];
      const unsigned = /[uU]$/.test(text);
      const digits = unsigned ? text.slice(0, -1) : text;
      tok = { kind: unsigned ? "uint" : "int", text, off, value: unsigned ? new UInt(BigInt(digits)) : BigInt(digits) };
    }
    this.pos += [...text].length;
    return tok;
  }

  private string(off: number, raw: boolean, bytes: boolean): Tok {
    const q = this.ch();
    const triple = this.ch(1) === q && this.ch(2) === q;
    const delim = triple ? q.repeat(3) : q;
    this.pos += delim.length;
    let out = "";
    const byteVals: number[] = [];
    const emit = (s: string) => {
      if (bytes) for (const b of Buffer.from(s, "utf8")) byteVals.push(b);
      else out += s;
    };
    for (;;) {
      if (this.pos >= this.cps.length || (!triple && (this.ch() === "\n" || this.ch() === "\r"))) {
        this.issues.push({ off, message: `Syntax error: token recognition error at: '${this.cps.slice(off, this.pos).join("")}'` });
        break;
      }
      if (this.cps.slice(this.pos, this.pos + delim.length).join("") === delim) {
        this.pos += delim.length;
        break;
      }
      const c = this.ch();
      if (c === "\\" && !raw) {
        const esc = this.escape(off, bytes);
        if (typeof esc === "number") byteVals.push(esc);
        else emit(esc);
        continue;
      }
      if (c === "\\" && raw) {
        // A raw string keeps backslashes, but an escaped quote still does not end it.
        emit(c);
        this.pos++;
        if (this.ch() === q) {
          emit(q);
          this.pos++;
        }
        continue;
      }
      emit(c);
      this.pos++;
    }
    const text = this.cps.slice(off, this.pos).join("");
    return bytes ? { kind: "bytes", text, off, value: Uint8Array.from(byteVals) } : { kind: "string", text, off, value: out };
  }

  /** One escape sequence; octal and \x escapes in bytes literals are raw bytes (numbers). */
  private escape(off: number, bytes: boolean): string | number {
    const c = this.ch(1);
    const simple: Record<string, string> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\", "'": "'", '"': '"', "`": "`", "?": "?" };
    if (Object.hasOwn(simple, c)) {
      this.pos += 2;
      return simple[c]!;
    }
    const take = (n: number, re: RegExp): string | undefined => {
      const s = this.cps.slice(this.pos + 2, this.pos + 2 + n).join("");
      return s.length === n && re.test(s) ? s : undefined;
    };
    let code: number | undefined;
    let len = 0;
    if (c === "x" || c === "X") {
      const h = take(2, /^[0-9a-fA-F]{2}$/);
      if (h) [code, len] = [parseInt(h, 16), 4];
      if (h && bytes) {
        this.pos += len;
        return code!;
      }
    } else if (c === "u") {
      const h = take(4, /^[0-9a-fA-F]{4}$/);
      if (h) [code, len] = [parseInt(h, 16), 6];
    } else if (c === "U") {
      const h = take(8, /^[0-9a-fA-F]{8}$/);
      if (h) [code, len] = [parseInt(h, 16), 10];
    } else if (/[0-3]/.test(c)) {
      const o = this.cps.slice(this.pos + 1, this.pos + 4).join("");
      if (/^[0-3][0-7]{2}$/.test(o)) [code, len] = [parseInt(o, 8), 4];
      if (code !== undefined && bytes) {
        this.pos += len;
        return code;
      }
    }
    if (code === undefined || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      this.issues.push({ off, message: `Syntax error: token recognition error at: '${this.cps.slice(off, this.pos + 2).join("")}'` });
      this.pos += 2;
      return "";
    }
    this.pos += len;
    return String.fromCodePoint(code);
  }
}

export function parse(source: string): Expr {
  const cps = [...source];
  if (cps.length > MAX_SOURCE) throw new CompileError([{ off: 0, message: `expression code point size exceeds limit: size: ${cps.length}, limit ${MAX_SOURCE}` }], source);
  const issues: Issue[] = [];
  const lexer = new Lexer(cps, issues);
  const p = new Parser(lexer.toks, issues);
  const e = p.parseTop();
  if (issues.length) throw new CompileError(issues, source);
  return e;
}

class Parser {
  private i = 0;
  private nextId = 1;
  private depth = 0;

  constructor(
    private readonly toks: Tok[],
    private readonly issues: Issue[],
  ) {}

  private get tok(): Tok {
    return this.toks[this.i]!;
  }

  private isOp(text: string): boolean {
    return this.tok.kind === "op" && this.tok.text === text;
  }

  private fail(message: string, off = this.tok.off): never {
    this.issues.push({ off, message });
    throw new ParseAbort();
  }

  private expect(text: string): Tok {
    if (!this.isOp(text)) this.fail(`Syntax error: mismatched input '${this.tok.text}' expecting '${text}'`);
    return this.toks[this.i++]!;
  }

  private id(): number {
    return this.nextId++;
  }

  parseTop(): Expr {
    try {
      const e = this.expr();
      if (this.tok.kind !== "eof") this.fail(`Syntax error: extraneous input '${this.tok.text}' expecting <EOF>`);
      return e;
    } catch (e) {
      if (e instanceof ParseAbort) return { k: "lit", id: 0, off: 0, v: null };
      throw e;
    }
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) this.fail("expression recursion limit exceeded: 250");
  }

  private expr(): Expr {
    this.enter();
    const cond = this.or();
    let out = cond;
    if (this.isOp("?")) {
      const q = this.toks[this.i++]!;
      const a = this.or();
      this.expect(":");
      const b = this.expr();
      out = { k: "call", id: this.id(), off: q.off, fn: "_?_:_", args: [cond, a, b] };
    }
    this.depth--;
    return out;
  }

  private or(): Expr {
    let e = this.and();
    while (this.isOp("||")) {
      const op = this.toks[this.i++]!;
      e = { k: "call", id: this.id(), off: op.off, fn: "_||_", args: [e, this.and()] };
    }
    return e;
  }

  private and(): Expr {
    let e = this.relation();
    while (this.isOp("&&")) {
      const op = this.toks[this.i++]!;
      e = { k: "call", id: this.id(), off: op.off, fn: "_&&_", args: [e, this.relation()] };
    }
    return e;
  }

  private relation(): Expr {
    let e = this.additive();
    for (;;) {
      const t = this.tok;
      let fn: string | undefined;
      if (t.kind === "op" && ["<", "<=", ">", ">=", "==", "!="].includes(t.text)) fn = `_${t.text}_`;
      else if (t.kind === "ident" && t.text === "in") fn = "@in";
      if (!fn) return e;
      this.i++;
      e = { k: "call", id: this.id(), off: t.off, fn, args: [e, this.additive()] };
    }
  }

  private additive(): Expr {
    let e = this.multiplicative();
    while (this.isOp("+") || this.isOp("-")) {
      const op = this.toks[this.i++]!;
      e = { k: "call", id: this.id(), off: op.off, fn: `_${op.text}_`, args: [e, this.multiplicative()] };
    }
    return e;
  }

  private multiplicative(): Expr {
    let e = this.unary();
    while (this.isOp("*") || this.isOp("/") || this.isOp("%")) {
      const op = this.toks[this.i++]!;
      e = { k: "call", id: this.id(), off: op.off, fn: `_${op.text}_`, args: [e, this.unary()] };
    }
    return e;
  }

  private unary(): Expr {
    if (this.isOp("!") || this.isOp("-")) {
      const first = this.tok;
      let n = 0;
      while (this.isOp(first.text)) {
        this.i++;
        n++;
      }
      // A negative number literal is a literal, not a negation.
      if (first.text === "-" && n === 1 && (this.tok.kind === "int" || this.tok.kind === "double")) {
        const lit = this.tok;
        const after = this.toks[this.i + 1];
        const selectsOn = after?.kind === "op" && (after.text === "." || after.text === "[");
        if (!selectsOn) {
          this.i++;
          return this.member(this.literal(lit, true, first.off));
        }
      }
      this.enter();
      const operand = this.member(this.primary());
      this.depth--;
      if (n % 2 === 0) return operand;
      return { k: "call", id: this.id(), off: first.off, fn: first.text === "!" ? "!_" : "-_", args: [operand] };
    }
    return this.member(this.primary());
  }

  private member(e: Expr): Expr {
    for (;;) {
      if (this.isOp(".")) {
        const dot = this.toks[this.i++]!;
        let optional = false;
        if (this.isOp("?")) {
          this.i++;
          optional = true;
        }
        const name = this.tok;
        if (name.kind !== "ident" || KEYWORDS.has(name.text)) this.fail(`Syntax error: mismatched input '${name.text}' expecting IDENTIFIER`);
        this.i++;
        if (this.isOp("(") && !optional) {
          const open = this.toks[this.i++]!;
          const args = this.args(")");
          e = this.receiverCall(e, name.text, args, open.off);
        } else if (optional) {
          e = { k: "call", id: this.id(), off: dot.off, fn: "_?._", args: [e, { k: "lit", id: this.id(), off: name.off, v: name.text }] };
        } else {
          e = { k: "select", id: this.id(), off: dot.off, operand: e, field: name.text, test: false };
        }
      } else if (this.isOp("[")) {
        const open = this.toks[this.i++]!;
        let optional = false;
        if (this.isOp("?")) {
          this.i++;
          optional = true;
        }
        const index = this.expr();
        this.expect("]");
        e = { k: "call", id: this.id(), off: open.off, fn: optional ? "_[?_]" : "_[_]", args: [e, index] };
      } else return e;
    }
  }

  private args(close: string): Expr[] {
    const out: Expr[] = [];
    if (this.isOp(close)) {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.expr());
      if (this.isOp(",")) {
        this.i++;
        continue;
      }
      this.expect(close);
      return out;
    }
  }

  private receiverCall(target: Expr, fn: string, args: Expr[], off: number): Expr {
    const macro = MACROS.get(fn);
    // map(x, pred, transform) filters then maps; the others take exactly (var, expr).
    if (macro && (args.length === 2 || (args.length === 3 && macro === "map"))) {
      const v = args[0]!;
      if (v.k !== "ident") this.fail("argument must be a simple name", v.off);
      if (args.length === 3) return { k: "comp", id: this.id(), off, macro, iterVar: v.name, range: target, pred: args[1]!, step: args[2]! };
      return { k: "comp", id: this.id(), off, macro, iterVar: v.name, range: target, step: args[1]! };
    }
    return { k: "call", id: this.id(), off, fn, target, args };
  }

  private primary(): Expr {
    const t = this.tok;
    switch (t.kind) {
      case "int":
      case "uint":
      case "double":
      case "string":
      case "bytes":
        this.i++;
        return this.literal(t, false, t.off);
      case "ident":
        return this.identOrCall();
      case "eof":
        return this.fail(`Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}`);
    }
    if (t.text === "(") {
      this.i++;
      const e = this.expr();
      this.expect(")");
      return e;
    }
    if (t.text === "[") {
      this.i++;
      const elems: Expr[] = [];
      const optional: boolean[] = [];
      while (!this.isOp("]")) {
        let opt = false;
        if (this.isOp("?")) {
          this.i++;
          opt = true;
        }
        elems.push(this.expr());
        optional.push(opt);
        if (this.isOp(",")) this.i++;
        else if (!this.isOp("]")) this.fail(`Syntax error: mismatched input '${this.tok.text}' expecting {']', ','}`);
      }
      this.i++;
      return { k: "list", id: this.id(), off: t.off, elems, optional };
    }
    if (t.text === "{") {
      this.i++;
      const entries: Array<{ key: Expr; value: Expr; optional: boolean }> = [];
      while (!this.isOp("}")) {
        let opt = false;
        if (this.isOp("?")) {
          this.i++;
          opt = true;
        }
        const key = this.expr();
        this.expect(":");
        entries.push({ key, value: this.expr(), optional: opt });
        if (this.isOp(",")) this.i++;
        else if (!this.isOp("}")) this.fail(`Syntax error: mismatched input '${this.tok.text}' expecting {'}', ','}`);
      }
      this.i++;
      return { k: "map", id: this.id(), off: t.off, entries };
    }
    if (t.text === ".") {
      // A leading dot names the root scope: .self is self.
      this.i++;
      if (this.tok.kind !== "ident") this.fail(`Syntax error: mismatched input '${this.tok.text}' expecting IDENTIFIER`);
      return this.identOrCall();
    }
    return this.fail(`Syntax error: mismatched input '${t.text}' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}`);
  }

  private identOrCall(): Expr {
    const t = this.toks[this.i++]!;
    if (t.text === "true" || t.text === "false") return { k: "lit", id: this.id(), off: t.off, v: t.text === "true" };
    if (t.text === "null") return { k: "lit", id: this.id(), off: t.off, v: null };
    if (t.text === "in") this.fail(`Syntax error: mismatched input 'in' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}`, t.off);
    if (RESERVED.has(t.text)) this.fail(`reserved identifier: ${t.text}`, t.off);
    if (this.isOp("(")) {
      const open = this.toks[this.i++]!;
      const args = this.args(")");
      if (t.text === "has") {
        if (args.length !== 1) this.fail("invalid argument to has() macro", open.off);
        const a = args[0]!;
        if (a.k !== "select") this.fail("invalid argument to has() macro", a.off);
        return { ...a, test: true };
      }
      return { k: "call", id: this.id(), off: open.off, fn: t.text, args };
    }
    if (this.isOp("{")) this.fail("unsupported syntax: message construction", this.tok.off);
    return { k: "ident", id: this.id(), off: t.off, name: t.text };
  }

  private literal(t: Tok, negate: boolean, off: number): Expr {
    let v = t.value!;
    try {
      if (t.kind === "int") v = checkedInt(negate ? -(v as bigint) : (v as bigint));
      else if (t.kind === "uint" && (v as UInt).v > 2n ** 64n - 1n) throw new CelError("invalid uint literal");
      else if (t.kind === "double" && negate) v = -(v as number);
    } catch {
      this.fail(t.kind === "uint" ? "invalid uint literal" : "invalid int literal", off);
    }
    return { k: "lit", id: this.id(), off, v };
  }
}

class ParseAbort extends Error {}

const MACROS = new Map<string, MacroKind>([
  ["all", "all"],
  ["exists", "exists"],
  ["exists_one", "exists_one"],
  ["map", "map"],
  ["filter", "filter"],
]);
