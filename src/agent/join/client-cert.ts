/**
 * What the agent's client certificates have in common (the node's, kube-proxy's): a key and
 * certificate kept in the data dir and reused while they are for the expected subject, match
 * each other, are far from expiry and the server still accepts them; otherwise a fresh key goes
 * to the server as a CertificateSigningRequest and the agent waits for the signed certificate.
 */
import { X509Certificate, createPrivateKey } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { Logger } from "../../log/index.ts";
import type { Csr } from "../../apiserver/resources/certificates/types.ts";
import { ApiError } from "../../apiserver/api/errors.ts";
import { HttpClient } from "../../client/http/index.ts";
import { createCertificateRequest, fromPem, generateKey, parseCertificate, privateKeyPem } from "../../pki/index.ts";
import { JoinError, UnreachableError } from "./errors.ts";
import { writeAtomic } from "./files.ts";

export const CSRS = { group: "certificates.k8s.io", version: "v1", resource: "certificatesigningrequests" };
/** Certificates this close to expiry are replaced at start (k3s renews within 90 days of a one-year life). */
const RENEW_WITHIN_MS = 90 * 86_400_000;

export interface ClientCredentials {
  caPem: string;
  certPem: string;
  keyPem: string;
  /** Hex serial of the certificate (tests compare it across restarts). */
  serial: string;
  notAfter: Date;
  /** True when this start obtained a new certificate. */
  issued: boolean;
}

export interface CertFiles {
  cert: string;
  key: string;
}

export interface Subject {
  commonName: string;
  organizations: string[];
}

/** DER of the first CERTIFICATE block. */
function firstPemBlock(pem: string): Uint8Array {
  const block = fromPem(pem).find((b) => b.label === "CERTIFICATE");
  if (!block) throw new Error("no CERTIFICATE PEM block");
  return block.der;
}

const sameSubject = (a: Subject, b: Subject) => a.commonName === b.commonName && a.organizations.length === b.organizations.length && a.organizations.every((o, i) => o === b.organizations[i]);

/** The stored credentials if they are for `subject`, match their key and are not near expiry; `what` names them in logs. */
export function loadStoredCredentials(files: CertFiles, subject: Subject, caPem: string, what: string, log: Logger): ClientCredentials | undefined {
  if (!existsSync(files.cert) || !existsSync(files.key)) return undefined;
  try {
    const certPem = readFileSync(files.cert, "utf8");
    const keyPem = readFileSync(files.key, "utf8");
    const x509 = new X509Certificate(certPem);
    const cert = parseCertificate(firstPemBlock(certPem));
    if (!x509.checkPrivateKey(createPrivateKey(keyPem))) return void log.warn(`stored ${what} certificate does not match its key; requesting a new one`);
    if (!sameSubject(cert.subject, subject)) return void log.info(`stored ${what} certificate is for another subject; requesting a new one`, { cn: cert.subject.commonName, o: cert.subject.organizations });
    if (cert.notAfter.getTime() - Date.now() < RENEW_WITHIN_MS) return void log.info(`stored ${what} certificate is near expiry; requesting a new one`, { notAfter: cert.notAfter.toISOString() });
    return { caPem, certPem, keyPem, serial: x509.serialNumber, notAfter: cert.notAfter, issued: false };
  } catch (err) {
    log.warn(`cannot read the stored ${what} certificate; requesting a new one`, { err });
    return undefined;
  }
}

