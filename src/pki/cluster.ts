/**
 * The cluster's certificates under one folder (kts uses <data-dir>/server/tls, as k3s does): two
 * CAs (server and client, kept apart like k3s), the API server's serving certificate and the admin
 * client certificate. First start generates them; later starts reuse them, and re-issue a leaf that
 * is near expiry, lost a wanted SAN, or no longer chains to its CA. CAs are never replaced here.
 */
import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { isIP } from "node:net";
import { join } from "node:path";
import type { Logger } from "../log/index.ts";
import { type CertificateAuthority, type IssuedCertificate, createCertificateAuthority, issueClientCertificate, issueServingCertificate, loadCertificateAuthority } from "./ca.ts";
import { canonicalIp } from "./ip.ts";
import { type ParsedCertificate, parseCertificate } from "./parse.ts";
import { firstPem, toPem } from "./pem.ts";

/** k3s renews leaves at start when they expire within this many days (CertificateRenewDays). */
export const RENEW_WITHIN_DAYS = 90;

export interface ClusterPkiOptions {
  /** The folder holding the files (created 0700 when missing). */
  dir: string;
  /** More SANs for the serving certificate: DNS names or IPs (e.g. the service CIDR's first IP, --tls-san). */
  sans?: string[];
  /** Defaults to the machine's host name. */
  hostname?: string;
  clusterDomain?: string;
  now?: Date;
  log?: Logger;
}

export interface ClusterPkiFiles {
  serverCaCert: string;
  serverCaKey: string;
  clientCaCert: string;
  clientCaKey: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
}

export interface ClusterPki {
  serverCa: CertificateAuthority;
  clientCa: CertificateAuthority;
  /** The API server's serving certificate (chainPem is what the TLS listener presents). */
  serving: IssuedCertificate;
  /** CN=system:admin, O=system:masters: the admin kubeconfig's identity. */
  admin: IssuedCertificate;
  files: ClusterPkiFiles;
  /** The files this call (re)wrote; empty when everything was reused. */
  written: string[];
}

/** k3s's file names under server/tls. */
export function clusterPkiFiles(dir: string): ClusterPkiFiles {
  return {
    serverCaCert: join(dir, "server-ca.crt"),
    serverCaKey: join(dir, "server-ca.key"),
    clientCaCert: join(dir, "client-ca.crt"),
    clientCaKey: join(dir, "client-ca.key"),
    servingCert: join(dir, "serving-kube-apiserver.crt"),
    servingKey: join(dir, "serving-kube-apiserver.key"),
    adminCert: join(dir, "client-admin.crt"),
    adminKey: join(dir, "client-admin.key"),
  };
}

/** The serving certificate's SANs: loopback, the in-cluster service names, the host and any extras. */
export function servingSans(opts: Pick<ClusterPkiOptions, "sans" | "hostname" | "clusterDomain">): { dnsNames: string[]; ipAddresses: string[] } {
  const domain = opts.clusterDomain ?? "cluster.local";
  const names = ["localhost", "127.0.0.1", "::1", "kubernetes", "kubernetes.default", "kubernetes.default.svc", `kubernetes.default.svc.${domain}`];
  names.push((opts.hostname ?? hostname()).toLowerCase(), ...(opts.sans ?? []));
  const dns = new Set<string>();
  const ips = new Set<string>();
  for (const n of names.map((s) => s.trim()).filter(Boolean)) {
    if (isIP(n)) ips.add(canonicalIp(n));
    else dns.add(n.toLowerCase());
  }
  return { dnsNames: [...dns], ipAddresses: [...ips] };
}

/** Generates or reuses the cluster PKI in `opts.dir`. Synchronous: it runs once, before listeners start. */
export function ensureClusterPki(opts: ClusterPkiOptions): ClusterPki {
  mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  const files = clusterPkiFiles(opts.dir);
  const now = opts.now ?? new Date();
  const written: string[] = [];
  const ctx = { now, written, log: opts.log };
  const unix = Math.floor(now.getTime() / 1000);
  const serverCa = ensureCa(files.serverCaCert, files.serverCaKey, `kts-server-ca@${unix}`, ctx);
  const clientCa = ensureCa(files.clientCaCert, files.clientCaKey, `kts-client-ca@${unix}`, ctx);
  const sans = servingSans(opts);
  const serving = ensureLeaf(files.servingCert, files.servingKey, serverCa, ctx, {
    commonName: "kube-apiserver",
    organizations: [],
    ...sans,
    issue: (key) => issueServingCertificate(serverCa, { commonName: "kube-apiserver", ...sans, key, now }),
  });
  const admin = ensureLeaf(files.adminCert, files.adminKey, clientCa, ctx, {
    commonName: "system:admin",
    organizations: ["system:masters"],
    dnsNames: [],
    ipAddresses: [],
    issue: (key) => issueClientCertificate(clientCa, { commonName: "system:admin", organizations: ["system:masters"], key, now }),
  });
  return { serverCa, clientCa, serving, admin, files, written };
}

