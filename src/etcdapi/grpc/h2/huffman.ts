/**
 * HPACK's Huffman code (RFC 7541 Appendix B), decoding only: kts never Huffman-encodes what it
 * sends, but grpc-go, grpc-js and nghttp2 all Huffman-encode header strings they send.
 *
 * The code is canonical: codes of one length are consecutive and follow symbol order, and each
 * length's first code continues from the previous length's last. So the table is fully given by
 * every symbol's code length (below, as data); the codes are rebuilt from those lengths.
 */

/** Code length in bits of each symbol 0..255, then EOS (256); RFC 7541 Appendix B. */
// prettier-ignore
const CODE_LENGTHS: readonly number[] = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, // 0x00-0x0f
  28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28, // 0x10-0x1f
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, //          ' ' .. '/'
  5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10, //               '0' .. '?'
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, //                 '@' .. 'O'
  7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6, //              'P' .. '_'
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, //                 '`' .. 'o'
  6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28, //             'p' .. 0x7f
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, // 0x80-0x8f
  24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, // 0x90-0x9f
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, // 0xa0-0xaf
  21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23, // 0xb0-0xbf
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, // 0xc0-0xcf
  19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, // 0xd0-0xdf
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, // 0xe0-0xef
  26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, // 0xf0-0xff
  30, //                                                              EOS
];

export const EOS = 256;

export interface HuffmanCode {
  /** The code's bits, right-aligned. */
  code: number;
  bits: number;
}

/** Every symbol's code (index 256 is EOS), rebuilt canonically from the lengths. */
export const HUFFMAN_CODES: readonly HuffmanCode[] = buildCodes(CODE_LENGTHS);

function buildCodes(lengths: readonly number[]): HuffmanCode[] {
  const codes: HuffmanCode[] = new Array(lengths.length);
  const symbols = lengths.map((bits, sym) => ({ sym, bits })).sort((a, b) => a.bits - b.bits || a.sym - b.sym);
  let code = 0;
  let bits = symbols[0]!.bits;
  for (const s of symbols) {
    code *= 2 ** (s.bits - bits); // Longer codes continue from the shorter ones, shifted left.
    bits = s.bits;
    codes[s.sym] = { code, bits };
    code++;
  }
  return codes;
}

/**
 * Decoding runs a state machine four bits at a time. States are the inner nodes of the code
 * tree (256 of them for 257 leaves; state 0 is the root). Every code is at least 5 bits long, so
 * a nibble completes at most one symbol. Per (state, nibble): the next state, the symbol
 * completed (-1 for none), and whether the nibble hit EOS (never valid inside a string).
 */
const NIBBLE_NEXT = new Uint8Array(256 * 16);
const NIBBLE_SYMBOL = new Int16Array(256 * 16);
const NIBBLE_FAIL = new Uint8Array(256 * 16);
/**
 * States a string may end in: the root, or a node reached from it by at most 7 one-bits, since
 * padding is the shortest prefix of EOS (all ones) that completes the last octet (RFC 7541 5.2).
 */
const ACCEPTING = new Uint8Array(256);

(function buildDecoder(): void {
  // The tree as child arrays; children >= 0 are inner nodes, -1 - sym are leaves.
  const UNSET = -1_000_000;
  const left: number[] = [UNSET];
  const right: number[] = [UNSET];
  HUFFMAN_CODES.forEach(({ code, bits }, sym) => {
    let node = 0;
    for (let i = bits - 1; i >= 0; i--) {
      const side = Math.floor(code / 2 ** i) % 2 === 0 ? left : right;
      if (i === 0) {
        side[node] = -1 - sym;
      } else {
        if (side[node] === UNSET) {
          side[node] = left.length;
          left.push(UNSET);
          right.push(UNSET);
        }
        node = side[node]!;
      }
    }
  });
  if (left.length !== 256 || left.includes(UNSET) || right.includes(UNSET)) {
    throw new Error("HPACK Huffman table is not a complete code");
  }
  for (let node = 0, depth = 0; node >= 0 && depth <= 7; node = right[node]!, depth++) ACCEPTING[node] = 1;
  for (let state = 0; state < 256; state++) {
    for (let nibble = 0; nibble < 16; nibble++) {
      let node = state;
      let symbol = -1;
      let fail = 0;
      for (let bit = 3; bit >= 0; bit--) {
        const child = ((nibble >> bit) & 1) === 0 ? left[node]! : right[node]!;
        if (child >= 0) {
          node = child;
          continue;
        }
        if (-1 - child === EOS) fail = 1;
        symbol = -1 - child;
        node = 0;
      }
      const i = state * 16 + nibble;
      NIBBLE_NEXT[i] = node;
      NIBBLE_SYMBOL[i] = symbol;
      NIBBLE_FAIL[i] = fail;
    }
  }
})();

export class HuffmanError extends Error {}

/** Reused output space: header strings are short, and decoding is synchronous. */
let scratch = Buffer.allocUnsafe(1024);

/** Decodes a Huffman-coded string literal as latin1 text (one character per octet). */
export function huffmanDecode(src: Uint8Array, start: number, end: number): string {
  // Codes are at least 5 bits long: n octets hold at most 8n/5 symbols.
  const most = Math.ceil(((end - start) * 8) / 5);
  if (scratch.length < most) scratch = Buffer.allocUnsafe(most);
  const out = scratch;
  let n = 0;
  let state = 0;
  for (let i = start; i < end; i++) {
    const byte = src[i]!;
    let t = state * 16 + (byte >> 4);
    if (NIBBLE_FAIL[t]) throw new HuffmanError("EOS inside a Huffman-coded string");
    let sym = NIBBLE_SYMBOL[t]!;
    if (sym >= 0) out[n++] = sym;
    t = NIBBLE_NEXT[t]! * 16 + (byte & 0xf);
    if (NIBBLE_FAIL[t]) throw new HuffmanError("EOS inside a Huffman-coded string");
    sym = NIBBLE_SYMBOL[t]!;
    if (sym >= 0) out[n++] = sym;
    state = NIBBLE_NEXT[t]!;
  }
  if (!ACCEPTING[state]) throw new HuffmanError("invalid Huffman padding");
  return out.toString("latin1", 0, n);
}
