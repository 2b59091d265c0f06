/**
 * Builds and signs X.509 v3 certificates (RFC 5280) from a template. Keys and signatures come from
 * node:crypto; this file only lays out the TBSCertificate and its extensions.
 */
import { createHash, randomBytes, sign, type KeyObject } from "node:crypto";
import { bitStringBytes, bits, boolean, children, explicit, implicitPrimitive, namedBits, nullValue, octets, oid, readItem, seq, smallInt, time, uint } from "./der.ts";
import { type AltNames, encodeAltNames } from "./names.ts";

const OID = {
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  authorityKeyIdentifier: "2.5.29.35",
  extKeyUsage: "2.5.29.37",
} as const;

export interface CertificateTemplate {
  /** Encoded Names (see encodeName, or a CA's subject bytes). */
  subject: Uint8Array;
  issuer: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  publicKey: KeyObject;
  isCA: boolean;
  /** KeyUsage bit positions (KU). */
  keyUsage: number[];
  /** ExtendedKeyUsage OIDs (EKU); none = no extension. */
  extKeyUsage: string[];
  altNames?: AltNames;
  /** The issuer's subjectKeyIdentifier; absent for self-signed roots. */
  authorityKeyId?: Uint8Array;
}

/** Signs `template` with `signer` (the issuer's private key) and returns the DER certificate. */
export function buildCertificate(template: CertificateTemplate, signer: KeyObject): Uint8Array {
  const alg = signatureAlgorithm(signer);
  const spki = new Uint8Array(template.publicKey.export({ type: "spki", format: "der" }));
  const tbs = seq(
    explicit(0, smallInt(2)), // v3
    uint(serialNumber()),
    alg.identifier,
    template.issuer,
    seq(time(template.notBefore), time(template.notAfter)),
    template.subject,
    spki,
    explicit(3, seq(...extensions(template, spki))),
  );
  const signature = new Uint8Array(sign(alg.hash, tbs, signer));
  return seq(tbs, alg.identifier, bits(signature));
}

function extensions(t: CertificateTemplate, spki: Uint8Array): Uint8Array[] {
  // Go's x509 leaves the extension out when no usage is set (a CSR asking only for "client auth"):
  // an empty critical KeyUsage would forbid every use, and TLS peers reject such certificates.
  const out = t.keyUsage.length > 0 ? [extension(OID.keyUsage, true, namedBits(t.keyUsage))] : [];
  if (t.extKeyUsage.length > 0) out.push(extension(OID.extKeyUsage, false, seq(...t.extKeyUsage.map(oid))));
  out.push(extension(OID.basicConstraints, true, t.isCA ? seq(boolean(true)) : seq()));
  out.push(extension(OID.subjectKeyIdentifier, false, octets(subjectKeyId(spki))));
  if (t.authorityKeyId) out.push(extension(OID.authorityKeyIdentifier, false, seq(implicitPrimitive(0, t.authorityKeyId))));
  const names = t.altNames;
  if (names && names.dnsNames.length + names.ipAddresses.length + names.uris.length + names.emailAddresses.length > 0) {
    // RFC 5280 4.2.1.6: critical when the subject is empty, so the names are all there is.
    const emptySubject = t.subject.length === 2;
    out.push(extension(OID.subjectAltName, emptySubject, encodeAltNames(names)));
  }
  return out;
}

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? seq(oid(id), boolean(true), octets(value)) : seq(oid(id), octets(value));
}

/** RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits. */
export function subjectKeyId(spki: Uint8Array): Uint8Array {
  const [, keyBits] = children(readItem(spki).content);
  if (!keyBits) throw new Error("malformed SubjectPublicKeyInfo");
  return new Uint8Array(createHash("sha1").update(bitStringBytes(keyBits)).digest());
}

/** 128 random bits, positive: unique enough that no two certificates from one CA share a serial. */
function serialNumber(): Uint8Array {
  const b = new Uint8Array(randomBytes(16));
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b;
}

interface SignatureAlgorithm {
  identifier: Uint8Array;
  /** Digest for node:crypto sign(); null for Ed25519. */
  hash: string | null;
}

/** The signature algorithm an issuer key implies: ECDSA or RSA PKCS#1 v1.5 with SHA-256/384, or Ed25519. */
export function signatureAlgorithm(key: KeyObject): SignatureAlgorithm {
  switch (key.asymmetricKeyType) {
    case "ec":
      return key.asymmetricKeyDetails?.namedCurve === "secp384r1"
        ? { identifier: seq(oid("1.2.840.10045.4.3.3")), hash: "sha384" }
        : { identifier: seq(oid("1.2.840.10045.4.3.2")), hash: "sha256" };
    case "rsa":
      return { identifier: seq(oid("1.2.840.113549.1.1.11"), nullValue()), hash: "sha256" };
    case "ed25519":
      return { identifier: seq(oid("1.3.101.112")), hash: null };
    default:
      throw new Error(`unsupported issuer key type ${key.asymmetricKeyType}`);
  }
}
