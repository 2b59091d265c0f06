/**
 * The label selector grammar, parsed like apimachinery's labels.Parse so that the same strings
 * are accepted and the same error messages come back:
 *
 *   selector    := requirement ("," requirement)*
 *   requirement := ["!"] KEY [ ("in" | "notin") "(" VALUES ")" | ("=" | "==" | "!=" | ">" | "<") VALUE ]
 *
 * "in" and "notin" are keywords only where an operator is expected; as keys or values they are
 * plain identifiers.
 */
import { tokenize, type Token, type TokenType } from "./lexer.ts";
import { BINARY_OPERATORS, labelKeyError, newRequirement, SelectorError, type LabelOperator, type LabelRequirement } from "./requirement.ts";

type Context = "keyAndOperator" | "values";

const OPERATOR_TOKENS: Partial<Record<TokenType, LabelOperator>> = {
  in: "in",
  notIn: "notin",
  equals: "=",
  doubleEquals: "==",
  notEquals: "!=",
  greaterThan: "gt",
  lessThan: "lt",
};

class Parser {
  private position = 0;
  constructor(private readonly tokens: Token[]) {}

  /** In a values context the keywords "in" and "notin" read as identifiers. */
  private view(t: Token, context: Context): Token {
    if (context === "values" && (t.type === "in" || t.type === "notIn")) return { type: "identifier", literal: t.literal };
    return t;
  }

  lookahead(context: Context): Token {
    return this.view(this.tokens[this.position]!, context);
  }

  consume(context: Context): Token {
    return this.view(this.tokens[this.position++]!, context);
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    for (;;) {
      const t = this.lookahead("values");
      if (t.type === "end") return requirements;
      if (t.type !== "identifier" && t.type !== "doesNotExist") throw new SelectorError(`found '${t.literal}', expected: !, identifier, or 'end of string'`);
      requirements.push(this.requirementOrFail());
      const after = this.consume("values");
      if (after.type === "end") return requirements;
      if (after.type !== "comma") throw new SelectorError(`found '${after.literal}', expected: ',' or 'end of string'`);
      const next = this.lookahead("values");
      if (next.type !== "identifier" && next.type !== "doesNotExist") throw new SelectorError(`found '${next.literal}', expected: identifier after ','`);
    }
  }

  private requirementOrFail(): LabelRequirement {
    try {
      return this.requirement();
    } catch (e) {
      if (e instanceof SelectorError) throw new SelectorError(`unable to parse requirement: ${e.message}`);
      throw e;
    }
  }

  private requirement(): LabelRequirement {
    const { key, unary } = this.keyAndUnaryOperator();
    if (unary) return newRequirement(key, unary, []);
    const operator = this.operator();
    const values = operator === "in" || operator === "notin" ? this.valueSet() : this.exactValue();
    return newRequirement(key, operator, [...new Set(values)].sort());
  }

  /** The key, with "!" (does not exist) before it or nothing after it (exists) as the operator. */
  private keyAndUnaryOperator(): { key: string; unary?: LabelOperator } {
    let t = this.consume("values");
    const negated = t.type === "doesNotExist";
    if (negated) t = this.consume("values");
    if (t.type !== "identifier") throw new SelectorError(`found '${t.literal}', expected: identifier`);
    // Upstream checks the key here with no field path, hence the "<nil>" in its message.
    const keyErr = labelKeyError(t.literal, "<nil>");
    if (keyErr) throw new SelectorError(keyErr);
    const next = this.lookahead("values").type;
    if (next === "end" || next === "comma") return { key: t.literal, unary: negated ? "!" : "exists" };
    return { key: t.literal, unary: negated ? "!" : undefined };
  }

  private operator(): LabelOperator {
    const t = this.consume("keyAndOperator");
    const op = OPERATOR_TOKENS[t.type];
    if (!op) throw new SelectorError(`found '${t.literal}', expected: ${BINARY_OPERATORS.join(", ")}`);
    return op;
  }

  /** "(a,b)"; empty entries ("(a,)", "()") stand for the empty value. */
  private valueSet(): string[] {
    const open = this.consume("values");
    if (open.type !== "openPar") throw new SelectorError(`found '${open.literal}' expected: '('`);
    const t = this.lookahead("values");
    if (t.type === "closedPar") {
      this.consume("values");
      return [""];
    }
    if (t.type !== "identifier" && t.type !== "comma") throw new SelectorError(`found '${t.literal}', expected: ',', ')' or identifier`);
    const values = this.identifierList();
    if (this.consume("values").type !== "closedPar") throw new SelectorError(`found '${t.literal}', expected: ')'`);
    return values;
  }

  private identifierList(): string[] {
    const values: string[] = [];
    for (;;) {
      const t = this.consume("values");
      if (t.type === "identifier") {
        values.push(t.literal);
        const next = this.lookahead("values");
        if (next.type === "closedPar") return values;
        if (next.type !== "comma") throw new SelectorError(`found '${next.literal}', expected: ',' or ')'`);
      } else if (t.type === "comma") {
        if (values.length === 0) values.push("");
        const next = this.lookahead("values").type;
        if (next === "closedPar") return [...values, ""];
        if (next === "comma") {
          this.consume("values");
          values.push("");
        }
      } else throw new SelectorError(`found '${t.literal}', expected: ',', or identifier`);
    }
  }

  /** The value after "=", "!=", ">" ...; nothing at all means the empty value. */
  private exactValue(): string[] {
    const t = this.lookahead("values");
    if (t.type === "end" || t.type === "comma") return [""];
    const value = this.consume("values");
    if (value.type === "identifier") return [value.literal];
    throw new SelectorError(`found '${value.literal}', expected: identifier`);
  }
}

/** Parses a label selector string; requirements come back sorted by key. Throws SelectorError. */
export function parseLabelRequirements(selector: string): LabelRequirement[] {
  const requirements = new Parser(tokenize(selector)).parse();
  return sortByKey(requirements);
}

/** Stable sort by key (upstream sorts with sort.Sort, which is stable for the sizes selectors have). */
export function sortByKey(requirements: LabelRequirement[]): LabelRequirement[] {
  return [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
