/**
 * JSON number literals whose text JSON.parse does not keep: Go's decoder judges an int field on
 * the literal ("1.0" and "1e3" are not integers there, "9223372036854775807" fits an int64), and
 * quotes it in the error ("cannot unmarshal number 1.0 into ..."), so the type check needs it.
 *
 * Only literals with a fraction or exponent, or more digits than a double holds exactly, are
 * returned, keyed by JSON path as `spec.containers[0].ports[0].containerPort`. Most bodies have
 * none, and a cheap pattern test skips the scan for them.
 *
 * The text must already be valid JSON (it is scanned after JSON.parse succeeded).
 */

/**
 * A number after a key or in an array, with a fraction, an exponent or 16+ digits. Two simple
 * patterns run about twice as fast as one with the alternation, and both miss image tags such
 * as "nginx:1.25", so typical bodies are not scanned.
 */
const AFTER_KEY = /"\s*:\s*-?\d+(?:[.eE]|\d{15})/;
const IN_ARRAY = /[[,]\s*-?\d+(?:[.eE]|\d{15})/;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** A key is kept as its span in the text, and only cut out for a path that is recorded. */
type Frame = { array: true; index: number } | { array: false; start: number; end: number };

export function numberLiterals(text: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!AFTER_KEY.test(text) && !IN_ARRAY.test(text)) return out;
  const stack: Frame[] = [];
  let expectKey = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // Jump to the closing quote: one not preceded by an odd run of backslashes.
      let j = text.indexOf('"', i + 1);
      for (;;) {
        let k = j - 1;
        while (text.charCodeAt(k) === 0x5c /* \ */) k--;
        if ((j - k) % 2 === 1) break;
        j = text.indexOf('"', j + 1);
      }
      if (expectKey) {
        const top = stack[stack.length - 1];
        if (top && !top.array) {
          top.start = i;
          top.end = j + 1;
        }
        expectKey = false;
      }
      i = j + 1;
    } else if (c === 0x7b /* { */) {
      stack.push({ array: false, start: 0, end: 0 });
      expectKey = true;
      i++;
    } else if (c === 0x5b /* [ */) {
      stack.push({ array: true, index: 0 });
      i++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      i++;
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.array) top.index++;
      else expectKey = true;
      i++;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      NUMBER.lastIndex = i;
      const literal = NUMBER.exec(text)![0];
      if (/[.eE]/.test(literal) || literal.length - (c === 0x2d ? 1 : 0) > 15) out.set(pathOf(text, stack), literal);
      i += literal.length;
    } else {
      i++;
    }
  }
  return out;
}

function pathOf(text: string, stack: readonly Frame[]): string {
  let out = "";
  for (const f of stack) {
    if (f.array) {
      out += `[${f.index}]`;
      continue;
    }
    const quoted = text.slice(f.start, f.end);
    const key = quoted.includes("\\") ? (JSON.parse(quoted) as string) : quoted.slice(1, -1);
    out += out === "" ? key : `.${key}`;
  }
  return out;
}