/** Whether the server still takes the certificate (a re-installed server has a new client CA). */
export async function acceptedByServer(serverUrl: string, creds: ClientCredentials): Promise<boolean> {
  const client = new HttpClient({ server: serverUrl, caPem: creds.caPem, certPem: creds.certPem, keyPem: creds.keyPem });
  try {
    await client.send("GET", "/api");
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.code === 401) return false;
    if (err instanceof ApiError && err.code < 500 && err.code !== 429) throw err;
    throw new UnreachableError(`cannot reach ${serverUrl}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export interface RequestOptions {
  /** Sends the request: authenticated as whoever asks for the certificate. */
  client: HttpClient;
  caPem: string;
  subject: Subject;
  signerName: string;
  usages: string[];
  generateName: string;
  files: CertFiles;
  /** Names the certificate in logs and errors ("node", "kube-proxy"). */
  what: string;
  /** Turns a failed API call into a JoinError (final) or an UnreachableError (retry). */
  explain(err: unknown): Error;
  log: Logger;
  /** How long to wait for the request to be approved and signed (default 15 minutes). */
  approvalTimeoutMs?: number;
  signal?: AbortSignal;
}

/** A fresh key, the CSR object, wait for approval and signature, store key and certificate. */
export async function requestCredentials(opts: RequestOptions): Promise<ClientCredentials> {
  const key = generateKey();
  const keyPem = privateKeyPem(key);
  const request = createCertificateRequest(key, opts.subject);
  const csr: KubeObject = {
    apiVersion: "certificates.k8s.io/v1",
    kind: "CertificateSigningRequest",
    metadata: { generateName: opts.generateName },
    spec: { request: Buffer.from(request).toString("base64"), signerName: opts.signerName, usages: opts.usages },
  };
  let created: KubeObject;
  try {
    created = await opts.client.create(CSRS, "", csr);
  } catch (err) {
    throw opts.explain(err);
  }
  const name = created.metadata?.name ?? "";
  opts.log.info(`requested a ${opts.what} certificate; waiting for it to be approved and signed`, { cn: opts.subject.commonName, csr: name });
  const certPem = await waitForCertificate(name, opts);
  const x509 = new X509Certificate(certPem);
  if (!x509.checkPrivateKey(key)) throw new JoinError(`the certificate issued for ${name} is not for the key the agent sent`);
  writeAtomic(opts.files.key, keyPem, 0o600);
  writeAtomic(opts.files.cert, certPem, 0o644);
  const cert = parseCertificate(firstPemBlock(certPem));
  opts.log.info(`obtained the ${opts.what} certificate`, { cn: opts.subject.commonName, csr: name, serial: x509.serialNumber, notAfter: cert.notAfter.toISOString() });
  return { caPem: opts.caPem, certPem, keyPem, serial: x509.serialNumber, notAfter: cert.notAfter, issued: true };
}

async function waitForCertificate(name: string, opts: RequestOptions): Promise<string> {
  const deadline = Date.now() + (opts.approvalTimeoutMs ?? 15 * 60_000);
  let nextReminder = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (opts.signal?.aborted) throw new JoinError(`stopped while waiting for the ${opts.what} certificate`);
    let csr: Csr | undefined;
    try {
      csr = (await opts.client.get(CSRS, "", name)) as unknown as Csr;
    } catch (err) {
      const e = opts.explain(err);
      if (!(e instanceof UnreachableError)) throw e;
    }
    const conditions = csr?.status?.conditions ?? [];
    const final = conditions.find((c) => c.type === "Denied" || c.type === "Failed");
    if (final) throw new JoinError(`the ${opts.what} certificate request ${name} was ${final.type === "Denied" ? "denied" : "not signed"}: ${final.reason ?? ""} ${final.message ?? ""}`.trim());
    if (csr?.status?.certificate) return Buffer.from(csr.status.certificate, "base64").toString("utf8");
    if (Date.now() > nextReminder) {
      opts.log.info(`still waiting for the ${opts.what} certificate request to be approved (kubectl certificate approve)`, { csr: name });
      nextReminder = Date.now() + 30_000;
    }
    await Bun.sleep(200);
  }
  throw new JoinError(`the ${opts.what} certificate request ${name} was not approved and signed in time`);
}

/** The server is there but cannot answer now (starting, overloaded): like an unreachable one, retry. */
export function retryable(err: unknown, serverUrl: string): Error {
  if (err instanceof ApiError && (err.code >= 500 || err.code === 429)) return new UnreachableError(`${serverUrl} answered ${err.code}: ${err.message}`);
  if (err instanceof ApiError) return err;
  return new UnreachableError(`cannot reach ${serverUrl}: ${err instanceof Error ? err.message : String(err)}`);
}
