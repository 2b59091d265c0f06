/**
 * Go regular expressions (RE2 syntax, linear-time matching) for CRD `pattern`s and CEL.
 * compileGoRegexp throws RegexpError with Go's message for patterns Go refuses.
 */
import { Matcher, pikeFind } from "./match.ts";
import { parseRegexp, RegexpError } from "./parse.ts";
import { compileProgram, ProgramTooLarge, type Inst } from "./program.ts";

export { RegexpError } from "./parse.ts";

export interface GoRegexp {
  readonly source: string;
  /** Go's MatchString: a match anywhere in s. */
  test(s: string): boolean;
  /** Go's FindString: the leftmost-first match, or undefined. */
  find(s: string): string | undefined;
  /** Go's FindAllString(s, n): n < 0 means all. */
  findAll(s: string, n: number): string[];
}

const cache = new Map<string, GoRegexp>();
const CACHE_MAX = 1000;

export function compileGoRegexp(pattern: string): GoRegexp {
  const hit = cache.get(pattern);
  if (hit) return hit;
  let prog: Inst[];
  try {
    prog = compileProgram(parseRegexp(pattern));
  } catch (e) {
    if (e instanceof ProgramTooLarge) throw new RegexpError("expression too large", pattern);
    throw e;
  }
  const matcher = new Matcher(prog);
  const re: GoRegexp = {
    source: pattern,
    test: (s) => matcher.test(s),
    find: (s) => {
      const m = pikeFind(prog, s, 0);
      return m ? s.slice(m[0], m[1]) : undefined;
    },
    findAll: (s, n) => {
      // Go's allMatches: an empty match right after the previous match is skipped.
      const out: string[] = [];
      let pos = 0;
      let prevEnd = -1;
      while ((n < 0 || out.length < n) && pos <= s.length) {
        const m = pikeFind(prog, s, pos);
        if (!m) break;
        let accept = true;
        if (m[1] === pos) {
          if (m[0] === prevEnd) accept = false;
          pos += pos < s.length && s.codePointAt(pos)! > 0xffff ? 2 : 1;
        } else pos = m[1];
        prevEnd = m[1];
        if (accept) out.push(s.slice(m[0], m[1]));
      }
      return out;
    },
  };
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(pattern, re);
  return re;
}
