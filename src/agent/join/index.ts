/**
 * Joining a cluster: pin the server's CA with the token, then hold a node client certificate
 * (stored, or freshly requested with the token); the service proxy's own certificate is asked for
 * later, with the node's (kube-proxy.ts). Connection failures are retried with backoff
 * until `signal` aborts; a wrong token or server fails at once with a JoinError.
 */
import type { Logger } from "../../log/index.ts";
import { fetchServerCa } from "./cacerts.ts";
import { ensureNodeCredentials, type NodeCredentials } from "./credentials.ts";
import { JoinError, UnreachableError } from "./errors.ts";
import { credentialFiles, writeAtomic } from "./files.ts";
import { parseJoinToken } from "./token.ts";
import { sleep } from "../sleep.ts";

export { JoinError, UnreachableError } from "./errors.ts";
export { credentialFiles, writeAtomic } from "./files.ts";
export { nodeUser, type NodeCredentials } from "./credentials.ts";
export { ensureKubeProxyCredentials, KUBE_PROXY_USER, type KubeProxyCredentialOptions } from "./kube-proxy.ts";
export { NODE_BOOTSTRAP_LOGIN, SERVER_TOKEN_USER, TokenFormatError, caBundleHash, formatBootstrapToken, formatJoinToken, isBootstrapToken, parseJoinToken, type JoinToken } from "./token.ts";

export interface JoinOptions {
  serverUrl: string;
  token: string;
  nodeName: string;
  dataDir: string;
  log: Logger;
  signal?: AbortSignal;
  approvalTimeoutMs?: number;
}

const MAX_BACKOFF_MS = 10_000;

export async function join(opts: JoinOptions): Promise<NodeCredentials> {
  const token = parseJoinToken(opts.token);
  let backoff = 500;
  for (;;) {
    try {
      const caPem = await fetchServerCa(opts.serverUrl, token, opts.log);
      writeAtomic(credentialFiles(opts.dataDir).serverCa, caPem, 0o644);
      return await ensureNodeCredentials({ ...opts, caPem, token });
    } catch (err) {
      if (!(err instanceof UnreachableError)) throw err;
      if (opts.signal?.aborted) throw new JoinError("stopped before the server could be reached");
      opts.log.warn("cannot reach the server; retrying", { server: opts.serverUrl, err: err.message, retryInMs: backoff });
      await sleep(backoff, opts.signal);
      backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
    }
  }
}

export function isJoinError(err: unknown): err is JoinError {
  return err instanceof JoinError;
}
