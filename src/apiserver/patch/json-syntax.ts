/**
 * A JSON syntax check that fails the way Go's encoding/json does. kube-apiserver sends the Go
 * decoder's error text back to the client (400 "invalid character 'x' looking for beginning of
 * value"), so the wording must be Go's, not JavaScript's. It also enforces Go's nesting limit of
 * 10000, which keeps hostile bodies from reaching the recursive merge code.
 *
 * It is a byte-for-byte state machine like Go's scanner: each character moves it to the next
 * state, and the first unexpected character names the error.
 */

export const MAX_NESTING_DEPTH = 10000;

const enum S {
  BeginValue,
  BeginValueOrEmpty,
  BeginStringOrEmpty,
  BeginString,
  EndValue,
  EndTop,
  InString,
  InStringEsc,
  InStringEscU,
  Neg,
  One,
  Zero,
  Dot,
  Dot0,
  E,
  ESign,
  E0,
  Literal,
}

const enum Ctx {
  ObjectKey,
  ObjectValue,
  ArrayValue,
}

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

class Scanner {
  state = S.BeginValue;
  stack: Ctx[] = [];
  error: string | undefined;
  /** Remaining characters of true/false/null and the literal's name, for its error text. */
  literalRest = "";
  literalName = "";
  hexLeft = 0;

  complete(): boolean {
    return this.state === S.EndTop;
  }

  fail(c: number, context: string): void {
    this.error = `invalid character ${quoteChar(c)} ${context}`;
  }

  push(c: number, ctx: Ctx, next: S): void {
    this.stack.push(ctx);
    if (this.stack.length > MAX_NESTING_DEPTH) this.fail(c, "exceeded max depth");
    else this.state = next;
  }

  pop(): void {
    this.stack.pop();
    this.state = this.stack.length === 0 ? S.EndTop : S.EndValue;
  }

  step(c: number): void {
    switch (this.state) {
      case S.BeginValueOrEmpty:
        if (isSpace(c)) return;
        if (c === 0x5d) return this.endValue(c);
        return this.beginValue(c);
      case S.BeginStringOrEmpty:
        if (isSpace(c)) return;
        if (c === 0x7d) {
          this.stack[this.stack.length - 1] = Ctx.ObjectValue;
          return this.endValue(c);
        }
        return this.beginString(c);
      case S.BeginString:
        return this.beginString(c);
      case S.BeginValue:
        return this.beginValue(c);
      case S.EndValue:
        return this.endValue(c);
      case S.EndTop:
        if (!isSpace(c)) this.fail(c, "after top-level value");
        return;
      case S.InString:
      case S.InStringEsc:
      case S.InStringEscU:
        return this.inString(c);
      case S.Literal:
        return this.literal(c);
      default:
        return this.number(c);
    }
  }

  beginValue(c: number): void {
    if (isSpace(c)) return;
    if (c === 0x7b) return this.push(c, Ctx.ObjectKey, S.BeginStringOrEmpty);
    if (c === 0x5b) return this.push(c, Ctx.ArrayValue, S.BeginValueOrEmpty);
    if (c === 0x22) this.state = S.InString;
    else if (c === 0x2d) this.state = S.Neg;
    else if (c === 0x30) this.state = S.Zero;
    else if (c >= 0x31 && c <= 0x39) this.state = S.One;
    else if (c === 0x74) this.startLiteral("true");
    else if (c === 0x66) this.startLiteral("false");
    else if (c === 0x6e) this.startLiteral("null");
    else this.fail(c, "looking for beginning of value");
  }

  beginString(c: number): void {
    if (isSpace(c)) return;
    if (c === 0x22) this.state = S.InString;
    else this.fail(c, "looking for beginning of object key string");
  }

  startLiteral(name: string): void {
    this.literalName = name;
    this.literalRest = name.slice(1);
    this.state = S.Literal;
  }

  literal(c: number): void {
    const want = this.literalRest.charCodeAt(0);
    if (c !== want) return this.fail(c, `in literal ${this.literalName} (expecting ${quoteChar(want)})`);
    this.literalRest = this.literalRest.slice(1);
    if (this.literalRest === "") this.state = S.EndValue;
  }

  inString(c: number): void {
    if (this.state === S.InStringEsc) {
      if (c === 0x75) {
        this.state = S.InStringEscU;
        this.hexLeft = 4;
      } else if ('bfnrt\\/"'.includes(String.fromCharCode(c))) this.state = S.InString;
      else this.fail(c, "in string escape code");
      return;
    }
    if (this.state === S.InStringEscU) {
      if (!isHex(c)) return this.fail(c, "in \\u hexadecimal character escape");
      if (--this.hexLeft === 0) this.state = S.InString;
      return;
    }
    if (c === 0x22) this.state = S.EndValue;
    else if (c === 0x5c) this.state = S.InStringEsc;
    else if (c < 0x20) this.fail(c, "in string literal");
  }

