/**
 * Tokens of the label selector language, as apimachinery's labels.Lexer reads them: identifiers
 * run until whitespace or one of `=!(),<>`; operators are the longest run of those characters
 * that is still a token ("!=" but "=!" is "=" then "!").
 */

export type TokenType =
  | "end"
  | "closedPar"
  | "comma"
  | "doesNotExist"
  | "doubleEquals"
  | "equals"
  | "greaterThan"
  | "identifier"
  | "in"
  | "lessThan"
  | "notEquals"
  | "notIn"
  | "openPar";

export interface Token {
  type: TokenType;
  literal: string;
}

const KEYWORDS: Readonly<Record<string, TokenType>> = {
  ")": "closedPar",
  ",": "comma",
  "!": "doesNotExist",
  "==": "doubleEquals",
  "=": "equals",
  ">": "greaterThan",
  in: "in",
  "<": "lessThan",
  "!=": "notEquals",
  notin: "notIn",
  "(": "openPar",
};

const keyword = (s: string): TokenType | undefined => (Object.hasOwn(KEYWORDS, s) ? KEYWORDS[s] : undefined);
const isWhitespace = (ch: string) => ch === " " || ch === "\t" || ch === "\r" || ch === "\n";
const isSpecial = (ch: string) => "=!(),><".includes(ch) && ch !== "";

/**
 * Reads characters like upstream's lexer, which works on a Go string: reading past the end,
 * and reading a NUL character, both yield "\0", which ends whatever is being read.
 */
class Lexer {
  private pos = 0;
  constructor(private readonly s: string) {}

  private read(): string {
    if (this.pos >= this.s.length) return "\0";
    return this.s[this.pos++]!;
  }

  private unread(): void {
    this.pos--;
  }

  private identifierOrKeyword(): Token {
    let text = "";
    for (;;) {
      const ch = this.read();
      if (ch === "\0") break;
      if (isSpecial(ch) || isWhitespace(ch)) {
        this.unread();
        break;
      }
      text += ch;
    }
    return { type: keyword(text) ?? "identifier", literal: text };
  }

  private operator(): Token {
    let text = "";
    let last: Token | undefined;
    for (;;) {
      const ch = this.read();
      if (ch === "\0") break;
      if (!isSpecial(ch)) {
        this.unread();
        break;
      }
      text += ch;
      const type = keyword(text);
      if (type) last = { type, literal: text };
      else if (last) {
        this.unread();
        break;
      }
    }
    // Every single special character is a token, so `last` is always set here.
    return last!;
  }

  next(): Token {
    let ch = this.read();
    while (isWhitespace(ch)) ch = this.read();
    if (ch === "\0") return { type: "end", literal: "" };
    this.unread();
    return isSpecial(ch) ? this.operator() : this.identifierOrKeyword();
  }
}

/** All tokens of `s`, ending with one "end" token. */
export function tokenize(s: string): Token[] {
  const lexer = new Lexer(s);
  const tokens: Token[] = [];
  for (;;) {
    const t = lexer.next();
    tokens.push(t);
    if (t.type === "end") return tokens;
  }
}
