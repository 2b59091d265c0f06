/**
 * Whether a JSON string decodes into a Go []byte field (Secret.data, caBundle, ...): Go's JSON
 * decoder runs base64.StdEncoding over the string's UTF-8 bytes, which wants padding, skips
 * \r and \n anywhere, and fails with "illegal base64 data at input byte N" at the first bad
 * byte; that text reaches the client unchanged.
 */

const CANONICAL = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function isAlphabet(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2f;
}

const isNewline = (c: number | undefined): boolean => c === 0x0a || c === 0x0d;

/** Go's base64.CorruptInputError text for `text`, or undefined if StdEncoding decodes it. */
export function base64Error(text: string): string | undefined {
  if (CANONICAL.test(text)) return undefined;
  const offset = corruptOffset(Buffer.from(text, "utf8"));
  return offset === undefined ? undefined : `illegal base64 data at input byte ${offset}`;
}

/**
 * The offset Go reports: the decoder consumes quanta of four alphabet bytes (newlines do not
 * count), and padding may only end the input.
 */
function corruptOffset(src: Uint8Array): number | undefined {
  let si = 0;
  while (si < src.length) {
    let j = 0;
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return undefined;
        return si - j;
      }
      const c = src[si]!;
      si++;
      if (isAlphabet(c)) continue;
      if (isNewline(c)) {
        j--;
        continue;
      }
      if (c !== 0x3d /* = */ || j < 2) return si - 1;
      if (j === 2) {
        while (si < src.length && isNewline(src[si])) si++;
        if (si === src.length) return src.length;
        if (src[si] !== 0x3d) return si - 1;
        si++;
      }
      while (si < src.length && isNewline(src[si])) si++;
      return si < src.length ? si : undefined;
    }
  }
  return undefined;
}
