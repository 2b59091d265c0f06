/**
 * Index interval lists of Indexed Jobs ("1,3-5,7"), as upstream's validateIndexesFormat parses
 * them: increasing, below `completions`, with Go-worded errors.
 */

/** The number of indexes the list names, or the parse error. */
export function parseIndexes(text: string, completions: number): { total: number } | { error: string } {
  if (text.length === 0) return { total: 0 };
  let last: number | undefined;
  let total = 0;
  for (const interval of text.split(",")) {
    const parsed = parseInterval(interval, completions);
    if ("error" in parsed) return parsed;
    if (last !== undefined && last >= parsed.first) return { error: `non-increasing order, previous: ${last}, current: ${parsed.first}` };
    total += parsed.last - parsed.first + 1;
    last = parsed.last;
  }
  return { total };
}

function parseInterval(interval: string, completions: number): { first: number; last: number } | { error: string } {
  const limits = interval.split("-");
  if (limits.length > 2) return { error: `the fragment ${JSON.stringify(interval)} violates the requirement that an index interval can have at most two parts separated by '-'` };
  const bound = (text: string): number | { error: string } => {
    if (!/^[+-]?\d+$/.test(text)) return { error: `cannot convert string to integer for index: ${JSON.stringify(text)}` };
    const n = Number(text);
    return n >= completions ? { error: `too large index: ${JSON.stringify(text)}` } : n;
  };
  const first = bound(limits[0]!);
  if (typeof first !== "number") return first;
  if (limits.length === 1) return { first, last: first };
  const last = bound(limits[1]!);
  if (typeof last !== "number") return last;
  if (first >= last) return { error: `non-increasing order, previous: ${first}, current: ${last}` };
  return { first, last };
}
