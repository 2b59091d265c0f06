/**
 * Idle memory of each kts configuration, for the source (`bun cmd/kts.ts`) and the compiled
 * executable (`dist/kts`, what users run):
 *   - `kts server --disable-agent` (API server, controllers, scheduler; no node);
 *   - `kts agent` joined to that server (a separate process, HTTPS between them);
 *   - `kts server` with its embedded agent.
 * A compiled agent runs from a copy of the executable in its data dir (see ownCopy).
 * Each process starts on loopback in a temp data dir with the test harness's settings (no pod
 * network, no service proxy, no packaged components), runs until settled (server ready, node
 * Ready, then `--settle` seconds), is asked for a full GC (`kill -USR2`, cmd/memory-report.ts),
 * and its RSS is read from /proc/<pid>/status `--samples` times, 2 s apart. Printed: the median
 * and range of VmRSS, its anonymous and file-backed parts, and the process's own report (JS heap,
 * memory outside the heap, objects, modules). Everything started is stopped and removed.
 *
 *   bun scripts/bench/memory.ts [--build] [--binary dist/kts] [--source-only] [--settle 40] [--samples 5]
 *                               [--only server,agent,embedded] [--env KEY=VALUE]... [--smol]
 *
 * --env passes a variable to the measured processes (BUN_JSC_* options, KTS_STARTUP_JIT_POLICY=1
 * or KTS_DROP_STARTUP_CODE=0 to see what cmd/startup-memory.ts saves); --smol runs the source under
 * `bun --smol`.
 *
 * Without --binary both the source and dist/kts run (dist/kts only when present; --build makes it).
 */
import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { step } from "./lib.ts";
import { residentMemory } from "../../cmd/memory-report.ts";
import { removeTestContainers, RUN_ID, TEST_LABEL } from "../../src/testing/docker.ts";
import { HttpClient } from "../../src/client/http/index.ts";
import { readKubeconfig } from "../../src/pki/index.ts";
import type { KubeObject } from "../../src/apiserver/api/types.ts";

const ROOT = join(import.meta.dir, "..", "..");
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const value = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
/** Past the first idle check (20 s after running) at which a kts process drops its start-up code (cmd/startup-memory.ts). */
const SETTLE_MS = Number(value("--settle") ?? 40) * 1000;
const SAMPLES = Number(value("--samples") ?? 5);
/** What the test harness turns off: many servers share this machine, and these need their own networks. */
const ONLY = new Set((value("--only") ?? "server,agent,embedded").split(","));
const EXTRA_ENV = Object.fromEntries(args.flatMap((a, i) => (args[i - 1] === "--env" ? [a.split(/=(.*)/s).slice(0, 2)] : [])));
const QUIET = ["--disable", "coredns", "--flannel-backend", "none", "--disable-kube-proxy"];

interface Kts {
  label: string;
  argv: string[];
}

interface Proc {
  proc: ReturnType<typeof Bun.spawn>;
  log: () => string;
  dir: string;
}

interface Figures {
  rss: number[];
  anon: number;
  file: number;
  report: string;
}

function start(kts: Kts, args: string[], dir: string): Proc {
  const proc = Bun.spawn([...kts.argv, ...args], { stdout: "ignore", stderr: "pipe", env: { ...process.env, KTS_CONTAINER_LABELS: `${TEST_LABEL}=${RUN_ID}`, ...EXTRA_ENV } });
  let text = "";
  void (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of proc.stderr as ReadableStream<Uint8Array>) text += decoder.decode(chunk);
  })();
  return { proc, log: () => text, dir };
}

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, p: Proc, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (p.proc.exitCode !== null) throw new Error(`exited (${p.proc.exitCode}) before ${what}:\n${p.log()}`);
    const v = await probe();
    if (v !== undefined) return v;
    await Bun.sleep(250);
  }
  throw new Error(`no ${what} after ${timeoutMs / 1000} s:\n${p.log()}`);
}

async function startServer(kts: Kts, extra: string[]): Promise<Proc & { client: HttpClient; url: string }> {
  const dir = mkdtempSync(join(tmpdir(), "kts-bench-mem-"));
  const kubeconfig = join(dir, "kubeconfig.yaml");
  const p = start(kts, ["server", "--data-dir", dir, "--https-listen-port", "0", "--bind-address", "127.0.0.1", "-o", kubeconfig, ...QUIET, ...extra], dir);
  const port = await waitFor("server ready", () => /kts server is running .*apiPort=(\d+)/.exec(p.log())?.[1], p);
  const kc = readKubeconfig(kubeconfig);
  return { ...p, url: `https://127.0.0.1:${port}`, client: new HttpClient({ server: kc.server, caPem: kc.caPem, certPem: kc.clientCertPem, keyPem: kc.clientKeyPem }) };
}

async function nodeReady(client: HttpClient, name: string, p: Proc): Promise<void> {
  await waitFor(`node ${name} Ready`, async () => {
    try {
      const node = (await client.get({ group: "", version: "v1", resource: "nodes" }, "", name)) as KubeObject & { status?: { conditions?: Array<{ type: string; status: string }> } };
      return node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ? true : undefined;
    } catch {
      return undefined;
    }
  }, p);
}

/** Settles, asks for a full GC, then samples RSS. */
async function measure(p: Proc): Promise<Figures> {
  await Bun.sleep(SETTLE_MS);
  const before = p.log().length;
  p.proc.kill("SIGUSR2");
  const report = await waitFor("memory report", () => /memory report \(after a full GC\) (.*)/.exec(p.log().slice(before))?.[1], p, 10_000);
  await Bun.sleep(1000);
  const rss: number[] = [];
  let last = residentMemory(p.proc.pid);
  for (let i = 0; i < SAMPLES; i++) {
    if (i > 0) await Bun.sleep(2000);
    last = residentMemory(p.proc.pid);
    rss.push(last.rss);
  }
  return { rss: rss.sort((a, b) => a - b), anon: last.anon, file: last.file, report };
}

