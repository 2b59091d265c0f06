/**
 * The node's client certificate (CN=system:node:<name>, O=system:nodes), obtained as a kubelet
 * bootstraps (TLS bootstrapping): a fresh key and a CSR, sent with the join token's bootstrap
 * identity as a CertificateSigningRequest for kubernetes.io/kube-apiserver-client-kubelet; the
 * server's approver and signer answer with the certificate. Key and certificate stay in the data
 * dir and are reused on the next start while the server accepts them and they are far from expiry.
 * A re-installed agent (empty data dir) simply asks again: nothing ties a name to an old key.
 */
import type { Logger } from "../../log/index.ts";
import { ApiError } from "../../apiserver/api/errors.ts";
import { HttpClient } from "../../client/http/index.ts";
import { acceptedByServer, loadStoredCredentials, requestCredentials, retryable, type ClientCredentials } from "./client-cert.ts";
import { JoinError } from "./errors.ts";
import { credentialFiles } from "./files.ts";
import { isBootstrapToken, NODE_BOOTSTRAP_LOGIN, type JoinToken } from "./token.ts";

export const KUBELET_CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";

export type NodeCredentials = ClientCredentials;

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

export async function ensureNodeCredentials(opts: CredentialOptions): Promise<NodeCredentials> {
  const subject = { commonName: nodeUser(opts.nodeName), organizations: ["system:nodes"] };
  const stored = loadStoredCredentials(credentialFiles(opts.dataDir), subject, opts.caPem, "node", opts.log);
  if (stored) {
    if (await acceptedByServer(opts.serverUrl, stored)) {
      opts.log.info("using the stored node certificate", { node: opts.nodeName, serial: stored.serial, notAfter: stored.notAfter.toISOString() });
      return stored;
    }
    opts.log.warn("the server does not accept the stored node certificate; joining again with the token", { node: opts.nodeName });
  }
  // A bootstrap token is a bearer token (system:bootstrap:<id>); the server token's secret is k3s's basic-auth "node" login.
  const auth = isBootstrapToken(opts.token) ? { bearerToken: opts.token.secret } : { basic: { username: NODE_BOOTSTRAP_LOGIN, password: opts.token.secret } };
  return requestCredentials({
    client: new HttpClient({ server: opts.serverUrl, caPem: opts.caPem, ...auth }),
    caPem: opts.caPem,
    subject,
    signerName: KUBELET_CLIENT_SIGNER,
    usages: ["digital signature", "client auth"],
    generateName: "node-csr-",
    files: credentialFiles(opts.dataDir),
    what: "node",
    explain: (err) => explain(err, opts.serverUrl),
    log: opts.log,
    approvalTimeoutMs: opts.approvalTimeoutMs,
    signal: opts.signal,
  });
}

/** Authentication and authorization failures say what to check; connection failures are retryable. */
function explain(err: unknown, serverUrl: string): Error {
  if (err instanceof ApiError && err.code === 401) return new JoinError(`${serverUrl} rejected the join token (401 Unauthorized): check --token (kts token prints it on the server)`);
  if (err instanceof ApiError && err.code === 403) return new JoinError(`${serverUrl} does not let this token request node certificates (403 Forbidden): ${err.message}`);
  return retryable(err, serverUrl);
}
