/**
 * What authentication and authorization cost, on a real `kts server` (RBAC on, HTTPS on loopback):
 *
 *   - creates/s (1 and 16 clients, h2load) and GET p50/p99 as the admin (system:masters, allowed
 *     before RBAC is consulted) and as a ServiceAccount token bound to `edit` in the namespace
 *     (authenticated by JWT, authorized by RBAC rules);
 *   - TokenReview rate: POST tokenreviews with ServiceAccount JWTs, 16 clients, each token
 *     distinct (every review verifies a signature and looks up the account and pod) and the same
 *     token repeated (the 10 s success cache answers); upstream's yardstick is 5,000 verifications/s;
 *   - the verifications/s of the authenticator alone, in-process, without HTTP.
 *
 *   bun scripts/bench/auth.ts [--tokens 4000]
 *
 * Needs h2load (apt-get install nghttp2-client).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { type BenchServer, h2load, ktsCommand, percentile, requireTool, startBenchServer, step } from "./lib.ts";
import { ServiceAccountAuthenticator, boundClaims } from "../../src/apiserver/serviceaccount/index.ts";
import { signJwt } from "../../src/apiserver/authn/index.ts";

const { values: args } = parseArgs({ options: { tokens: { type: "string", default: "4000" } } });
const TOKENS = Number(args.tokens);
const ADMIN_TOKEN = "bench-admin-token-0123456789";
const KTS = ktsCommand();
const scratch = mkdtempSync(join(tmpdir(), "kts-bench-auth-"));

async function api<T = Record<string, unknown>>(s: BenchServer, method: string, path: string, body?: unknown, token = ADMIN_TOKEN): Promise<T> {
  const res = await fetch(`${s.base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    tls: { ca: s.ca },
  } as RequestInit);
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Creates (or reviews) per second from h2load, every request with the same body. */
async function rate(s: BenchServer, path: string, token: string, opts: { requests: number; clients: number; body: string }): Promise<number> {
  return (await h2load({ url: `${s.base}${path}`, token, ...opts })).rps;
}

/** Reviews of distinct tokens (h2load sends one body for all requests): `clients` keep-alive fetch loops; reviews/s. */
async function reviewRate(s: BenchServer, tokens: string[], clients: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < tokens.length) {
      const t = tokens[next++]!;
      const r = await api<{ status?: { authenticated?: boolean } }>(s, "POST", "/apis/authentication.k8s.io/v1/tokenreviews", { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token: t } });
      if (!r.status?.authenticated) throw new Error("a token did not authenticate");
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
  return tokens.length / ((performance.now() - started) / 1000);
}

