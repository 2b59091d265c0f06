/**
 * The JSONPath dialect of client-go's util/jsonpath, which kube-apiserver uses for CRD printer
 * columns and selectable fields: a template of text and `{...}` actions holding field access
 * (`.a.b`, `['a']`), recursive descent (`..a`), array indexes and slices (`[0]`, `[-1]`,
 * `[1:3:2]`, `[*]`), unions (`[0,2]`), filters (`[?(@.type=="Ready")]`), wildcards and
 * literals. Parsing follows client-go's scanner, so what it refuses is refused here too.
 */

export type PathNode =
  | { kind: "list"; nodes: PathNode[] }
  | { kind: "text"; text: string }
  | { kind: "field"; name: string }
  | { kind: "array"; params: [SliceParam, SliceParam, SliceParam] }
  | { kind: "filter"; left: ListNode; right: ListNode; operator: string }
  | { kind: "int"; value: number }
  | { kind: "float"; value: number }
  | { kind: "bool"; value: boolean }
  | { kind: "wildcard" }
  | { kind: "recursive" }
  | { kind: "union"; lists: ListNode[] }
  | { kind: "identifier"; name: string };

export type ListNode = Extract<PathNode, { kind: "list" }>;

/** One of start, end and step of an array selection. `derived`: an end computed from the start ([2] is [2:3]). */
export interface SliceParam {
  known: boolean;
  value: number;
  derived?: boolean;
}

export class JsonPathSyntaxError extends Error {}

const SLICE = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/;
const DICT_KEY = /^'([^']*)'$/;
const FILTER = /^([^!<>=]+)([!<>=~]+)(.+?)$/;

const isSpace = (c: string) => c === " " || c === "\t";
const isEndOfLine = (c: string) => c === "\r" || c === "\n";
const isAlphaNumeric = (c: string) => c === "_" || /^[\p{L}\p{Nd}]$/u.test(c);
const isDigit = (c: string) => /^\p{Nd}$/u.test(c);
/** Characters that end a field name or identifier. "" is the end of the input. */
const isTerminator = (c: string) => c === "" || isSpace(c) || isEndOfLine(c) || ".,[]$@{}".includes(c);

/** Parses a whole template ("{.spec.replicas}", "x={.a}"); the root list holds text and action lists. */
export function parseTemplate(text: string): ListNode {
  return new Scanner(text).parse();
}

/** Parses one action's inside (".spec.replicas") as its list of nodes. */
function parseAction(text: string): ListNode {
  const root = parseTemplate(`{${text}}`);
  return root.nodes[0] as ListNode;
}

class Scanner {
  private pos = 0;
  private start = 0;
  private readonly root: ListNode = { kind: "list", nodes: [] };

  constructor(private readonly input: string) {}

  parse(): ListNode {
    this.parseText();
    return this.root;
  }

  private next(): string {
    if (this.pos >= this.input.length) return "";
    const c = String.fromCodePoint(this.input.codePointAt(this.pos)!);
    this.pos += c.length;
    return c;
  }

  private peek(): string {
    if (this.pos >= this.input.length) return "";
    return String.fromCodePoint(this.input.codePointAt(this.pos)!);
  }

  private backup(c: string): void {
    this.pos -= c.length;
  }

  private consume(): string {
    const value = this.input.slice(this.start, this.pos);
    this.start = this.pos;
    return value;
  }

  private rest(): string {
    return this.input.slice(this.pos);
  }

  private parseText(): void {
    for (;;) {
      if (this.rest().startsWith("{")) {
        if (this.pos > this.start) this.root.nodes.push({ kind: "text", text: this.consume() });
        this.pos += 1;
        this.consume();
        const action: ListNode = { kind: "list", nodes: [] };
        this.root.nodes.push(action);
        this.parseInsideAction(action);
        continue;
      }
      if (this.next() === "") break;
    }
    if (this.pos > this.start) this.root.nodes.push({ kind: "text", text: this.consume() });
  }

  /** Scans one action up to its closing brace. */
  private parseInsideAction(cur: ListNode): void {
    for (;;) {
      const rest = this.rest();
      if (rest.startsWith("}")) {
        this.pos += 1;
        this.consume();
        return;
      }
      if (rest.startsWith("[?(")) {
        this.parseFilter(cur);
        continue;
      }
      if (rest.startsWith("..")) {
        this.parseRecursive(cur);
        continue;
      }
      const c = this.next();
      if (c === "" || isEndOfLine(c)) throw new JsonPathSyntaxError("unclosed action");
      if (c === " " || c === "@" || c === "$") this.consume();
      else if (c === "[") this.parseArray(cur);
      else if (c === '"' || c === "'") this.parseQuote(cur, c);
      else if (c === ".") this.parseField(cur);
      else if (c === "+" || c === "-" || isDigit(c)) {
        this.backup(c);
        this.parseNumber(cur);
      } else if (isAlphaNumeric(c)) {
        this.backup(c);
        this.parseIdentifier(cur);
      } else throw new JsonPathSyntaxError(`unrecognized character in action: ${goRune(c)}`);
    }
  }

  private parseIdentifier(cur: ListNode): void {
    for (;;) {
      const c = this.next();
      if (isTerminator(c)) {
        this.backup(c);
        break;
      }
    }
    const value = this.consume();
    if (value === "true" || value === "false") cur.nodes.push({ kind: "bool", value: value === "true" });
    else cur.nodes.push({ kind: "identifier", name: value });
  }

