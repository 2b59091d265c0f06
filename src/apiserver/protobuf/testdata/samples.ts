/**
 * Builds a fully populated JSON object for any message: every field set to a non-zero value
 * (so omitempty never hides one), lists of two, maps of two keys, int64s above 2^32. Encoding
 * one and decoding it back must reproduce it exactly, which exercises every table entry.
 */
import { MAP, REPEATED, T_BOOL, T_BYTES, T_INT32, T_INT64, T_MESSAGE, T_SPECIAL, T_STRING, type FieldDesc, type MessageDesc } from "../registry.ts";

const SPECIAL_SAMPLES: Record<string, (i: number) => unknown> = {
  Time: (i) => `2024-01-0${1 + (i % 9)}T03:04:05Z`,
  MicroTime: (i) => `2024-01-0${1 + (i % 9)}T03:04:05.12345${i % 10}Z`,
  Duration: (i) => `${i + 1}m30s`,
  Quantity: (i) => `${i + 1}00m`,
  IntOrString: (i) => (i % 2 === 0 ? 8080 + i : `port-${i}`),
  FieldsV1: (i) => ({ "f:metadata": { "f:labels": { [`f:k${i}`]: {} } } }),
  RawExtension: (i) => ({ kind: "Sample", n: i, list: [1, "two"] }),
};

function element(f: FieldDesc, i: number): unknown {
  switch (f.type) {
    case T_STRING:
      return `${f.json}-${i}`;
    case T_BOOL:
      return true;
    case T_INT32:
      return f.no * 10 + i + 1;
    case T_INT64:
      return 2 ** 40 + f.no * 10 + i;
    case T_BYTES:
      return Buffer.from(`bytes of ${f.json} ${i}`).toString("base64");
    case T_MESSAGE:
      return sampleOf(f.msg!, i);
    case T_SPECIAL:
      return SPECIAL_SAMPLES[f.special!.name]!(i);
  }
  throw new Error(`no sample for type ${f.type}`);
}

export function sampleOf(m: MessageDesc, seed = 0): unknown {
  if (m.listOf) return [`a${seed}`, `b${seed}`];
  const out: Record<string, unknown> = {};
  for (const f of m.fields) {
    if (f.inline) Object.assign(out, sampleOf(f.msg!, seed));
    else if (f.shape === REPEATED) out[f.json] = [element(f, seed), element(f, seed + 1)];
    else if (f.shape === MAP) out[f.json] = { [`key-${seed}`]: element(f, seed), [`key-${seed + 1}`]: element(f, seed + 1) };
    else out[f.json] = element(f, seed);
  }
  return out;
}