async function stop(p: Proc): Promise<void> {
  p.proc.kill("SIGTERM");
  const killer = setTimeout(() => p.proc.kill("SIGKILL"), 20_000);
  await p.proc.exited;
  clearTimeout(killer);
  rmSync(p.dir, { recursive: true, force: true });
}

const median = (xs: number[]) => xs[Math.floor(xs.length / 2)]!;

function row(kts: Kts, what: string, f: Figures, target: string): void {
  const range = `${f.rss[0]!.toFixed(1)}–${f.rss[f.rss.length - 1]!.toFixed(1)}`;
  console.log(`| ${kts.label} | ${what} | ${median(f.rss).toFixed(1)} MB (${range}) | ${f.anon.toFixed(1)} / ${f.file.toFixed(1)} MB | ${target} |`);
  console.error(`bench:   ${kts.label} ${what}: ${f.report}`);
}

/**
 * A compiled agent runs from its own copy of the executable, as on a worker where no server maps
 * it: pages two processes map are left resident when one of them hands its start-up pages back
 * (cmd/executable-pages.ts), and RSS counts them in both.
 */
function ownCopy(kts: Kts, dir: string): Kts {
  const [exe, ...rest] = kts.argv;
  if (!exe || exe === process.execPath) return kts;
  const copy = join(dir, "kts");
  copyFileSync(exe, copy);
  chmodSync(copy, 0o755);
  return { ...kts, argv: [copy, ...rest] };
}

/** `kts server --disable-agent`, then a `kts agent` joined to it. */
async function serverAndAgent(kts: Kts, nodeName: string): Promise<void> {
  step(`${kts.label}: kts server --disable-agent`);
  const server = await startServer(kts, ["--disable-agent"]);
  try {
    if (ONLY.has("server")) row(kts, "`kts server --disable-agent`", await measure(server), "≤ 80 MB");
    if (!ONLY.has("agent")) return;
    step(`${kts.label}: kts agent joined to it`);
    const dir = mkdtempSync(join(tmpdir(), "kts-bench-mem-agent-"));
    const token = (await Bun.file(join(server.dir, "server", "token")).text()).trim();
    const agent = start(ownCopy(kts, dir), ["agent", "--join", server.url, "--token", token, "--node-name", nodeName, "--node-ip", "127.0.0.1", "--data-dir", dir], dir);
    try {
      await nodeReady(server.client, nodeName, agent);
      row(kts, "`kts agent`", await measure(agent), "≤ 50 MB");
    } finally {
      await stop(agent);
    }
  } finally {
    await stop(server);
  }
}

async function embedded(kts: Kts, nodeName: string): Promise<void> {
  step(`${kts.label}: kts server with its embedded agent`);
  const both = await startServer(kts, ["--node-name", nodeName]);
  try {
    await nodeReady(both.client, nodeName, both);
    row(kts, "`kts server` + embedded agent", await measure(both), "≤ 150 MB");
  } finally {
    await stop(both);
  }
}

async function run(kts: Kts): Promise<void> {
  const nodeName = `mem-${RUN_ID}`.toLowerCase();
  if (ONLY.has("server") || ONLY.has("agent")) await serverAndAgent(kts, nodeName);
  if (ONLY.has("embedded")) await embedded(kts, `${nodeName}-s`);
}

const binaries: Kts[] = [];
const binary = value("--binary");
if (flag("--build")) {
  step("bun run build");
  const b = Bun.spawnSync([process.execPath, "run", "build"], { cwd: ROOT, stdout: "inherit", stderr: "inherit" });
  if (b.exitCode !== 0) process.exit(1);
}
if (!binary) binaries.push({ label: "source (`bun cmd/kts.ts`)", argv: [process.execPath, ...(flag("--smol") ? ["--smol"] : []), join(ROOT, "cmd", "kts.ts")] });
const compiled = binary ?? join(ROOT, "dist", "kts");
if (!flag("--source-only") && existsSync(compiled)) {
  binaries.push({ label: `compiled (\`${binary ?? "dist/kts"}\`, built ${statSync(compiled).mtime.toISOString().slice(0, 16)}Z)`, argv: [compiled] });
}

const envNote = Object.keys(EXTRA_ENV).length ? `, env ${Object.entries(EXTRA_ENV).map(([k, v]) => `${k}=${v}`).join(" ")}` : "";
console.log(`Idle memory, settled ${SETTLE_MS / 1000} s, full GC, ${SAMPLES} samples 2 s apart (Bun ${Bun.version}${flag("--smol") ? ", --smol" : ""}${envNote})`);
console.log("| executable | process | VmRSS median (range) | anonymous / file-backed | target |");
console.log("| --- | --- | --- | --- | --- |");
/** For scale: an idle Bun process that only waits (the runtime's own floor). */
async function bareBun(): Promise<void> {
  const proc = Bun.spawn([process.execPath, "-e", "setInterval(() => {}, 1 << 30)"], { stdout: "ignore", stderr: "ignore" });
  await Bun.sleep(2000);
  const m = residentMemory(proc.pid);
  console.log(`| bare Bun | \`bun -e "setInterval(…)"\` (for scale) | ${m.rss.toFixed(1)} MB | ${m.anon.toFixed(1)} / ${m.file.toFixed(1)} MB | |`);
  proc.kill();
  await proc.exited;
}

try {
  await bareBun();
  for (const kts of binaries) await run(kts);
} finally {
  await removeTestContainers();
}