  number(c: number): void {
    switch (this.state) {
      case S.Neg:
        if (c === 0x30) this.state = S.Zero;
        else if (c >= 0x31 && c <= 0x39) this.state = S.One;
        else this.fail(c, "in numeric literal");
        return;
      case S.One:
        if (isDigit(c)) return;
        return this.afterInteger(c);
      case S.Zero:
        return this.afterInteger(c);
      case S.Dot:
        if (isDigit(c)) this.state = S.Dot0;
        else this.fail(c, "after decimal point in numeric literal");
        return;
      case S.Dot0:
        if (isDigit(c)) return;
        if (c === 0x65 || c === 0x45) this.state = S.E;
        else this.endValue(c);
        return;
      case S.E:
        if (c === 0x2b || c === 0x2d) {
          this.state = S.ESign;
          return;
        }
        return this.exponentSign(c);
      case S.ESign:
        return this.exponentSign(c);
      default:
        if (!isDigit(c)) this.endValue(c);
    }
  }

  afterInteger(c: number): void {
    if (c === 0x2e) this.state = S.Dot;
    else if (c === 0x65 || c === 0x45) this.state = S.E;
    else this.endValue(c);
  }

  exponentSign(c: number): void {
    if (isDigit(c)) this.state = S.E0;
    else this.fail(c, "in exponent of numeric literal");
  }

  endValue(c: number): void {
    const n = this.stack.length;
    if (n === 0) {
      this.state = S.EndTop;
      return this.step(c);
    }
    this.state = S.EndValue;
    if (isSpace(c)) return;
    const ctx = this.stack[n - 1];
    if (ctx === Ctx.ObjectKey) {
      if (c === 0x3a) {
        this.stack[n - 1] = Ctx.ObjectValue;
        this.state = S.BeginValue;
      } else this.fail(c, "after object key");
    } else if (ctx === Ctx.ObjectValue) {
      if (c === 0x2c) {
        this.stack[n - 1] = Ctx.ObjectKey;
        this.state = S.BeginString;
      } else if (c === 0x7d) this.pop();
      else this.fail(c, "after object key:value pair");
    } else if (c === 0x2c) this.state = S.BeginValue;
    else if (c === 0x5d) this.pop();
    else this.fail(c, "after array element");
  }
}

/**
 * Go's quoteChar for the byte that stopped the scanner. Go reports bytes, so a non-ASCII
 * character is named by the first byte of its UTF-8 encoding, shown as that Latin-1 code point.
 */
function quoteChar(code: number): string {
  const b = code < 0x80 ? code : firstUtf8Byte(code);
  if (b === 0x27) return "'\\''";
  if (b === 0x22) return `'"'`;
  return `'${goQuoteRune(b)}'`;
}

function firstUtf8Byte(code: number): number {
  if (code < 0x800) return 0xc0 | (code >> 6);
  if (code < 0x10000) return 0xe0 | (code >> 12);
  return 0xf0 | (code >> 18);
}

const GO_ESCAPES: Record<number, string> = { 7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r", 0x5c: "\\\\" };

/** strconv.Quote's body for a rune in 0..255: printable runes as-is, others escaped. */
function goQuoteRune(r: number): string {
  if (GO_ESCAPES[r]) return GO_ESCAPES[r];
  if (r < 0x20 || r === 0x7f) return `\\x${r.toString(16).padStart(2, "0")}`;
  if ((r >= 0x80 && r <= 0xa0) || r === 0xad) return `\\u${r.toString(16).padStart(4, "0")}`;
  return String.fromCharCode(r);
}

/** The Go decoder's syntax error for `text`, or undefined if it is well-formed JSON. */
export function goJsonSyntaxError(text: string): string | undefined {
  const s = new Scanner();
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    // A surrogate pair is one character; it is only legal inside strings, where its value is irrelevant.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      c = text.codePointAt(i)!;
      i++;
    }
    s.step(c);
    if (s.error) return s.error;
  }
  if (s.complete()) return undefined;
  // Like Go, feed a space: it completes a trailing number and exposes truncated literals.
  s.step(0x20);
  if (s.error) return s.error;
  return s.complete() ? undefined : "unexpected end of JSON input";
}
