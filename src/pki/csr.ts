/**
 * PKCS#10 certificate signing requests (RFC 2986): parse one, check that its signature was made by
 * the key it carries, and sign that key into a certificate. Kubelets ask for their certificates so.
 */
import { createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { signatureAlgorithm } from "./certificate.ts";
import { DerError, TAG, bitStringBytes, bits, children, decodeOid, expect, readItem, seq, smallInt, tlv } from "./der.ts";
import { type CertificateAuthority, type IssuedCertificate, signLeaf } from "./ca.ts";
import { type AltNames, type Subject, emptyAltNames, encodeName, parseAltNames, parseName } from "./names.ts";
import { algorithmOid, parseExtensions } from "./parse.ts";
import { fromPem, toPem } from "./pem.ts";
import { type KeyUsage, resolveUsages } from "./usages.ts";

const EXTENSION_REQUEST = "1.2.840.113549.1.9.14";

/** Signature algorithms a request may use, and the digest each implies (null: Ed25519 hashes itself). */
const SIGNATURE_HASH: Record<string, string | null> = {
  "1.2.840.10045.4.3.2": "sha256",
  "1.2.840.10045.4.3.3": "sha384",
  "1.2.840.10045.4.3.4": "sha512",
  "1.2.840.113549.1.1.11": "sha256",
  "1.2.840.113549.1.1.12": "sha384",
  "1.2.840.113549.1.1.13": "sha512",
  "1.3.101.112": null,
};

export interface CertificateRequest {
  subject: Subject;
  /** The encoded subject Name, copied as is into the certificate. */
  subjectRaw: Uint8Array;
  publicKey: KeyObject;
  /** SANs asked for in the extensionRequest attribute. */
  altNames: AltNames;
}

export class InvalidRequestError extends Error {}

/** Parses a PEM CSR and verifies its self-signature; throws InvalidRequestError otherwise. */
export function parseCertificateRequest(pem: string): CertificateRequest {
  const block = fromPem(pem).find((b) => b.label === "CERTIFICATE REQUEST" || b.label === "NEW CERTIFICATE REQUEST");
  if (!block) throw new InvalidRequestError("no CERTIFICATE REQUEST PEM block found");
  try {
    return parseAndVerify(block.der);
  } catch (err) {
    if (err instanceof DerError) throw new InvalidRequestError(`malformed certificate request: ${err.message}`);
    throw err;
  }
}

function parseAndVerify(der: Uint8Array): CertificateRequest {
  const [infoItem, algItem, sigItem] = children(expect(readItem(der), TAG.SEQUENCE, "CertificationRequest").content);
  const info = expect(infoItem, TAG.SEQUENCE, "CertificationRequestInfo");
  const [version, subject, spki, attributes] = children(info.content);
  if (expect(version, TAG.INTEGER, "version").content[0] !== 0) throw new InvalidRequestError("unsupported certificate request version");
  const spkiDer = expect(spki, TAG.SEQUENCE, "SubjectPublicKeyInfo").raw;
  const publicKey = publicKeyFrom(spkiDer);
  const alg = algorithmOid(algItem);
  const hash = SIGNATURE_HASH[alg];
  if (hash === undefined) throw new InvalidRequestError(`unsupported signature algorithm ${alg}`);
  const signature = bitStringBytes(expect(sigItem, TAG.BIT_STRING, "signature"));
  if (!safeVerify(hash, info.raw, publicKey, signature)) throw new InvalidRequestError("certificate request signature is invalid");
  return {
    subject: parseName(expect(subject, TAG.SEQUENCE, "subject").raw),
    subjectRaw: subject!.raw,
    publicKey,
    altNames: attributes?.tag === 0xa0 ? requestedAltNames(attributes.content) : emptyAltNames(),
  };
}

function publicKeyFrom(spki: Uint8Array): KeyObject {
  try {
    return createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" });
  } catch {
    throw new InvalidRequestError("unsupported or malformed public key");
  }
}

/** A mismatched key type makes node:crypto throw rather than answer false; both mean "not signed by this key". */
function safeVerify(hash: string | null, data: Uint8Array, key: KeyObject, signature: Uint8Array): boolean {
  try {
    return verify(hash, data, key, signature);
  } catch {
    return false;
  }
}

function requestedAltNames(attributes: Uint8Array): AltNames {
  for (const attr of children(attributes)) {
    const [type, values] = children(expect(attr, TAG.SEQUENCE, "attribute").content);
    if (decodeOid(expect(type, TAG.OID, "attribute type").content) !== EXTENSION_REQUEST) continue;
    const exts = expect(children(expect(values, TAG.SET, "attribute values").content)[0], TAG.SEQUENCE, "extensions");
    const san = parseExtensions(exts.content).get("2.5.29.17");
    return san ? parseAltNames(san.value) : emptyAltNames();
  }
  return emptyAltNames();
}

export interface SignRequestOptions {
  /** certificates.k8s.io usages, e.g. ["digital signature", "key encipherment", "client auth"]. */
  usages: KeyUsage[];
  days?: number;
  now?: Date;
}

/**
 * Issues a certificate for the request's key with its subject and SANs, and exactly the usages
 * asked for (as the Kubernetes CSR signer does: the approver, not the signer, judges the request).
 */
export function signCertificateRequest(ca: CertificateAuthority, csrPem: string, opts: SignRequestOptions): Omit<IssuedCertificate, "keyPem"> {
  const req = parseCertificateRequest(csrPem);
  const { keyUsage, extKeyUsage } = resolveUsages(opts.usages);
  return signLeaf(ca, { subject: req.subjectRaw, publicKey: req.publicKey, keyUsage, extKeyUsage, altNames: req.altNames, days: opts.days ?? 365, now: opts.now });
}

/**
 * A PEM request for `key`'s public key with the given subject and no attributes (what a kubelet
 * sends for its client certificate: the signer adds the usages the API object asks for).
 */
export function createCertificateRequest(key: KeyObject, subject: Subject): string {
  const alg = signatureAlgorithm(key);
  const spki = new Uint8Array(createPublicKey(key).export({ type: "spki", format: "der" }));
  // attributes [0] IMPLICIT SET OF Attribute, empty.
  const info = seq(smallInt(0), encodeName(subject), spki, tlv(0xa0, new Uint8Array()));
  const signature = new Uint8Array(sign(alg.hash, info, key));
  return toPem("CERTIFICATE REQUEST", seq(info, alg.identifier, bits(signature)));
}
