/**
 * What a TLS connection says about its client: the certificate it presented and whether that
 * certificate chains to the client CA. Names come from our own DER reader of the raw certificate,
 * so CN and O values are exactly what the certificate holds.
 */
import type { TLSSocket } from "node:tls";
import { parseCertificate } from "../../pki/index.ts";

export interface PeerCertificateIdentity {
  /** True when the chain verified against the client CA (and was in its validity period). */
  verified: boolean;
  /** OpenSSL's reason when it did not verify (e.g. UNABLE_TO_VERIFY_LEAF_SIGNATURE). */
  error?: string;
  commonName: string;
  organizations: string[];
  /** "SN=<hex serial>" for log lines, as upstream identifies certificates. */
  serial: string;
  notAfter: Date;
}

/** The client certificate of a finished handshake, or undefined when the client sent none. */
export function peerIdentity(socket: TLSSocket): PeerCertificateIdentity | undefined {
  const peer = socket.getPeerCertificate();
  if (!peer || !peer.raw || peer.raw.length === 0) return undefined;
  try {
    const cert = parseCertificate(new Uint8Array(peer.raw));
    return {
      verified: socket.authorized,
      error: socket.authorized ? undefined : String(socket.authorizationError ?? "certificate not verified"),
      commonName: cert.subject.commonName,
      organizations: cert.subject.organizations,
      serial: `SN=${peer.serialNumber}`,
      notAfter: cert.notAfter,
    };
  } catch {
    // OpenSSL accepted something our reader cannot: treat it as an unverifiable certificate.
    return { verified: false, error: "unparseable client certificate", commonName: "", organizations: [], serial: `SN=${peer.serialNumber}`, notAfter: new Date(0) };
  }
}
