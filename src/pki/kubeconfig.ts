/**
 * Kubeconfig files as k3s writes them (/etc/rancher/k3s/k3s.yaml): one cluster, context and user,
 * all named "default", with the CA and the credentials embedded as base64 data.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export interface KubeconfigCredentials {
  /** https URL of the API server, e.g. https://127.0.0.1:6443. */
  server: string;
  /** PEM of the CA that signed the server's serving certificate. */
  caPem: string;
  /** Client certificate (PEM, may include the chain) and its key; or a bearer token. */
  clientCertPem?: string;
  clientKeyPem?: string;
  token?: string;
}

const b64 = (s: string) => Buffer.from(s).toString("base64");

/** A YAML scalar: bare when that is unambiguous, else double-quoted (JSON strings are valid YAML). */
function scalar(s: string): string {
  return /^[A-Za-z0-9+/=_.:-]+$/.test(s) && !/^[-:]|:$/.test(s) && !/^(true|false|null|yes|no|on|off|~|[\d.]+)$/i.test(s) ? s : JSON.stringify(s);
}

/** The kubeconfig text for `creds`. */
export function renderKubeconfig(creds: KubeconfigCredentials): string {
  const user = credentialLines(creds);
  return [
    "apiVersion: v1",
    "clusters:",
    "- cluster:",
    `    certificate-authority-data: ${b64(creds.caPem)}`,
    `    server: ${scalar(creds.server)}`,
    "  name: default",
    "contexts:",
    "- context:",
    "    cluster: default",
    "    user: default",
    "  name: default",
    "current-context: default",
    "kind: Config",
    "preferences: {}",
    "users:",
    "- name: default",
    "  user:",
    ...user.map((l) => `    ${l}`),
    "",
  ].join("\n");
}

function credentialLines(c: KubeconfigCredentials): string[] {
  if (c.clientCertPem && c.clientKeyPem) return [`client-certificate-data: ${b64(c.clientCertPem)}`, `client-key-data: ${b64(c.clientKeyPem)}`];
  if (c.token) return [`token: ${scalar(c.token)}`];
  throw new Error("a kubeconfig needs a client certificate and key, or a token");
}

/**
 * Writes the kubeconfig to `path` with `mode` (default 0600, as k3s's --write-kubeconfig-mode
 * defaults), creating parent folders. The rename makes readers see the old file or the new one.
 */
export function writeKubeconfig(path: string, creds: KubeconfigCredentials, mode = 0o600): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, renderKubeconfig(creds), { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

interface KubeconfigDoc {
  "current-context"?: string;
  clusters?: { name: string; cluster: { server?: string; "certificate-authority-data"?: string } }[];
  contexts?: { name: string; context: { cluster: string; user: string } }[];
  users?: { name: string; user: { "client-certificate-data"?: string; "client-key-data"?: string; token?: string } }[];
}

/** Reads back the current context's server and credentials (for tests and tools). */
export function readKubeconfig(path: string): KubeconfigCredentials {
  const doc = Bun.YAML.parse(readFileSync(path, "utf8")) as KubeconfigDoc;
  const ctx = doc.contexts?.find((c) => c.name === doc["current-context"])?.context;
  const cluster = doc.clusters?.find((c) => c.name === ctx?.cluster)?.cluster;
  const user = doc.users?.find((u) => u.name === ctx?.user)?.user;
  if (!ctx || !cluster?.server || !user) throw new Error(`${path}: no complete current context`);
  const unb64 = (s: string | undefined) => (s === undefined ? undefined : Buffer.from(s, "base64").toString("utf8"));
  return {
    server: cluster.server,
    caPem: unb64(cluster["certificate-authority-data"]) ?? "",
    clientCertPem: unb64(user["client-certificate-data"]),
    clientKeyPem: unb64(user["client-key-data"]),
    token: user.token,
  };
}
