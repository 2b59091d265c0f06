/** HPACK and its Huffman code, against the examples of RFC 7541 Appendix C. */
import { describe, expect, test } from "bun:test";
import { EOS, HUFFMAN_CODES, huffmanDecode, HuffmanError } from "./huffman.ts";
import { decodeInteger, encodeHeaders, encodeInteger, encodeTableSizeUpdate, HpackDecoder, HpackError, STATIC_TABLE } from "./hpack.ts";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");

/** Huffman encoding, for tests only: kts itself never sends Huffman-coded strings. */
function huffmanEncode(text: string): Buffer {
  const bytes: number[] = [];
  let acc = 0n;
  let bits = 0n;
  for (const ch of Buffer.from(text, "latin1")) {
    const { code, bits: n } = HUFFMAN_CODES[ch]!;
    acc = (acc << BigInt(n)) | BigInt(code);
    bits += BigInt(n);
    while (bits >= 8n) {
      bits -= 8n;
      bytes.push(Number((acc >> bits) & 0xffn));
    }
  }
  if (bits > 0n) bytes.push(Number(((acc << (8n - bits)) | ((1n << (8n - bits)) - 1n)) & 0xffn)); // EOS-prefix padding.
  return Buffer.from(bytes);
}

const decodeAll = (buf: Buffer) => huffmanDecode(buf, 0, buf.length);

/** Pairs from the decoder's flat [name, value, ...] list. */
function pairs(fields: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < fields.length; i += 2) out.push([fields[i]!, fields[i + 1]!]);
  return out;
}

function tableOf(dec: HpackDecoder): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < dec.table.length; i++) {
    const e = dec.table.at(i)!;
    out.push([e.name, e.value]);
  }
  return out;
}

describe("Huffman code", () => {
  test("the canonical code rebuilt from the lengths is the RFC's, and complete", () => {
    // Spot checks from RFC 7541 Appendix B.
    expect(HUFFMAN_CODES[0]).toEqual({ code: 0x1ff8, bits: 13 });
    expect(HUFFMAN_CODES[0x30]).toEqual({ code: 0x0, bits: 5 }); // '0'
    expect(HUFFMAN_CODES[0x20]).toEqual({ code: 0x14, bits: 6 }); // ' '
    expect(HUFFMAN_CODES[0x61]).toEqual({ code: 0x3, bits: 5 }); // 'a'
    expect(HUFFMAN_CODES[0x7f]).toEqual({ code: 0xffffffc, bits: 28 });
    expect(HUFFMAN_CODES[0xff]).toEqual({ code: 0x3ffffee, bits: 26 });
    expect(HUFFMAN_CODES[10]).toEqual({ code: 0x3ffffffc, bits: 30 });
    expect(HUFFMAN_CODES[EOS]).toEqual({ code: 0x3fffffff, bits: 30 });
    // Kraft: a complete prefix code's 2^-len sum to exactly 1.
    expect(HUFFMAN_CODES.reduce((sum, c) => sum + 2 ** (30 - c.bits), 0)).toBe(2 ** 30);
  });

  test("RFC 7541 C.4 and C.6 strings decode, and encode back to the same bytes", () => {
    const examples: Array<[string, string]> = [
      ["f1e3 c2e5 f23a 6ba0 ab90 f4ff", "www.example.com"],
      ["a8eb 1064 9cbf", "no-cache"],
      ["25a8 49e9 5ba9 7d7f", "custom-key"],
      ["25a8 49e9 5bb8 e8b4 bf", "custom-value"],
      ["6402", "302"],
      ["aec3 771a 4b", "private"],
      ["d07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff", "Mon, 21 Oct 2013 20:13:21 GMT"],
      ["9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3", "https://www.example.com"],
      ["9bd9 ab", "gzip"],
      [
        "94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07",
        "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
      ],
    ];
    for (const [encoded, text] of examples) {
      expect(decodeAll(hex(encoded))).toBe(text);
      expect(huffmanEncode(text).toString("hex")).toBe(hex(encoded).toString("hex"));
    }
  });

  test("every octet value round-trips, alone and all together", () => {
    const all = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
    expect(decodeAll(huffmanEncode(all))).toBe(all);
    for (let i = 0; i < 256; i++) {
      const s = String.fromCharCode(i).repeat(3);
      expect(decodeAll(huffmanEncode(s))).toBe(s);
    }
    expect(decodeAll(Buffer.alloc(0))).toBe("");
  });

  test("bad padding and EOS are refused", () => {
    const bad = [
      [0xff], // 8 bits of padding
      [0x1f, 0xff], // "a" then more than 7 bits of padding
      [0x00], // "0" then padding of zeros, not an EOS prefix
      [0xff, 0xff, 0xff, 0xff], // EOS prefix of 32 bits
      [0xff, 0xff, 0xff, 0xfc], // EOS (30 ones) followed by "?"... decoded EOS
    ];
    for (const bytes of bad) expect(() => decodeAll(Buffer.from(bytes))).toThrow(HuffmanError);
  });
});