  private parseRecursive(cur: ListNode): void {
    if (cur.nodes.at(-1)?.kind === "recursive") throw new JsonPathSyntaxError("invalid multiple recursive descent");
    this.pos += 2;
    this.consume();
    cur.nodes.push({ kind: "recursive" });
    if (isAlphaNumeric(this.peek())) this.parseField(cur);
  }

  private parseNumber(cur: ListNode): void {
    const sign = this.peek();
    if (sign === "+" || sign === "-") this.next();
    for (;;) {
      const c = this.next();
      if (c !== "." && !isDigit(c)) {
        this.backup(c);
        break;
      }
    }
    const value = this.consume();
    if (/^[+-]?\d+$/.test(value)) cur.nodes.push({ kind: "int", value: Number(value) });
    else if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(value)) cur.nodes.push({ kind: "float", value: Number(value) });
    else throw new JsonPathSyntaxError(`cannot parse number ${value}`);
  }

  private parseArray(cur: ListNode): void {
    for (;;) {
      const c = this.next();
      if (c === "" || c === "\n") throw new JsonPathSyntaxError("unterminated array");
      if (c === "]") break;
    }
    let text = this.consume().slice(1, -1);
    if (text === "*") text = ":";
    const parts = text.split(",");
    if (parts.length > 1) {
      cur.nodes.push({ kind: "union", lists: parts.map((p) => parseAction(`[${p.trim()}]`)) });
      return;
    }
    const key = DICT_KEY.exec(text);
    if (key) {
      // ['name'] reads as .name (so a dotted key is several fields, as in client-go).
      cur.nodes.push(...parseAction(`.${key[1]}`).nodes);
      return;
    }
    const slice = SLICE.exec(text);
    if (!slice) throw new JsonPathSyntaxError(`invalid array index ${text}`);
    const params: [SliceParam, SliceParam, SliceParam] = [
      { known: false, value: 0 },
      { known: false, value: 0 },
      { known: false, value: 0 },
    ];
    for (let i = 0; i < 3; i++) {
      let part = slice[i + 1] ?? "";
      if (part !== "") {
        if (i > 0) part = part.slice(1);
        if (i > 0 && part === "") continue;
        const n = Number(part);
        if (!/^-?\d+$/.test(part)) throw new JsonPathSyntaxError(`array index ${part} is not a number`);
        params[i] = { known: true, value: n };
      } else if (i === 1) {
        params[1] = { known: true, value: params[0].value + 1, derived: true };
      }
    }
    cur.nodes.push({ kind: "array", params });
  }

  private parseFilter(cur: ListNode): void {
    this.pos += 3;
    this.consume();
    let opened = false;
    let closed = false;
    let pair = "";
    for (;;) {
      const c = this.next();
      if (c === "" || c === "\n") throw new JsonPathSyntaxError("unterminated filter");
      if (c === '"' || c === "'") {
        if (!opened) {
          opened = true;
          pair = c;
          continue;
        }
        if (this.input[this.pos - 2] !== "\\" && c === pair) closed = true;
      } else if (c === ")" && opened === closed) break;
    }
    if (this.next() !== "]") throw new JsonPathSyntaxError("unclosed array expect ]");
    const text = this.consume().slice(0, -2);
    const m = FILTER.exec(text);
    if (!m) cur.nodes.push({ kind: "filter", left: parseAction(text), right: { kind: "list", nodes: [] }, operator: "exists" });
    else cur.nodes.push({ kind: "filter", left: parseAction(m[1]!), right: parseAction(m[3]!), operator: m[2]! });
  }

  private parseQuote(cur: ListNode, quote: string): void {
    for (;;) {
      const c = this.next();
      if (c === "" || c === "\n") throw new JsonPathSyntaxError("unterminated quoted string");
      if (c === quote && this.input[this.pos - 2] !== "\\") break;
    }
    const value = this.consume();
    cur.nodes.push({ kind: "text", text: unquote(value) });
  }

  private parseField(cur: ListNode): void {
    this.consume();
    for (;;) {
      const c = this.next();
      if (c === "\\") {
        this.next();
        continue;
      }
      if (isTerminator(c)) {
        this.backup(c);
        break;
      }
    }
    const value = this.consume();
    if (value === "*") cur.nodes.push({ kind: "wildcard" });
    else cur.nodes.push({ kind: "field", name: value.replaceAll("\\", "") });
  }
}

/** Go's %#U of a rune: U+0023 '#'. */
function goRune(c: string): string {
  const code = c.codePointAt(0)!;
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")} '${c}'`;
}

const ESCAPES: Record<string, string> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\", "'": "'", '"': '"' };

/** A single- or double-quoted literal with Go's escapes (client-go's UnquoteExtend). */
function unquote(quoted: string): string {
  const quote = quoted[0]!;
  if (quoted.length < 2 || quoted.at(-1) !== quote) throw new JsonPathSyntaxError("invalid syntax");
  const body = quoted.slice(1, -1);
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== "\\") {
      if (c === quote) throw new JsonPathSyntaxError("invalid syntax");
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === undefined) throw new JsonPathSyntaxError("invalid syntax");
    if (e in ESCAPES) out += ESCAPES[e];
    else if (e === "x" || e === "u" || e === "U") {
      const len = e === "x" ? 2 : e === "u" ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new JsonPathSyntaxError("invalid syntax");
      out += String.fromCodePoint(parseInt(hex, 16));
      i += len;
    } else throw new JsonPathSyntaxError("invalid syntax");
  }
  return out;
}
