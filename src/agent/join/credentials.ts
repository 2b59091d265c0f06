/**
 * The node's client certificate (CN=system:node:<name>, O=system:nodes), obtained as a kubelet
 * bootstraps (TLS bootstrapping): a fresh key and a CSR, sent with the join token's bootstrap
 * identity as a CertificateSigningRequest for kubernetes.io/kube-apiserver-client-kubelet; the
 * server's approver and signer answer with the certificate. Key and certificate stay in the data
 * dir and are reused on the next start while the server accepts them and they are far from expiry.
 * A re-installed agent (empty data dir) simply asks again: nothing ties a name to an old key.
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
import { credentialFiles, writeAtomic } from "./files.ts";
import { isBootstrapToken, NODE_BOOTSTRAP_LOGIN, type JoinToken } from "./token.ts";

const CSRS = { group: "certificates.k8s.io", version: "v1", resource: "certificatesigningrequests" };
export const KUBELET_CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";
/** Certificates this close to expiry are replaced at start (k3s renews within 90 days of a one-year life). */
const RENEW_WITHIN_MS = 90 * 86_400_000;

export interface NodeCredentials {
  caPem: string;
  certPem: string;
  keyPem: string;
  /** Hex serial of the certificate (tests compare it across restarts). */
  serial: string;
  notAfter: Date;
  /** True when this start obtained a new certificate. */
  issued: boolean;
}

export interface CredentialOptions {
  serverUrl: string;
  caPem: string;
  token: JoinToken;
  nodeName: string;
  dataDir: string;
  log: Logger;
  /** How long to wait for the request to be approved and signed (default 15 minutes). */
  approvalTimeoutMs?: number;
  signal?: AbortSignal;
}

export const nodeUser = (nodeName: string) => `system:node:${nodeName}`;

/** DER of the first CERTIFICATE block. */
function firstPemBlock(pem: string): Uint8Array {
  const block = fromPem(pem).find((b) => b.label === "CERTIFICATE");
  if (!block) throw new Error("no CERTIFICATE PEM block");
  return block.der;
}

/** The stored credentials if they are for this node, match their key and are not near expiry. */
function loadStored(dataDir: string, nodeName: string, caPem: string, log: Logger): NodeCredentials | undefined {
  const files = credentialFiles(dataDir);
  if (!existsSync(files.cert) || !existsSync(files.key)) return undefined;
  try {
    const certPem = readFileSync(files.cert, "utf8");
    const keyPem = readFileSync(files.key, "utf8");
    const x509 = new X509Certificate(certPem);
    const cert = parseCertificate(firstPemBlock(certPem));
    if (!x509.checkPrivateKey(createPrivateKey(keyPem))) return void log.warn("stored node certificate does not match its key; requesting a new one");
    if (cert.subject.commonName !== nodeUser(nodeName)) return void log.info("stored node certificate is for another node name; requesting a new one", { cn: cert.subject.commonName });
    if (cert.notAfter.getTime() - Date.now() < RENEW_WITHIN_MS) return void log.info("stored node certificate is near expiry; requesting a new one", { notAfter: cert.notAfter.toISOString() });
    return { caPem, certPem, keyPem, serial: x509.serialNumber, notAfter: cert.notAfter, issued: false };
  } catch (err) {
    log.warn("cannot read the stored node certificate; requesting a new one", { err });
    return undefined;
  }
}