async function getLatencies(s: BenchServer, path: string, token: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await fetch(`${s.base}${path}`, { headers: { Authorization: `Bearer ${token}` }, tls: { ca: s.ca } } as RequestInit);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
    out.push(performance.now() - t);
  }
  return out.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  requireTool("h2load", "nghttp2-client");
  step("starting kts server (Node,RBAC)");
  const s = await startBenchServer({ kts: KTS, dataDir: join(scratch, "data"), token: ADMIN_TOKEN, args: ["--kube-apiserver-arg", "authorization-mode=Node,RBAC"] });
  try {
    await api(s, "POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "bench" } });
    await api(s, "POST", "/api/v1/namespaces/bench/serviceaccounts", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "writer" } });
    await api(s, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/bench/rolebindings", {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "writer-edit" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" },
      subjects: [{ kind: "ServiceAccount", name: "writer", namespace: "bench" }],
    });
    const saToken = ((await api<{ status: { token: string } }>(s, "POST", "/api/v1/namespaces/bench/serviceaccounts/writer/token", { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 3600 } })).status).token;
    // The aggregation controller fills edit's rules: wait until the account may create.
    for (let i = 0; ; i++) {
      const r = await api<{ status: { allowed: boolean } }>(s, "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", {
        apiVersion: "authorization.k8s.io/v1",
        kind: "SubjectAccessReview",
        spec: { user: "system:serviceaccount:bench:writer", groups: ["system:serviceaccounts", "system:serviceaccounts:bench", "system:authenticated"], resourceAttributes: { namespace: "bench", verb: "create", resource: "configmaps" } },
      });
      if (r.status.allowed) break;
      if (i > 200) throw new Error("edit never allowed creating configmaps");
      await Bun.sleep(50);
    }
    const body = JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { generateName: "cm-" }, data: { k: "v".repeat(100) } });
    const results: Record<string, string> = {};
    for (const [who, token] of [
      ["admin (system:masters)", ADMIN_TOKEN],
      ["ServiceAccount via RBAC (edit)", saToken],
    ] as const) {
      step(`creates as ${who}`);
      const c1 = await rate(s, "/api/v1/namespaces/bench/configmaps", token, { requests: 1000, clients: 1, body });
      const c16 = await rate(s, "/api/v1/namespaces/bench/configmaps", token, { requests: 4000, clients: 16, body });
      const list = await api<{ items: Array<{ metadata: { name: string } }> }>(s, "GET", "/api/v1/namespaces/bench/configmaps?limit=1");
      const lat = await getLatencies(s, `/api/v1/namespaces/bench/configmaps/${list.items[0]!.metadata.name}`, token, 2000);
      results[who] = `creates/s 1 client ${c1.toFixed(0)}, 16 clients ${c16.toFixed(0)}; GET p50 ${percentile(lat, 50).toFixed(2)} ms, p99 ${percentile(lat, 99).toFixed(2)} ms`;
    }

    step(`${TOKENS} distinct bound tokens (TokenRequest, bound to a pod)`);
    await api(s, "POST", "/api/v1/namespaces/bench/pods", { apiVersion: "v1", kind: "Pod", metadata: { name: "holder" }, spec: { serviceAccountName: "writer", containers: [{ name: "c", image: "busybox" }] } });
    const pod = await api<{ metadata: { uid: string } }>(s, "GET", "/api/v1/namespaces/bench/pods/holder");
    const tokens: string[] = [];
    for (let i = 0; i < TOKENS; i++) {
      const r = await api<{ status: { token: string } }>(s, "POST", "/api/v1/namespaces/bench/serviceaccounts/writer/token", {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenRequest",
        spec: { expirationSeconds: 3600, boundObjectRef: { apiVersion: "v1", kind: "Pod", name: "holder", uid: pod.metadata.uid } },
      });
      tokens.push(r.status.token);
    }
    step("token reviews, distinct tokens, 16 clients");
    const distinct = await reviewRate(s, tokens, 16);
    step("token reviews, one token repeated, 16 clients (same client loop, then h2load)");
    const repeatedLoop = await reviewRate(s, Array.from({ length: tokens.length }, () => tokens[0]!), 16);
    const reviewBody = JSON.stringify({ apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token: tokens[0] } });
    const cached = await rate(s, "/apis/authentication.k8s.io/v1/tokenreviews", ADMIN_TOKEN, { requests: 20000, clients: 16, body: reviewBody });

    step("the authenticator alone, in-process (signature + claims + account and pod lookups from memory)");
    const serverKey = createPrivateKey(readFileSync(join(s.dataDir, "server", "tls", "service.key"), "utf8"));
    const rsaKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const inProcess = async (key: KeyObject) => {
      const issuer = "https://kubernetes.default.svc.cluster.local";
      const sa = new ServiceAccountAuthenticator({ issuers: [issuer], publicKeys: [createPublicKey(key)], apiAudiences: [issuer], get: async (_r, ns, name) => ({ apiVersion: "v1", kind: "X", metadata: { namespace: ns, name, uid: "u" } }) });
      const now = Math.floor(Date.now() / 1000);
      const local = Array.from({ length: 5000 }, () => signJwt(boundClaims({ issuer, audiences: [issuer], namespace: "bench", serviceAccount: { name: "writer", uid: "u" }, pod: { name: "holder", uid: "u" }, expirationSeconds: 3600, nowSeconds: now }), key));
      const t0 = performance.now();
      for (const t of local) if (!(await sa.authenticate(t, [issuer]))) throw new Error("local verification failed");
      return local.length / ((performance.now() - t0) / 1000);
    };
    const es256 = await inProcess(serverKey);
    const rs256 = await inProcess(rsaKey);

    console.log("\n| measure | kts |\n| --- | --- |");
    for (const [who, line] of Object.entries(results)) console.log(`| ${who} | ${line} |`);
    console.log(`| TokenReview/s, distinct ServiceAccount JWTs, 16 clients | ${distinct.toFixed(0)} |`);
    console.log(`| TokenReview/s, one JWT repeated (success cache), 16 clients: same client / h2load | ${repeatedLoop.toFixed(0)} / ${cached.toFixed(0)} |`);
    console.log(`| ServiceAccount JWT verifications/s in-process, one core: ES256 (the generated key) / RS256 | ${es256.toFixed(0)} / ${rs256.toFixed(0)} |`);
  } finally {
    await s.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