interface EnsureContext {
  now: Date;
  written: string[];
  log?: Logger;
}

function ensureCa(certFile: string, keyFile: string, commonName: string, ctx: EnsureContext): CertificateAuthority {
  const haveCert = existsSync(certFile);
  const haveKey = existsSync(keyFile);
  if (haveCert && haveKey) return loadCertificateAuthority(readFileSync(certFile, "utf8"), readFileSync(keyFile, "utf8"));
  // Replacing half a CA would silently invalidate every credential it issued: refuse instead.
  if (haveCert || haveKey) throw new Error(`incomplete CA: ${haveCert ? keyFile : certFile} is missing`);
  const ca = createCertificateAuthority(commonName, { now: ctx.now });
  writeKey(keyFile, ca.keyPem, ctx);
  writeCert(certFile, ca.certPem, ctx);
  ctx.log?.info("generated CA", { cn: commonName, file: certFile });
  return ca;
}

interface WantedLeaf {
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ipAddresses: string[];
  issue(key: KeyObject | undefined): IssuedCertificate;
}

function ensureLeaf(certFile: string, keyFile: string, ca: CertificateAuthority, ctx: EnsureContext, want: WantedLeaf): IssuedCertificate {
  const existing = readLeaf(certFile, keyFile);
  const why = existing ? reissueReason(existing, ca, want, ctx.now) : "missing";
  if (existing && !why) return existing.issued;
  const issued = want.issue(existing?.key);
  writeKey(keyFile, issued.keyPem, ctx);
  writeCert(certFile, issued.chainPem, ctx);
  ctx.log?.info("issued certificate", { cn: want.commonName, file: certFile, reason: why });
  return issued;
}

interface ExistingLeaf {
  issued: IssuedCertificate;
  key: KeyObject;
}

/** The leaf on disk, or undefined when either file is missing or unreadable (then it is simply re-issued). */
function readLeaf(certFile: string, keyFile: string): ExistingLeaf | undefined {
  if (!existsSync(certFile) || !existsSync(keyFile)) return undefined;
  try {
    const chainPem = readFileSync(certFile, "utf8");
    const keyPem = readFileSync(keyFile, "utf8");
    const der = firstPem(chainPem, "CERTIFICATE");
    const key = createPrivateKey(keyPem);
    if (!new X509Certificate(Buffer.from(der)).checkPrivateKey(key)) return undefined;
    return { issued: { certPem: toPem("CERTIFICATE", der), chainPem, keyPem, cert: parseCertificate(der) }, key };
  } catch {
    return undefined;
  }
}

/** Why a leaf must be re-issued, or undefined when it is still good (k3s's expired/fieldsChanged). */
function reissueReason(existing: ExistingLeaf, ca: CertificateAuthority, want: Omit<WantedLeaf, "issue">, now: Date): string | undefined {
  const cert: ParsedCertificate = existing.issued.cert;
  if (cert.notAfter.getTime() - now.getTime() < RENEW_WITHIN_DAYS * 86_400_000) return "expiring";
  if (cert.subject.commonName !== want.commonName) return "subject changed";
  if (!sameSet(cert.subject.organizations, want.organizations)) return "organizations changed";
  if (!want.dnsNames.every((n) => cert.altNames.dnsNames.includes(n))) return "DNS SANs changed";
  if (!want.ipAddresses.every((ip) => cert.altNames.ipAddresses.includes(ip))) return "IP SANs changed";
  if (!signedBy(cert, ca)) return "CA changed";
  return undefined;
}

function signedBy(cert: ParsedCertificate, ca: CertificateAuthority): boolean {
  try {
    return new X509Certificate(Buffer.from(cert.der)).verify(createPublicKey(ca.key));
  } catch {
    return false;
  }
}

function sameSet(a: string[], b: string[]): boolean {
  const sa = new Set(a);
  return sa.size === new Set(b).size && b.every((x) => sa.has(x));
}

/** Writes through a temporary file and a rename, so a crash never leaves half a key. */
function atomicWrite(file: string, data: string, mode: number): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, data, { mode });
  chmodSync(tmp, mode); // a leftover temporary file keeps its old mode otherwise
  renameSync(tmp, file);
}

function writeKey(file: string, pem: string, ctx: EnsureContext): void {
  atomicWrite(file, pem, 0o600);
  ctx.written.push(file);
}

function writeCert(file: string, pem: string, ctx: EnsureContext): void {
  atomicWrite(file, pem, 0o644);
  ctx.written.push(file);
}
