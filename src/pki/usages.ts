/**
 * The key usage strings of the certificates.k8s.io API (CertificateSigningRequest spec.usages) and
 * what each means in a certificate: a KeyUsage bit or an ExtendedKeyUsage OID.
 */

export type KeyUsage =
  | "signing"
  | "digital signature"
  | "content commitment"
  | "key encipherment"
  | "key agreement"
  | "data encipherment"
  | "cert sign"
  | "crl sign"
  | "encipher only"
  | "decipher only"
  | "any"
  | "server auth"
  | "client auth"
  | "code signing"
  | "email protection"
  | "s/mime"
  | "ipsec end system"
  | "ipsec tunnel"
  | "ipsec user"
  | "timestamping"
  | "ocsp signing"
  | "microsoft sgc"
  | "netscape sgc";

/** Bit positions in the KeyUsage BIT STRING (RFC 5280 4.2.1.3). */
export const KU = {
  digitalSignature: 0,
  contentCommitment: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
  encipherOnly: 7,
  decipherOnly: 8,
} as const;

export const EKU = {
  any: "2.5.29.37.0",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
  codeSigning: "1.3.6.1.5.5.7.3.3",
  emailProtection: "1.3.6.1.5.5.7.3.4",
  ipsecEndSystem: "1.3.6.1.5.5.7.3.5",
  ipsecTunnel: "1.3.6.1.5.5.7.3.6",
  ipsecUser: "1.3.6.1.5.5.7.3.7",
  timeStamping: "1.3.6.1.5.5.7.3.8",
  ocspSigning: "1.3.6.1.5.5.7.3.9",
  microsoftSgc: "1.3.6.1.4.1.311.10.3.3",
  netscapeSgc: "2.16.840.1.113730.4.1",
} as const;

const MEANING: Record<KeyUsage, { bit: number } | { oid: string }> = {
  signing: { bit: KU.digitalSignature },
  "digital signature": { bit: KU.digitalSignature },
  "content commitment": { bit: KU.contentCommitment },
  "key encipherment": { bit: KU.keyEncipherment },
  "key agreement": { bit: KU.keyAgreement },
  "data encipherment": { bit: KU.dataEncipherment },
  "cert sign": { bit: KU.keyCertSign },
  "crl sign": { bit: KU.cRLSign },
  "encipher only": { bit: KU.encipherOnly },
  "decipher only": { bit: KU.decipherOnly },
  any: { oid: EKU.any },
  "server auth": { oid: EKU.serverAuth },
  "client auth": { oid: EKU.clientAuth },
  "code signing": { oid: EKU.codeSigning },
  "email protection": { oid: EKU.emailProtection },
  "s/mime": { oid: EKU.emailProtection },
  "ipsec end system": { oid: EKU.ipsecEndSystem },
  "ipsec tunnel": { oid: EKU.ipsecTunnel },
  "ipsec user": { oid: EKU.ipsecUser },
  timestamping: { oid: EKU.timeStamping },
  "ocsp signing": { oid: EKU.ocspSigning },
  "microsoft sgc": { oid: EKU.microsoftSgc },
  "netscape sgc": { oid: EKU.netscapeSgc },
};

export function isKeyUsage(s: string): s is KeyUsage {
  return Object.hasOwn(MEANING, s);
}

/** Splits usage strings into KeyUsage bits and ExtendedKeyUsage OIDs (each once, in first-seen order). */
export function resolveUsages(usages: readonly KeyUsage[]): { keyUsage: number[]; extKeyUsage: string[] } {
  const keyUsage = new Set<number>();
  const extKeyUsage = new Set<string>();
  for (const u of usages) {
    const m = MEANING[u];
    if (!m) throw new Error(`unknown key usage "${u}"`);
    if ("bit" in m) keyUsage.add(m.bit);
    else extKeyUsage.add(m.oid);
  }
  return { keyUsage: [...keyUsage], extKeyUsage: [...extKeyUsage] };
}
