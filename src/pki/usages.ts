/**
 * The key usage strings of the certificates.k8s.io API (CertificateSigningRequest spec.usages) and
 * what each means in a certificate: a KeyUsage bit or an ExtendedKeyUsage OID.
 */

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

/** The usages that are KeyUsage bits. */
const KEY_USAGE_BITS = {
  signing: KU.digitalSignature,
  "digital signature": KU.digitalSignature,
  "content commitment": KU.contentCommitment,
  "key encipherment": KU.keyEncipherment,
  "key agreement": KU.keyAgreement,
  "data encipherment": KU.dataEncipherment,
  "cert sign": KU.keyCertSign,
  "crl sign": KU.cRLSign,
  "encipher only": KU.encipherOnly,
  "decipher only": KU.decipherOnly,
} as const;

/** The usages that are ExtendedKeyUsage OIDs. */
const EXT_KEY_USAGE_OIDS = {
  any: EKU.any,
  "server auth": EKU.serverAuth,
  "client auth": EKU.clientAuth,
  "code signing": EKU.codeSigning,
  "email protection": EKU.emailProtection,
  "s/mime": EKU.emailProtection,
  "ipsec end system": EKU.ipsecEndSystem,
  "ipsec tunnel": EKU.ipsecTunnel,
  "ipsec user": EKU.ipsecUser,
  timestamping: EKU.timeStamping,
  "ocsp signing": EKU.ocspSigning,
  "microsoft sgc": EKU.microsoftSgc,
  "netscape sgc": EKU.netscapeSgc,
} as const;

/** A usage string of CertificateSigningRequest spec.usages. */
export type KeyUsage = keyof typeof KEY_USAGE_BITS | keyof typeof EXT_KEY_USAGE_OIDS;

export function isKeyUsage(s: string): s is KeyUsage {
  return Object.hasOwn(KEY_USAGE_BITS, s) || Object.hasOwn(EXT_KEY_USAGE_OIDS, s);
}

/** Splits usage strings into KeyUsage bits and ExtendedKeyUsage OIDs (each once, in first-seen order). */
export function resolveUsages(usages: readonly KeyUsage[]): { keyUsage: number[]; extKeyUsage: string[] } {
  const keyUsage = new Set<number>();
  const extKeyUsage = new Set<string>();
  for (const u of usages) {
    if (Object.hasOwn(KEY_USAGE_BITS, u)) keyUsage.add(KEY_USAGE_BITS[u as keyof typeof KEY_USAGE_BITS]);
    else if (Object.hasOwn(EXT_KEY_USAGE_OIDS, u)) extKeyUsage.add(EXT_KEY_USAGE_OIDS[u as keyof typeof EXT_KEY_USAGE_OIDS]);
    else throw new Error(`unknown key usage "${u}"`);
  }
  return { keyUsage: [...keyUsage], extKeyUsage: [...extKeyUsage] };
}
