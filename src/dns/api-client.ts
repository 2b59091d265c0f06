/**
 * How `kts dns` reaches the API server: a kubeconfig when one is given, else the in-cluster
 * configuration every pod gets (client-go's rest.InClusterConfig): KUBERNETES_SERVICE_HOST/PORT,
 * the service account's token (re-read as it rotates) and the cluster CA.
 */
import { existsSync, readFileSync } from "node:fs";
import { HttpClient } from "../client/http/index.ts";
import { readKubeconfig } from "../pki/index.ts";

export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

export function dnsApiClient(opts: { kubeconfig?: string; userAgent?: string }): HttpClient {
  const userAgent = opts.userAgent ?? "kts-dns";
  if (opts.kubeconfig) {
    const kc = readKubeconfig(opts.kubeconfig);
    return new HttpClient({ server: kc.server, caPem: kc.caPem, certPem: kc.clientCertPem, keyPem: kc.clientKeyPem, bearerToken: kc.token, userAgent });
  }
  const host = process.env.KUBERNETES_SERVICE_HOST;
  const port = process.env.KUBERNETES_SERVICE_PORT;
  const tokenFile = `${SERVICE_ACCOUNT_DIR}/token`;
  if (!host || !port || !existsSync(tokenFile)) {
    throw new Error(`not running in a cluster (KUBERNETES_SERVICE_HOST/PORT and ${tokenFile} are needed); pass --kubeconfig`);
  }
  const server = `https://${host.includes(":") ? `[${host}]` : host}:${port}`;
  return new HttpClient({ server, caPem: readFileSync(`${SERVICE_ACCOUNT_DIR}/ca.crt`, "utf8"), bearerTokenFile: tokenFile, userAgent });
}
