/**
 * Other identities for end-to-end tests against a test server: kubeconfigs holding a client
 * certificate signed by the server's client CA (CN the user, O the groups) or a bearer token, and
 * kubectl run with them.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunResult, TestServer } from "./server.ts";
import { clusterPkiFiles, issueClientCertificate, loadCertificateAuthority, readKubeconfig, renderKubeconfig } from "../pki/index.ts";
import { kubectlPath } from "./kubectl.ts";

/** A kubeconfig for `user` (in `groups`) with a certificate from the server's client CA; returns its path. */
export function certificateKubeconfig(s: TestServer, user: string, groups: string[] = []): string {
  const files = clusterPkiFiles(join(s.dataDir, "server", "tls"));
  const ca = loadCertificateAuthority(readFileSync(files.clientCaCert, "utf8"), readFileSync(files.clientCaKey, "utf8"));
  const cert = issueClientCertificate(ca, { commonName: user, organizations: groups });
  const admin = readKubeconfig(s.kubeconfig);
  const path = join(s.dataDir, `kubeconfig-${user.replace(/[^a-z0-9]/gi, "_")}.yaml`);
  writeFileSync(path, renderKubeconfig({ server: admin.server, caPem: admin.caPem, clientCertPem: cert.chainPem, clientKeyPem: cert.keyPem }), { mode: 0o600 });
  return path;
}

/** A kubeconfig that authenticates with a bearer token. */
export function tokenKubeconfig(s: TestServer, name: string, token: string): string {
  const admin = readKubeconfig(s.kubeconfig);
  const path = join(s.dataDir, `kubeconfig-token-${name}.yaml`);
  writeFileSync(path, renderKubeconfig({ server: admin.server, caPem: admin.caPem, token }), { mode: 0o600 });
  return path;
}

/** Runs the real kubectl with another kubeconfig. */
export async function kubectlAs(s: TestServer, kubeconfig: string, args: string[]): Promise<RunResult> {
  const child = Bun.spawn([kubectlPath(), "--kubeconfig", kubeconfig, "--cache-dir", join(s.dataDir, "kube-cache"), ...args], {
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: s.dataDir },
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  clearTimeout(killer);
  return { code, stdout, stderr };
}

/** An HTTPS request to the server with a bearer token (or none), trusting its CA. */
export async function fetchWithToken(s: TestServer, path: string, token?: string, init: RequestInit = {}): Promise<Response> {
  const admin = readKubeconfig(s.kubeconfig);
  const headers = new Headers(init.headers);
  if (token) headers.set("Authorization", `Bearer ${token}`);
  return fetch(`${s.url}${path}`, { ...init, headers, tls: { ca: admin.caPem } } as RequestInit);
}
