/**
 * CEL compile issues, printed as cel-go prints them:
 *
 *   ERROR: <input>:1:5: undefined field 'foo'
 *    | self.foo == 1
 *    | ....^
 */

export interface Issue {
  /** Code point offset into the source. */
  off: number;
  message: string;
}

export class CompileError extends Error {
  constructor(readonly issues: Issue[], source: string) {
    super(formatIssues(issues, source));
  }
}

export function formatIssues(issues: Issue[], source: string): string {
  const cps = [...source];
  const sorted = [...issues].sort((a, b) => a.off - b.off);
  return sorted.map((i) => formatIssue(i, cps)).join("\n");
}

function formatIssue(issue: Issue, cps: string[]): string {
  // Line and column from the offset (columns count code points, as cel-go's rune offsets do).
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < Math.min(issue.off, cps.length); i++) {
    if (cps[i] === "\n") {
      line++;
      lineStart = i + 1;
    }
  }
  const col = Math.max(0, issue.off - lineStart);
  let out = `ERROR: <input>:${line}:${col + 1}: ${issue.message}`;
  let lineEnd = lineStart;
  while (lineEnd < cps.length && cps[lineEnd] !== "\n") lineEnd++;
  const snippet = cps.slice(lineStart, lineEnd).join("").replaceAll("\t", " ");
  out += `\n | ${snippet}\n | `;
  const chars = [...snippet];
  for (let i = 0; i < col && i < chars.length; i++) out += chars[i]!.codePointAt(0)! > 0x7f && isWide(chars[i]!) ? "\uff0e" : ".";
  out += col < chars.length && isWide(chars[col]!) ? "\uff3e" : "^";
  return out;
}

/** cel-go widens the marker under multi-byte UTF-8 characters. */
function isWide(ch: string): boolean {
  return Buffer.byteLength(ch) > 1;
}
