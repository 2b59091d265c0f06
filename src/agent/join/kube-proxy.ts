/**
 * The service proxy's own identity, as k3s gives every agent a kube-proxy client certificate
 * (CN=system:kube-proxy, no groups) so that the proxy holds exactly upstream's system:node-proxier
 * role (bound to that user by default) and nothing of the node's. kts has no k3s-style certificate
 * download: the node asks for it itself, as system:node:<name>, with a CertificateSigningRequest
 * for kubernetes.io/kube-apiserver-client, which the server's approver signs off for nodes in this
 * one exact form only (src/controllers/certificates/kube-proxy-client.ts). Key and certificate stay
 * in the agent's data dir (k3s's client-kube-proxy.crt/.key) and are reused like the node's.
 */
import type { Logger } from "../../log/index.ts";
import { ApiError } from "../../apiserver/api/errors.ts";
import { HttpClient } from "../../client/http/index.ts";
import { renderKubeconfig } from "../../pki/index.ts";
import { acceptedByServer, loadStoredCredentials, requestCredentials, retryable, type ClientCredentials } from "./client-cert.ts";
import { JoinError } from "./errors.ts";
import { credentialFiles, writeAtomic } from "./files.ts";

export const KUBE_PROXY_USER = "system:kube-proxy";
export const API_CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client";

export interface KubeProxyCredentialOptions {
  serverUrl: string;
  caPem: string;
  /** The node's own certificate: the request is made as system:node:<name>. */
  node: { certPem: string; keyPem: string };
  dataDir: string;
  log: Logger;
  approvalTimeoutMs?: number;
  signal?: AbortSignal;
}

/** The stored kube-proxy certificate while the server accepts it and it is far from expiry, else a new one. */
export async function ensureKubeProxyCredentials(opts: KubeProxyCredentialOptions): Promise<ClientCredentials> {
  const files = credentialFiles(opts.dataDir);
  const certFiles = { cert: files.kubeProxyCert, key: files.kubeProxyKey };
  const subject = { commonName: KUBE_PROXY_USER, organizations: [] };
  let creds = loadStoredCredentials(certFiles, subject, opts.caPem, "kube-proxy", opts.log);
  if (creds && (await acceptedByServer(opts.serverUrl, creds))) {
    opts.log.info("using the stored kube-proxy certificate", { serial: creds.serial, notAfter: creds.notAfter.toISOString() });
  } else {
    if (creds) opts.log.warn("the server does not accept the stored kube-proxy certificate; requesting a new one");
    creds = await requestCredentials({
      client: new HttpClient({ server: opts.serverUrl, caPem: opts.caPem, certPem: opts.node.certPem, keyPem: opts.node.keyPem }),
      caPem: opts.caPem,
      subject,
      signerName: API_CLIENT_SIGNER,
      usages: ["digital signature", "client auth"],
      generateName: "kube-proxy-csr-",
      files: certFiles,
      what: "kube-proxy",
      explain: (err) => (err instanceof ApiError && (err.code === 401 || err.code === 403) ? new JoinError(`${opts.serverUrl} does not let this node request the kube-proxy certificate (${err.code}): ${err.message}`) : retryable(err, opts.serverUrl)),
      log: opts.log,
      approvalTimeoutMs: opts.approvalTimeoutMs,
      signal: opts.signal,
    });
  }
  // As k3s leaves one for its kube-proxy (handy with kubectl --kubeconfig).
  writeAtomic(files.kubeProxyKubeconfig, renderKubeconfig({ server: opts.serverUrl, caPem: creds.caPem, clientCertPem: creds.certPem, clientKeyPem: creds.keyPem }), 0o600);
  return creds;
}
