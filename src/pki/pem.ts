/** PEM armour (RFC 7468): base64 bodies between BEGIN/END lines. */

export function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

export interface PemBlock {
  label: string;
  der: Uint8Array;
}

/** Every PEM block in `text`, in order. */
export function fromPem(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  for (const m of text.matchAll(re)) out.push({ label: m[1]!, der: new Uint8Array(Buffer.from(m[2]!.replace(/\s+/g, ""), "base64")) });
  return out;
}

/** The DER of the first block labelled `label`; throws when there is none. */
export function firstPem(text: string, label: string): Uint8Array {
  const block = fromPem(text).find((b) => b.label === label);
  if (!block) throw new Error(`no ${label} PEM block found`);
  return block.der;
}
