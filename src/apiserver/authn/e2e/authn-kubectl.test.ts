/**
 * Authentication end to end with a real kts server and kubectl: OIDC ID tokens from a small
 * HTTPS issuer run by the test (discovery and JWKS), the static token file, and anonymous access
 * with --anonymous-auth=true (authorized as system:anonymous, so mostly refused).
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Server } from "bun";
import { createCertificateAuthority, issueServingCertificate } from "../../../pki/index.ts";
import { publicJwk, signJwt } from "../jwt.ts";
import { startTestServer, type TestServer } from "../../../testing/server.ts";
import { fetchWithToken, kubectlAs, tokenKubeconfig } from "../../../testing/users.ts";

// Each test drives kubectl several times against a real server: generous on a loaded 2-core machine.
setDefaultTimeout(60_000);

let s: TestServer;
let issuer: Server<unknown>;
let issuerUrl: string;
let dir: string;
const signing = generateKeyPairSync("rsa", { modulusLength: 2048 });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "kts-oidc-"));
  const ca = createCertificateAuthority("test-oidc-ca");
  const serving = issueServingCertificate(ca, { commonName: "issuer", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] });
  writeFileSync(join(dir, "ca.crt"), ca.certPem);
  issuer = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    tls: { key: serving.keyPem, cert: serving.chainPem },
    fetch(req) {
      const path = new URL(req.url).pathname;
      if (path === "/.well-known/openid-configuration") return Response.json({ issuer: issuerUrl, jwks_uri: `${issuerUrl}/keys`, id_token_signing_alg_values_supported: ["RS256"] });
      if (path === "/keys") return Response.json({ keys: [publicJwk(signing.publicKey)] });
      return new Response("not found", { status: 404 });
    },
  });
  issuerUrl = `https://127.0.0.1:${issuer.port}`;
  writeFileSync(join(dir, "tokens.csv"), 'static-secret-token,frank,1001,"ops,audit"\n');
  s = await startTestServer([
    "--kube-apiserver-arg",
    "authorization-mode=Node,RBAC",
    "--kube-apiserver-arg",
    "anonymous-auth=true",
    "--kube-apiserver-arg",
    `token-auth-file=${join(dir, "tokens.csv")}`,
    "--kube-apiserver-arg",
    `oidc-issuer-url=${issuerUrl}`,
    "--kube-apiserver-arg",
    "oidc-client-id=kts",
    "--kube-apiserver-arg",
    "oidc-username-claim=email",
    "--kube-apiserver-arg",
    "oidc-groups-claim=groups",
    "--kube-apiserver-arg",
    "oidc-groups-prefix=oidc:",
    "--kube-apiserver-arg",
    `oidc-ca-file=${join(dir, "ca.crt")}`,
  ]);
}, 60_000);

afterAll(async () => {
  await s?.stop();
  issuer?.stop(true);
  rmSync(dir, { recursive: true, force: true });
});

const now = () => Math.floor(Date.now() / 1000);
const idToken = (claims: Record<string, unknown>) => signJwt({ iss: issuerUrl, aud: "kts", sub: "u-1", email: "grace@example.com", email_verified: true, groups: ["admins"], iat: now(), exp: now() + 600, ...claims }, signing.privateKey);

test("an OIDC ID token authenticates as its email claim with prefixed groups", async () => {
  const kc = tokenKubeconfig(s, "grace", idToken({}));
  const who = JSON.parse((await kubectlAs(s, kc, ["auth", "whoami", "-o", "jsonpath={.status.userInfo}"])).stdout);
  expect(who).toEqual({ username: "grace@example.com", groups: ["oidc:admins", "system:authenticated"] });
  expect((await kubectlAs(s, kc, ["get", "namespaces"])).stderr.trim()).toBe('Error from server (Forbidden): namespaces is forbidden: User "grace@example.com" cannot list resource "namespaces" in API group "" at the cluster scope');
  await s.k("create", "clusterrolebinding", "oidc-admins", "--clusterrole=view", "--group=oidc:admins");
  const deadline = Date.now() + 20_000;
  let r = await kubectlAs(s, kc, ["-n", "default", "get", "configmaps"]);
  while (r.code !== 0 && Date.now() < deadline) {
    await Bun.sleep(100);
    r = await kubectlAs(s, kc, ["-n", "default", "get", "configmaps"]);
  }
  expect(r.code).toBe(0);
});

test("ID tokens for another client, expired, unverified or signed by another key are refused", async () => {
  const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
  for (const token of [
    idToken({ aud: "someone-else" }),
    idToken({ exp: now() - 120 }),
    idToken({ email_verified: false }),
    signJwt({ iss: issuerUrl, aud: "kts", email: "x@example.com", exp: now() + 600 }, other.privateKey),
  ]) {
    expect((await fetchWithToken(s, "/api", token)).status).toBe(401);
  }
});

test("the token file's tokens authenticate their users with their groups", async () => {
  const kc = tokenKubeconfig(s, "frank", "static-secret-token");
  const who = JSON.parse((await kubectlAs(s, kc, ["auth", "whoami", "-o", "jsonpath={.status.userInfo}"])).stdout);
  expect(who).toEqual({ username: "frank", uid: "1001", groups: ["ops", "audit", "system:authenticated"] });
});

test("with --anonymous-auth=true anonymous requests are authorized as system:anonymous: public info only", async () => {
  expect((await fetchWithToken(s, "/healthz")).status).toBe(200);
  const api = await fetchWithToken(s, "/api/v1/namespaces");
  expect(api.status).toBe(403);
  expect(((await api.json()) as { message: string }).message).toBe('namespaces is forbidden: User "system:anonymous" cannot list resource "namespaces" in API group "" at the cluster scope');
});
