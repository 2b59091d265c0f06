/**
 * Certificate authorities and the leaf certificates they issue: what k3s's certutil does with
 * ECDSA P-256 keys. CAs sign with their own key; leaves chain to exactly one CA.
 */
import { X509Certificate, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { type CertificateTemplate, buildCertificate } from "./certificate.ts";
import { type AltNames, emptyAltNames, encodeName } from "./names.ts";
import { type ParsedCertificate, parseCertificate } from "./parse.ts";
import { firstPem, toPem } from "./pem.ts";
import { EKU, KU } from "./usages.ts";

const DAY_MS = 86_400_000;
/** Leaves start a little in the past so a peer whose clock lags still accepts them. */
const BACKDATE_MS = 5 * 60_000;

export const CA_DAYS = 3650;
export const LEAF_DAYS = 365;

export interface CertificateAuthority {
  /** The CA certificate alone. */
  certPem: string;
  keyPem: string;
  key: KeyObject;
  cert: ParsedCertificate;
}

export interface IssuedCertificate {
  /** The leaf certificate alone. */
  certPem: string;
  /** The leaf followed by its CA: what k3s writes to disk and serves. */
  chainPem: string;
  keyPem: string;
  cert: ParsedCertificate;
}

/** A fresh ECDSA P-256 key (k3s's choice; about a millisecond). */
export function generateKey(): KeyObject {
  return generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
}

/** PEM of a private key: SEC1 "EC PRIVATE KEY" for EC keys as Go writes them, PKCS#8 otherwise. */
export function privateKeyPem(key: KeyObject): string {
  const type = key.asymmetricKeyType === "ec" ? "sec1" : "pkcs8";
  return key.export({ type, format: "pem" }).toString();
}

/** A self-signed CA named `commonName`, valid for `days` (default 10 years). */
export function createCertificateAuthority(commonName: string, opts: { days?: number; key?: KeyObject; now?: Date } = {}): CertificateAuthority {
  const key = opts.key ?? generateKey();
  const now = (opts.now ?? new Date()).getTime();
  const name = encodeName({ commonName, organizations: [] });
  const der = buildCertificate(
    {
      subject: name,
      issuer: name,
      notBefore: new Date(now - BACKDATE_MS),
      notAfter: new Date(now + (opts.days ?? CA_DAYS) * DAY_MS),
      publicKey: createPublicKey(key),
      isCA: true,
      keyUsage: [KU.digitalSignature, KU.keyEncipherment, KU.keyCertSign],
      extKeyUsage: [],
    },
    key,
  );
  return { certPem: toPem("CERTIFICATE", der), keyPem: privateKeyPem(key), key, cert: parseCertificate(der) };
}

/** A CA from PEM files; checks that the key belongs to the certificate and that it is a CA. */
export function loadCertificateAuthority(certPem: string, keyPem: string): CertificateAuthority {
  const der = firstPem(certPem, "CERTIFICATE");
  const key = createPrivateKey(keyPem);
  const x509 = new X509Certificate(Buffer.from(der));
  if (!x509.checkPrivateKey(key)) throw new Error("CA private key does not match the CA certificate");
  const cert = parseCertificate(der);
  if (!cert.isCA) throw new Error(`certificate "${cert.subject.commonName}" is not a CA`);
  return { certPem: toPem("CERTIFICATE", der), keyPem, key, cert };
}

export interface LeafOptions {
  days?: number;
  /** Reuse this key instead of generating one (renewals keep their key, as k3s does). */
  key?: KeyObject;
  now?: Date;
}

/** A client certificate (clientAuth): CN is the user name, each O a group. */
export function issueClientCertificate(ca: CertificateAuthority, opts: LeafOptions & { commonName: string; organizations?: string[] }): IssuedCertificate {
  return issueLeaf(ca, { commonName: opts.commonName, organizations: opts.organizations ?? [] }, [EKU.clientAuth], emptyAltNames(), opts);
}

/** A TLS serving certificate (serverAuth) for the given DNS names and IPs. */
export function issueServingCertificate(
  ca: CertificateAuthority,
  opts: LeafOptions & { commonName: string; dnsNames: string[]; ipAddresses: string[] },
): IssuedCertificate {
  const names = { ...emptyAltNames(), dnsNames: opts.dnsNames, ipAddresses: opts.ipAddresses };
  return issueLeaf(ca, { commonName: opts.commonName, organizations: [] }, [EKU.serverAuth], names, opts);
}

function issueLeaf(ca: CertificateAuthority, subject: { commonName: string; organizations: string[] }, eku: string[], altNames: AltNames, opts: LeafOptions): IssuedCertificate {
  const key = opts.key ?? generateKey();
  const cert = signLeaf(ca, {
    subject: encodeName(subject),
    publicKey: createPublicKey(key),
    keyUsage: [KU.digitalSignature, KU.keyEncipherment],
    extKeyUsage: eku,
    altNames,
    days: opts.days ?? LEAF_DAYS,
    now: opts.now,
  });
  return { ...cert, keyPem: privateKeyPem(key) };
}

type LeafFields = Pick<CertificateTemplate, "subject" | "publicKey" | "keyUsage" | "extKeyUsage" | "altNames"> & { days: number; now?: Date };

/** Signs a non-CA certificate; its validity never outlasts the CA's. */
export function signLeaf(ca: CertificateAuthority, f: LeafFields): Omit<IssuedCertificate, "keyPem"> {
  const now = (f.now ?? new Date()).getTime();
  const notBefore = Math.max(now - BACKDATE_MS, ca.cert.notBefore.getTime());
  const notAfter = Math.min(now + f.days * DAY_MS, ca.cert.notAfter.getTime());
  const der = buildCertificate(
    { ...f, issuer: ca.cert.subjectRaw, notBefore: new Date(notBefore), notAfter: new Date(notAfter), isCA: false, authorityKeyId: ca.cert.subjectKeyId },
    ca.key,
  );
  const certPem = toPem("CERTIFICATE", der);
  return { certPem, chainPem: certPem + ca.certPem, cert: parseCertificate(der) };
}
