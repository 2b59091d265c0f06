/**
 * Pinning the server's CA with the join token, before any credential is sent (k3s's bootstrap):
 * GET /cacerts without trusting the server and without credentials, hash the bundle, compare with
 * the token's hash, then GET it again trusting only that bundle, which proves the server holds a
 * certificate the bundle vouches for. A bare-secret token has no hash: the bundle is taken as is.
 */
import type { Logger } from "../../log/index.ts";
import { JoinError, UnreachableError } from "./errors.ts";
import { caBundleHash, type JoinToken } from "./token.ts";

async function getCaCerts(serverUrl: string, tls: BunFetchRequestInitTLS): Promise<string> {
  let res: Response;
  try {
    res = await fetch(`${serverUrl.replace(/\/+$/, "")}/cacerts`, { tls, signal: AbortSignal.timeout(15_000) } as BunFetchRequestInit);
  } catch (err) {
    throw new UnreachableError(`cannot get CA certificates from ${serverUrl}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const body = await res.text();
  if (!res.ok) throw new JoinError(`${serverUrl}/cacerts answered ${res.status}: is this a kts server?`);
  if (!body.includes("-----BEGIN CERTIFICATE-----")) throw new JoinError(`${serverUrl}/cacerts did not answer a PEM certificate bundle: is this a kts server?`);
  return body;
}

/** The server's CA bundle, verified against the token; throws JoinError when it does not match. */
export async function fetchServerCa(serverUrl: string, token: JoinToken, log: Logger): Promise<string> {
  // Not trusting anything yet, and presenting no credential: the answer is only hashed.
  const bundle = await getCaCerts(serverUrl, { rejectUnauthorized: false });
  const actual = caBundleHash(bundle);
  if (token.caHash === undefined) {
    log.warn("the token has no CA hash: trusting the server's CA without verification (use the full token from `kts token`)", { server: serverUrl, caHash: actual });
  } else if (token.caHash !== actual) {
    throw new JoinError(`the CA certificate of ${serverUrl} (sha256 ${actual}) does not match the hash in the token (${token.caHash}): refusing to join; is this the right server and token?`);
  }
  // Now trusting exactly that bundle: the TLS handshake itself must verify.
  const again = await getCaCerts(serverUrl, { ca: bundle }).catch((err: unknown) => {
    if (err instanceof UnreachableError) throw new JoinError(`${serverUrl} does not present a certificate signed by its own CA bundle: ${err.message}`);
    throw err;
  });
  if (caBundleHash(again) !== actual) throw new JoinError(`the CA bundle of ${serverUrl} changed while joining`);
  return bundle;
}
