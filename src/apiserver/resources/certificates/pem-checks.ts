/**
 * The PEM checks of CertificateSigningRequest validation (upstream's ParseCSR + CheckSignature and
 * validateCertificate in pkg/apis/certificates/validation), on the raw bytes the API carries.
 */
import { X509Certificate } from "node:crypto";
import { parseCertificateRequest, toPem } from "../../../pki/index.ts";

/** One PEM block as Go's pem.Decode sees it: its type, headers and body. */
interface PemBlock {
  type: string;
  hasHeaders: boolean;
  der: Uint8Array;
  rest: string;
}

const BLOCK = /-----BEGIN ([^\n-]+)-----\r?\n([\s\S]*?)-----END \1-----/;

function decodePem(text: string): PemBlock | undefined {
  const m = BLOCK.exec(text);
  if (!m) return undefined;
  const lines = m[2]!.split(/\r?\n/);
  // RFC 1421 headers ("Proc-Type: ...") come first and end at a blank line.
  const hasHeaders = lines[0]!.includes(":");
  const body = hasHeaders ? lines.slice(lines.findIndex((l) => l.trim() === "") + 1) : lines;
  return { type: m[1]!, hasHeaders, der: new Uint8Array(Buffer.from(body.join(""), "base64")), rest: text.slice(m.index + m[0].length) };
}

/** Why `request` is not a signed CERTIFICATE REQUEST, or undefined when it is one. */
export function csrProblem(request: Uint8Array): string | undefined {
  const block = decodePem(Buffer.from(request).toString("latin1"));
  if (!block || block.type !== "CERTIFICATE REQUEST") return "PEM block type must be CERTIFICATE REQUEST";
  try {
    parseCertificateRequest(toPem("CERTIFICATE REQUEST", block.der));
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** upstream's validateCertificate: empty, or one or more well-formed CERTIFICATE blocks and nothing else. */
export function certificateProblem(pem: Uint8Array): string | undefined {
  if (pem.length === 0) return undefined;
  let text = Buffer.from(pem).toString("latin1");
  let blocks = 0;
  for (let block = decodePem(text); block; block = decodePem(text)) {
    if (block.type !== "CERTIFICATE") return `only CERTIFICATE PEM blocks are allowed, found ${JSON.stringify(block.type)}`;
    if (block.hasHeaders) return "no PEM block headers are permitted";
    blocks++;
    try {
      new X509Certificate(block.der);
    } catch (err) {
      return `x509: malformed certificate: ${err instanceof Error ? err.message : String(err)}`;
    }
    text = block.rest;
  }
  return blocks === 0 ? "must contain at least one CERTIFICATE PEM block" : undefined;
}

/** Go's %#v of a byte slice, as upstream's field errors quote spec.request. */
export function goBytes(bytes: Uint8Array | undefined): string {
  if (bytes === undefined) return "[]byte(nil)";
  return `[]byte{${Array.from(bytes, (b) => `0x${b.toString(16)}`).join(", ")}}`;
}