/** Whether the server still takes the certificate (a re-installed server has a new client CA). */
async function accepted(serverUrl: string, creds: NodeCredentials): Promise<boolean> {
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

export async function ensureNodeCredentials(opts: CredentialOptions): Promise<NodeCredentials> {
  const stored = loadStored(opts.dataDir, opts.nodeName, opts.caPem, opts.log);
  if (stored) {
    if (await accepted(opts.serverUrl, stored)) {
      opts.log.info("using the stored node certificate", { node: opts.nodeName, serial: stored.serial, notAfter: stored.notAfter.toISOString() });
      return stored;
    }
    opts.log.warn("the server does not accept the stored node certificate; joining again with the token", { node: opts.nodeName });
  }
  return requestCredentials(opts);
}

/** TLS bootstrapping: key, CSR object, wait for approval and signature, store. */
async function requestCredentials(opts: CredentialOptions): Promise<NodeCredentials> {
  const key = generateKey();
  const keyPem = privateKeyPem(key);
  const request = createCertificateRequest(key, { commonName: nodeUser(opts.nodeName), organizations: ["system:nodes"] });
  // A bootstrap token is a bearer token (system:bootstrap:<id>); the server token's secret is k3s's basic-auth "node" login.
  const auth = isBootstrapToken(opts.token) ? { bearerToken: opts.token.secret } : { basic: { username: NODE_BOOTSTRAP_LOGIN, password: opts.token.secret } };
  const client = new HttpClient({ server: opts.serverUrl, caPem: opts.caPem, ...auth });
  const csr: KubeObject = {
    apiVersion: "certificates.k8s.io/v1",
    kind: "CertificateSigningRequest",
    metadata: { generateName: "node-csr-" },
    spec: { request: Buffer.from(request).toString("base64"), signerName: KUBELET_CLIENT_SIGNER, usages: ["digital signature", "client auth"] },
  };
  let created: KubeObject;
  try {
    created = await client.create(CSRS, "", csr);
  } catch (err) {
    throw explain(err, opts.serverUrl);
  }
  const name = created.metadata?.name ?? "";
  opts.log.info("requested a node certificate; waiting for it to be approved and signed", { node: opts.nodeName, csr: name });
  const certPem = await waitForCertificate(client, name, opts);
  const x509 = new X509Certificate(certPem);
  if (!x509.checkPrivateKey(key)) throw new JoinError(`the certificate issued for ${name} is not for the key the agent sent`);
  const files = credentialFiles(opts.dataDir);
  writeAtomic(files.key, keyPem, 0o600);
  writeAtomic(files.cert, certPem, 0o644);
  const cert = parseCertificate(firstPemBlock(certPem));
  opts.log.info("obtained the node certificate", { node: opts.nodeName, csr: name, serial: x509.serialNumber, notAfter: cert.notAfter.toISOString() });
  return { caPem: opts.caPem, certPem, keyPem, serial: x509.serialNumber, notAfter: cert.notAfter, issued: true };
}

/** Authentication and authorization failures say what to check; connection failures are retryable. */
function explain(err: unknown, serverUrl: string): Error {
  if (err instanceof ApiError && err.code === 401) return new JoinError(`${serverUrl} rejected the join token (401 Unauthorized): check --token (kts token prints it on the server)`);
  if (err instanceof ApiError && err.code === 403) return new JoinError(`${serverUrl} does not let this token request node certificates (403 Forbidden): ${err.message}`);
  // The server is there but cannot answer now (starting, overloaded): like an unreachable one, retry.
  if (err instanceof ApiError && (err.code >= 500 || err.code === 429)) return new UnreachableError(`${serverUrl} answered ${err.code}: ${err.message}`);
  if (err instanceof ApiError) return err;
  return new UnreachableError(`cannot reach ${serverUrl}: ${err instanceof Error ? err.message : String(err)}`);
}

async function waitForCertificate(client: HttpClient, name: string, opts: CredentialOptions): Promise<string> {
  const deadline = Date.now() + (opts.approvalTimeoutMs ?? 15 * 60_000);
  let nextReminder = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (opts.signal?.aborted) throw new JoinError("stopped while waiting for the node certificate");
    let csr: Csr | undefined;
    try {
      csr = (await client.get(CSRS, "", name)) as unknown as Csr;
    } catch (err) {
      const e = explain(err, opts.serverUrl);
      if (!(e instanceof UnreachableError)) throw e;
    }
    const conditions = csr?.status?.conditions ?? [];
    const final = conditions.find((c) => c.type === "Denied" || c.type === "Failed");
    if (final) throw new JoinError(`the node certificate request ${name} was ${final.type === "Denied" ? "denied" : "not signed"}: ${final.reason ?? ""} ${final.message ?? ""}`.trim());
    if (csr?.status?.certificate) return Buffer.from(csr.status.certificate, "base64").toString("utf8");
    if (Date.now() > nextReminder) {
      opts.log.info("still waiting for the node certificate request to be approved (kubectl certificate approve)", { csr: name });
      nextReminder = Date.now() + 30_000;
    }
    await Bun.sleep(200);
  }
  throw new JoinError(`the node certificate request ${name} was not approved and signed in time`);
}
