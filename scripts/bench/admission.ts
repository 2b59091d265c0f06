/**
 * What admission, audit and encryption at rest cost the API server, in one run; each
 * configuration is a fresh real `kts server` child process:
 *
 *   - pod creates/s (16 clients): the default admission chain, with only NamespaceLifecycle,
 *     and with one validating webhook (an HTTPS server in this process) on every pod create;
 *   - ConfigMap creates/s (16 clients): audit off, and audit at Metadata level for everything;
 *   - Secret creates/s (16 clients): encryption at rest on (default, aescbc) and off.
 *
 *   bun scripts/bench/admission.ts [--requests 3000] [--rounds 2] [--binary dist/kts]
 *
 * Needs h2load (apt-get install nghttp2-client).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type BenchServer, h2load, ktsCommand, requireTool, startBenchServer, step } from "./lib.ts";
import { startWebhookServer } from "../../src/testing/webhook-server.ts";
import { DEFAULT_ADMISSION_PLUGINS } from "../../src/apiserver/index.ts";

const { values: args } = parseArgs({ options: { requests: { type: "string", default: "3000" }, rounds: { type: "string", default: "2" }, binary: { type: "string" } } });
const REQUESTS = Number(args.requests);
/** Every configuration runs this many times, interleaved; the best run counts (a loaded machine only slows runs down). */
const ROUNDS = Number(args.rounds);
const CLIENTS = 16;
const TOKEN = "bench-token-0123456789";
const scratch = mkdtempSync(join(tmpdir(), "kts-bench-adm-"));
const KTS = ktsCommand(args.binary);

let runs = 0;

/** A fresh server for one configuration: its own data dir, only the namespace and service account controllers. */
function startServer(name: string, extra: string[]): Promise<BenchServer> {
  // The service account controller makes the "default" account the ServiceAccount admission plugin looks up.
  const args = ["--disable-scheduler", "--kube-controller-manager-arg", "controllers=namespace,serviceaccount", ...extra];
  return startBenchServer({ kts: KTS, dataDir: join(scratch, `${name}-${runs++}`), token: TOKEN, args });
}

async function stopServer(s: BenchServer): Promise<void> {
  await s.stop();
  rmSync(s.dataDir, { recursive: true, force: true });
}

async function api(s: BenchServer, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${s.base}${path}`, { method: "POST", body: JSON.stringify(body), headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" }, tls: { ca: s.ca } } as RequestInit);
  if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
}

async function createRate(s: BenchServer, path: string, body: unknown): Promise<number> {
  return (await h2load({ url: `${s.base}${path}`, requests: REQUESTS, clients: CLIENTS, token: TOKEN, body: JSON.stringify(body) })).rps;
}

const POD = { apiVersion: "v1", kind: "Pod", metadata: { generateName: "p-" }, spec: { containers: [{ name: "c", image: "busybox" }] } };
const CONFIGMAP = { apiVersion: "v1", kind: "ConfigMap", metadata: { generateName: "cm-" }, data: { k: "v".repeat(64) } };
const SECRET = { apiVersion: "v1", kind: "Secret", metadata: { generateName: "s-" }, stringData: { password: "p".repeat(64) } };

async function measure(name: string, extra: string[], path: string, body: unknown, prepare?: (s: BenchServer) => Promise<void>): Promise<number> {
  step(name);
  const s = await startServer(name.replace(/\W+/g, "-"), extra);
  try {
    await api(s, "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "bench" } });
    await prepare?.(s);
    // A short warm-up so JIT and caches are in the same state for every configuration.
    await h2loadWarm(s, path, body);
    return await createRate(s, path, body);
  } finally {
    await stopServer(s);
  }
}

async function h2loadWarm(s: BenchServer, path: string, body: unknown): Promise<void> {
  for (let i = 0; i < 50; i++) await api(s, path, body);
}

async function main(): Promise<void> {
  requireTool("h2load", "nghttp2-client");
  const hook = startWebhookServer({ "/validate": () => ({ allowed: true }) });
  const pods = "/api/v1/namespaces/bench/pods";
  const cms = "/api/v1/namespaces/bench/configmaps";
  const secrets = "/api/v1/namespaces/bench/secrets";
  const policy = join(scratch, "audit-policy.yaml");
  writeFileSync(policy, "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Metadata\n");
  const onlyLifecycle = DEFAULT_ADMISSION_PLUGINS.filter((p) => p !== "NamespaceLifecycle").join(",");
  const withWebhook = (s: BenchServer) =>
    api(s, "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingWebhookConfiguration",
      metadata: { name: "bench" },
      webhooks: [
        {
          name: "bench.kts.test",
          clientConfig: { url: `${hook.url}/validate`, caBundle: hook.caBundle },
          rules: [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods"] }],
          sideEffects: "None",
          admissionReviewVersions: ["v1"],
        },
      ],
    });
  const configs: Array<[string, () => Promise<number>]> = [
    ["pod creates/s, default admission chain", () => measure("pods default chain", [], pods, POD)],
    ["pod creates/s, NamespaceLifecycle only", () => measure("pods lifecycle only", ["--kube-apiserver-arg", `disable-admission-plugins=${onlyLifecycle}`], pods, POD)],
    ["pod creates/s, default chain + one validating webhook", () => measure("pods webhook", [], pods, POD, withWebhook)],
    ["ConfigMap creates/s, audit off", () => measure("configmaps audit off", [], cms, CONFIGMAP)],
    ["ConfigMap creates/s, audit Metadata for every request", () => measure("configmaps audit metadata", ["--audit-policy-file", policy, "--audit-log-path", join(scratch, "audit.log")], cms, CONFIGMAP)],
    ["Secret creates/s, encryption at rest on (aescbc)", () => measure("secrets encrypted", [], secrets, SECRET)],
    ["Secret creates/s, encryption at rest off", () => measure("secrets plain", ["--no-secrets-encryption"], secrets, SECRET)],
  ];
  const best = new Map<string, number>();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const [what, run] of configs) best.set(what, Math.max(best.get(what) ?? 0, await run()));
    }
  } finally {
    await hook.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  console.log(`\n| measure (${REQUESTS} creates, ${CLIENTS} clients, h2load, best of ${ROUNDS}) | per second |`);
  console.log("| --- | --- |");
  for (const [what, rps] of best) console.log(`| ${what} | ${Math.round(rps).toLocaleString("en-US")} |`);
}

await main();