describe("HPACK integers (RFC 7541 C.1)", () => {
  test("encode and decode", () => {
    const cases: Array<[number, number, number[]]> = [
      [10, 5, [0x0a]],
      [1337, 5, [0x1f, 0x9a, 0x0a]],
      [42, 8, [0x2a]],
      [31, 5, [0x1f, 0x00]],
      [2 ** 32 - 1, 7, [0x7f, 0x80, 0xff, 0xff, 0xff, 0x0f]],
    ];
    for (const [value, prefix, bytes] of cases) {
      const out: number[] = [];
      encodeInteger(out, value, prefix, 0);
      expect(out).toEqual(bytes);
      expect(decodeInteger(Uint8Array.from(bytes), 0, prefix)).toEqual({ value, next: bytes.length });
    }
  });

  test("truncated and oversized integers are errors", () => {
    expect(() => decodeInteger(Uint8Array.from([0x1f, 0x80]), 0, 5)).toThrow(HpackError);
    expect(() => decodeInteger(Uint8Array.from([0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]), 0, 5)).toThrow(HpackError);
  });
});

describe("HPACK decoder", () => {
  test("C.2: each field representation", () => {
    const d1 = new HpackDecoder();
    expect(pairs(d1.decode(hex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572")).fields)).toEqual([["custom-key", "custom-header"]]);
    expect(tableOf(d1)).toEqual([["custom-key", "custom-header"]]);
    expect(d1.table.size).toBe(55);
    const d2 = new HpackDecoder();
    expect(pairs(d2.decode(hex("040c 2f73 616d 706c 652f 7061 7468")).fields)).toEqual([[":path", "/sample/path"]]);
    expect(d2.table.length).toBe(0);
    const d3 = new HpackDecoder();
    expect(pairs(d3.decode(hex("1008 7061 7373 776f 7264 0673 6563 7265 74")).fields)).toEqual([["password", "secret"]]);
    expect(d3.table.length).toBe(0);
    expect(pairs(new HpackDecoder().decode(hex("82")).fields)).toEqual([[":method", "GET"]]);
  });

  // C.3 (raw literals) and C.4 (Huffman): three requests on one connection share the table.
  const requests = [
    [
      [":method", "GET"],
      [":scheme", "http"],
      [":path", "/"],
      [":authority", "www.example.com"],
    ],
    [
      [":method", "GET"],
      [":scheme", "http"],
      [":path", "/"],
      [":authority", "www.example.com"],
      ["cache-control", "no-cache"],
    ],
    [
      [":method", "GET"],
      [":scheme", "https"],
      [":path", "/index.html"],
      [":authority", "www.example.com"],
      ["custom-key", "custom-value"],
    ],
  ];
  const requestTables = [
    { size: 57, entries: [[":authority", "www.example.com"]] },
    { size: 110, entries: [["cache-control", "no-cache"], [":authority", "www.example.com"]] },
    { size: 164, entries: [["custom-key", "custom-value"], ["cache-control", "no-cache"], [":authority", "www.example.com"]] },
  ];

  for (const [name, blocks] of [
    ["C.3: requests without Huffman coding", ["8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d", "8286 84be 5808 6e6f 2d63 6163 6865", "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65"]],
    ["C.4: requests with Huffman coding", ["8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff", "8286 84be 5886 a8eb 1064 9cbf", "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf"]],
  ] as const) {
    test(name, () => {
      const dec = new HpackDecoder();
      blocks.forEach((block, i) => {
        expect(pairs(dec.decode(hex(block)).fields)).toEqual(requests[i]! as Array<[string, string]>);
        expect(tableOf(dec)).toEqual(requestTables[i]!.entries as Array<[string, string]>);
        expect(dec.table.size).toBe(requestTables[i]!.size);
      });
    });
  }

  // C.5 (raw) and C.6 (Huffman): responses with a 256-octet table, so entries get evicted.
  const responses = [
    [
      [":status", "302"],
      ["cache-control", "private"],
      ["date", "Mon, 21 Oct 2013 20:13:21 GMT"],
      ["location", "https://www.example.com"],
    ],
    [
      [":status", "307"],
      ["cache-control", "private"],
      ["date", "Mon, 21 Oct 2013 20:13:21 GMT"],
      ["location", "https://www.example.com"],
    ],
    [
      [":status", "200"],
      ["cache-control", "private"],
      ["date", "Mon, 21 Oct 2013 20:13:22 GMT"],
      ["location", "https://www.example.com"],
      ["content-encoding", "gzip"],
      ["set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"],
    ],
  ];
  const responseTables = [
    {
      size: 222,
      entries: [
        ["location", "https://www.example.com"],
        ["date", "Mon, 21 Oct 2013 20:13:21 GMT"],
        ["cache-control", "private"],
        [":status", "302"],
      ],
    },
    {
      size: 222,
      entries: [
        [":status", "307"],
        ["location", "https://www.example.com"],
        ["date", "Mon, 21 Oct 2013 20:13:21 GMT"],
        ["cache-control", "private"],
      ],
    },
    {
      size: 215,
      entries: [
        ["set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"],
        ["content-encoding", "gzip"],
        ["date", "Mon, 21 Oct 2013 20:13:22 GMT"],
      ],
    },
  ];
  for (const [name, blocks] of [
    [
      "C.5: responses without Huffman coding, with evictions",
      [
        "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
        "4803 3330 37c1 c0bf",
        "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31",
      ],
    ],
    [
      "C.6: responses with Huffman coding, with evictions",
      [
        "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
        "4883 640e ffc1 c0bf",
        "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07",
      ],
    ],
  ] as const) {
    test(name, () => {
      // The peer was told SETTINGS_HEADER_TABLE_SIZE 256 and announces it with a size update.
      const dec = new HpackDecoder();
      dec.decode(encodeTableSizeUpdate(256));
      blocks.forEach((block, i) => {
        expect(pairs(dec.decode(hex(block)).fields)).toEqual(responses[i]! as Array<[string, string]>);
        expect(tableOf(dec)).toEqual(responseTables[i]!.entries as Array<[string, string]>);
        expect(dec.table.size).toBe(responseTables[i]!.size);
      });
    });
  }

  test("table size updates: shrinking evicts, growing past our limit or after a field is an error", () => {
    const dec = new HpackDecoder(4096);
    dec.decode(hex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572")); // custom-key: custom-header (55)
    dec.decode(hex("4003 666f 6f03 6261 72")); // foo: bar (38)
    expect(dec.table.size).toBe(93);
    dec.decode(Buffer.concat([encodeTableSizeUpdate(50)]));
    expect(tableOf(dec)).toEqual([["foo", "bar"]]);
    dec.decode(Buffer.concat([encodeTableSizeUpdate(0), encodeTableSizeUpdate(4096)]));
    expect(dec.table.length).toBe(0);
    expect(() => dec.decode(encodeTableSizeUpdate(4097))).toThrow(HpackError);
    expect(() => dec.decode(Buffer.concat([hex("82"), encodeTableSizeUpdate(100)]))).toThrow(HpackError);
  });

  test("an entry larger than the table empties it and is not added", () => {
    const dec = new HpackDecoder(100);
    dec.decode(hex("4003 666f 6f03 6261 72"));
    const big = Buffer.concat([hex("4003 6269 67"), Buffer.from([0x7f, 0x01]), Buffer.alloc(128, 0x78)]); // big: 'x' * 128
    expect(pairs(dec.decode(big).fields)).toEqual([["big", "x".repeat(128)]]);
    expect(dec.table.length).toBe(0);
    expect(dec.table.size).toBe(0);
  });

  test("malformed blocks are errors, not crashes", () => {
    const bad = ["80", "be", "ff ff ff ff ff 0f", "40", "4005 6162", "0085 ffff", "4188 ffff ffff ffff ffff", "00 80"];
    for (const b of bad) expect(() => new HpackDecoder().decode(hex(b))).toThrow(HpackError);
  });

  test("list size is measured and fields past the limit are not collected", () => {
    const dec = new HpackDecoder();
    const block = encodeHeaders([
      ["a", "1"],
      ["b", "2".repeat(100)],
    ]);
    const full = dec.decode(block);
    expect(full.listSize).toBe(1 + 1 + 32 + 1 + 100 + 32);
    const cut = dec.decode(block, 40);
    expect(cut.fields).toEqual(["a", "1"]);
    expect(cut.listSize).toBe(full.listSize);
  });
});

describe("HPACK encoder", () => {
  test("static matches are indexed, known names indexed, the rest literal; all decode back", () => {
    const fields: Array<[string, string]> = [
      [":status", "200"],
      ["content-type", "application/grpc"],
      ["grpc-status", "0"],
      ["grpc-message", "x".repeat(300)],
      [":status", "405"],
    ];
    const block = encodeHeaders(fields);
    expect(block[0]).toBe(0x88); // :status 200 is static index 8
    expect(block[1]).toBe(0x0f); // literal without indexing, name index 31 (content-type)
    expect(block[2]).toBe(31 - 15);
    const dec = new HpackDecoder();
    expect(pairs(dec.decode(block).fields)).toEqual(fields);
    expect(dec.table.length).toBe(0);
    expect(STATIC_TABLE[30]![0]).toBe("content-type");
  });
});
