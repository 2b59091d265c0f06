/**
 * Reads the parts of X.509 certificates kts decides on (subject, validity, SANs, key identifiers,
 * CA flag) and the extension list that certificates and PKCS#10 requests share.
 */
import { DerError, TAG, bitStringBytes, children, decodeOid, decodeTime, expect, readItem, type Item } from "./der.ts";
import { type AltNames, type Subject, emptyAltNames, parseAltNames, parseName } from "./names.ts";

export interface ParsedCertificate {
  der: Uint8Array;
  /** The signed part, and the signature over it. */
  tbs: Uint8Array;
  signatureAlgorithm: string;
  signature: Uint8Array;
  /** Encoded Names, byte for byte as in the certificate. */
  subjectRaw: Uint8Array;
  issuerRaw: Uint8Array;
  subject: Subject;
  notBefore: Date;
  notAfter: Date;
  /** DER SubjectPublicKeyInfo. */
  spki: Uint8Array;
  isCA: boolean;
  altNames: AltNames;
  extKeyUsage: string[];
  subjectKeyId?: Uint8Array;
  authorityKeyId?: Uint8Array;
}

export interface Extension {
  critical: boolean;
  /** The extnValue OCTET STRING's content (itself DER). */
  value: Uint8Array;
}

/** Extensions by OID from a SEQUENCE OF Extension's content. */
export function parseExtensions(content: Uint8Array): Map<string, Extension> {
  const out = new Map<string, Extension>();
  for (const ext of children(content)) {
    const parts = children(expect(ext, TAG.SEQUENCE, "extension").content);
    const id = decodeOid(expect(parts[0], TAG.OID, "extension id").content);
    const critical = parts.length === 3 && parts[1]!.tag === TAG.BOOLEAN && parts[1]!.content[0] !== 0;
    const value = expect(parts[parts.length - 1], TAG.OCTET_STRING, "extension value").content;
    out.set(id, { critical, value });
  }
  return out;
}

/** Parses a DER certificate; throws DerError when it is not one. */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  const [tbsItem, algItem, sigItem] = children(expect(readItem(der), TAG.SEQUENCE, "certificate").content);
  const tbs = expect(tbsItem, TAG.SEQUENCE, "TBSCertificate");
  const fields = children(tbs.content);
  if (fields[0]?.tag === 0xa0) fields.shift(); // explicit version
  const [, , issuer, validity, subject, spki, ...optional] = fields;
  const [notBefore, notAfter] = children(expect(validity, TAG.SEQUENCE, "validity").content);
  if (!notBefore || !notAfter || !issuer || !subject) throw new DerError("malformed TBSCertificate");
  const extsItem = optional.find((i) => i.tag === 0xa3);
  const exts = extsItem ? parseExtensions(expect(children(extsItem.content)[0], TAG.SEQUENCE, "extensions").content) : new Map<string, Extension>();
  return {
    der,
    tbs: tbs.raw,
    signatureAlgorithm: algorithmOid(algItem),
    signature: bitStringBytes(expect(sigItem, TAG.BIT_STRING, "signature")),
    subjectRaw: subject.raw,
    issuerRaw: issuer.raw,
    subject: parseName(subject.raw),
    notBefore: decodeTime(notBefore),
    notAfter: decodeTime(notAfter),
    spki: expect(spki, TAG.SEQUENCE, "SubjectPublicKeyInfo").raw,
    ...extensionFields(exts),
  };
}

/** The OID of an AlgorithmIdentifier. */
export function algorithmOid(item: Item | undefined): string {
  const alg = expect(item, TAG.SEQUENCE, "AlgorithmIdentifier");
  return decodeOid(expect(children(alg.content)[0], TAG.OID, "algorithm").content);
}

function extensionFields(exts: Map<string, Extension>) {
  const get = (id: string) => exts.get(id)?.value;
  const basic = get("2.5.29.19");
  const basicFields = basic ? children(expect(readItem(basic), TAG.SEQUENCE, "basicConstraints").content) : [];
  const san = get("2.5.29.17");
  const eku = get("2.5.29.37");
  const ski = get("2.5.29.14");
  const aki = get("2.5.29.35");
  const akiKeyId = aki ? children(expect(readItem(aki), TAG.SEQUENCE, "authorityKeyIdentifier").content).find((i) => i.tag === 0x80) : undefined;
  return {
    isCA: basicFields[0]?.tag === TAG.BOOLEAN && basicFields[0].content[0] !== 0,
    altNames: san ? parseAltNames(san) : emptyAltNames(),
    extKeyUsage: eku ? children(readItem(eku).content).map((i) => decodeOid(i.content)) : [],
    subjectKeyId: ski ? expect(readItem(ski), TAG.OCTET_STRING, "subjectKeyIdentifier").content : undefined,
    authorityKeyId: akiKeyId?.content,
  };
}
