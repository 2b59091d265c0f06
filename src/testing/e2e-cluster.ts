/**
 * A multi-node kts cluster in Docker, as k3s's tests/docker build theirs: one server and N agents,
 * each a container of the node image (Dockerfile: the kts executable and Docker Engine on a Debian
 * base made locally), on a Docker network of its own with fixed addresses. Agents run Docker in
 * Docker with the flags this sandbox allows (no --privileged); the test images are loaded into each
 * agent through its airgap directory; a kubeconfig for this machine reaches the server through a
 * port published on 127.0.0.1. Everything made carries the label kts.e2e=<id> and `down` removes
 * exactly that (the base image stays: it is the cache of the slow step).
 *
 * Used by scripts/e2e-cluster (up|down) and by the e2e suite in src/e2e/cluster.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureTestImage, TEST_IMAGE } from "./docker.ts";
import { kubectlPath } from "./kubectl.ts";

export const E2E_LABEL = "kts.e2e";
export const BASE_IMAGE = "kts.e2e/base:bookworm-1";
const ROOT = join(import.meta.dir, "..", "..");
const STATE_ROOT = join(ROOT, ".tmp", "e2e-cluster");

/** `docker run` flags Docker in Docker needs here (../shared/ENVIRONMENT.md): everything but --privileged. */
export const DIND_FLAGS = [
  "--cap-add", "ALL",
  "--cap-drop", "SYS_RESOURCE",
  "--security-opt", "seccomp=unconfined",
  "--security-opt", "apparmor=unconfined",
  "--security-opt", "systempaths=unconfined",
  "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw",
  "--tmpfs", "/run",
];

export interface ClusterNode {
  /** Container name. */
  container: string;
  /** Kubernetes node name (agents). */
  nodeName: string;
  ip: string;
}

export interface ClusterState {
  id: string;
  network: string;
  subnet: string;
  image: string;
  apiPort: number;
  kubeconfig: string;
  token: string;
  server: ClusterNode;
  agents: ClusterNode[];
  /** Arguments each agent's kts was started with (to start a stopped agent the same way). */
  agentArgs: Record<string, string[]>;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface UpOptions {
  id?: string;
  agents?: number;
  /** Progress lines (default: stderr). */
  progress?: (line: string) => void;
  /** Extra flags for `kts server` / `kts agent`. */
  serverArgs?: string[];
  agentArgs?: string[];
  /** Wait for the cluster DNS Deployment to be available (default true). */
  waitForDns?: boolean;
}

export async function run(cmd: string[], opts: { stdin?: Blob | string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<RunResult> {
  const p = Bun.spawn(cmd, {
    stdin: opts.stdin === undefined ? "ignore" : typeof opts.stdin === "string" ? new Blob([opts.stdin]) : opts.stdin,
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, ...opts.env },
  });
  const killer = setTimeout(() => p.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  clearTimeout(killer);
  return { code, stdout, stderr };
}

async function must(cmd: string[], opts: Parameters<typeof run>[1] = {}): Promise<string> {
  const r = await run(cmd, opts);
  if (r.code !== 0) throw new Error(`${cmd.slice(0, 4).join(" ")} … exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

/** Why a cluster cannot be built here, or undefined when it can. */
export async function clusterUnavailable(): Promise<string | undefined> {
  if (process.env.KTS_E2E_CLUSTER === "0") return "KTS_E2E_CLUSTER=0";
  if ((await run(["docker", "info", "--format", "{{.ServerVersion}}"]).catch(() => ({ code: 1 }))).code !== 0) return "no Docker Engine answers";
  const base = await run(["docker", "image", "inspect", BASE_IMAGE]);
  if (base.code !== 0 && !Bun.which("debootstrap") && !Bun.which("apt-get")) return `no ${BASE_IMAGE} image and no debootstrap to make it`;
  return undefined;
}

function ipToInt(ip: string): number {
  return ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
}

function overlaps(a: string, b: string): boolean {
  const [ia, la] = a.split("/");
  const [ib, lb] = b.split("/");
  const len = Math.min(Number(la ?? 32), Number(lb ?? 32));
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return ((ipToInt(ia!) & mask) >>> 0) === ((ipToInt(ib!) & mask) >>> 0);
}

/** A /24 in 172.29.0.0/16 that no Docker network or route of this machine uses. */
async function freeSubnet(): Promise<string> {
  const used: string[] = [];
  const ids = (await must(["docker", "network", "ls", "-q"])).split("\n").filter(Boolean);
  if (ids.length) used.push(...(await must(["docker", "network", "inspect", ...ids, "--format", "{{range .IPAM.Config}}{{.Subnet}} {{end}}"])).split(/\s+/).filter((s) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(s)));
  used.push(...(await must(["ip", "-4", "route", "show", "table", "all"])).split("\n").map((l) => l.split(" ")[0]!).filter((d) => /^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(d)));
  for (let tries = 0; tries < 256; tries++) {
    const candidate = `172.29.${Math.floor(Math.random() * 250) + 1}.0/24`;
    if (!used.some((u) => overlaps(candidate, u.includes("/") ? u : `${u}/32`))) return candidate;
  }
  throw new Error("no free /24 in 172.29.0.0/16 for the cluster network");
}

async function freeHostPort(): Promise<number> {
  const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}

function stateDir(id: string): string {
  return join(STATE_ROOT, id);
}

export function loadState(id: string): ClusterState {
  return JSON.parse(readFileSync(join(stateDir(id), "state.json"), "utf8")) as ClusterState;
}

/** Builds dist/kts and the node image kts.e2e/node:<id> (on the cached base image). */
async function buildImages(id: string, progress: (l: string) => void): Promise<string> {
  const started = Date.now();
  progress("base image (debootstrap once, then cached)");
  const base = await run([join(ROOT, "scripts", "e2e", "base-image.sh"), BASE_IMAGE], { timeoutMs: 600_000 });
  if (base.code !== 0) throw new Error(`base image: ${base.stdout}${base.stderr}`);
  progress(base.stdout.trim().split("\n").at(-1) ?? "base image ready");
  // The build context is the cluster's own (dist/kts and the entry point, as the Dockerfile
  // expects them): clusters built at the same time do not share an executable being written.
  const ctx = join(stateDir(id), "context");
  mkdirSync(join(ctx, "scripts", "e2e"), { recursive: true });
  progress("bun build --compile (the kts executable)");
  await must([process.execPath, "build", "--compile", "--minify", join(ROOT, "cmd", "kts.ts"), "--outfile", join(ctx, "dist", "kts")], { timeoutMs: 300_000 });
  copyFileSync(join(ROOT, "scripts", "e2e", "node-entrypoint.sh"), join(ctx, "scripts", "e2e", "node-entrypoint.sh"));
  const image = `kts.e2e/node:${id}`;
  progress(`node image ${image}`);
  await must(["docker", "build", "-q", "--label", `${E2E_LABEL}=${id}`, "--build-arg", `BASE=${BASE_IMAGE}`, "-f", join(ROOT, "Dockerfile"), "-t", image, ctx], { env: { DOCKER_BUILDKIT: "0" }, timeoutMs: 300_000 });
  rmSync(join(ctx, "dist"), { recursive: true, force: true });
  progress(`images ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return image;
}

function nodeRun(state: Pick<ClusterState, "id" | "network" | "image">, node: ClusterNode, extra: string[]): string[] {
  return [
    "docker", "create",
    "--name", node.container,
    "--hostname", node.nodeName,
    "--label", `${E2E_LABEL}=${state.id}`,
    "--network", state.network,
    "--ip", node.ip,
    // The nodes' resolver is the cluster's own stand-in (names outside the cluster never leave it).
    "-v", `${stateDir(state.id)}/resolv.conf:/etc/resolv.conf:ro`,
    ...DIND_FLAGS,
    "-v", `${node.container}-kts:/var/lib/kts`,
    "-v", `${node.container}-docker:/var/lib/docker`,
    ...extra,
  ];
}

async function createVolumes(id: string, container: string): Promise<void> {
  for (const v of [`${container}-kts`, `${container}-docker`]) await must(["docker", "volume", "create", "--label", `${E2E_LABEL}=${id}`, v]);
}

export async function kubectl(state: Pick<ClusterState, "kubeconfig">, args: string[], opts: { stdin?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return run([kubectlPath(), "--kubeconfig", state.kubeconfig, ...args], { stdin: opts.stdin, timeoutMs: opts.timeoutMs ?? 60_000 });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, progress: (l: string) => void): Promise<void> {
  const started = Date.now();
  let lastNote = started;
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    if (Date.now() - lastNote > 15_000) {
      progress(`still waiting for ${what} (${Math.round((Date.now() - started) / 1000)} s)`);
      lastNote = Date.now();
    }
    await Bun.sleep(500);
  }
}

/**
 * The nodes' upstream resolver: scripts/e2e/upstream.ts (example.test names), bundled and run by
 * the node image's kts as Bun on the cluster network. Every node's /etc/resolv.conf names it, so
 * the cluster DNS forwards there and nothing asks the machine's real resolvers.
 */
async function startUpstream(id: string, network: string, image: string, ip: string): Promise<string> {
  const dir = stateDir(id);
  await must([process.execPath, "build", join(ROOT, "scripts", "e2e", "upstream.ts"), "--target", "bun", "--outfile", join(dir, "upstream.js")]);
  writeFileSync(join(dir, "resolv.conf"), `nameserver ${ip}\n`);
  await must([
    "docker", "run", "-d",
    "--name", `kts-e2e-${id}-resolver`,
    "--label", `${E2E_LABEL}=${id}`,
    "--network", network,
    "--ip", ip,
    "-v", `${join(dir, "upstream.js")}:/upstream.js:ro`,
    "-e", "BUN_BE_BUN=1",
    "--entrypoint", "/usr/local/bin/kts",
    image, "run", "/upstream.js",
  ]);
  return ip;
}

/** Starts the cluster; on failure removes what it made and throws. */
export async function clusterUp(opts: UpOptions = {}): Promise<ClusterState> {
  const id = opts.id ?? `c${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
  const progress = opts.progress ?? ((l: string) => process.stderr.write(`e2e-cluster ${id}: ${l}\n`));
  const started = Date.now();
  const dir = stateDir(id);
  mkdirSync(dir, { recursive: true });
  try {
    const image = await buildImages(id, progress);
    progress("test images (docker save of the busybox image, for the agents' airgap directories)");
    await ensureTestImage();
    // <dir>/airgap/agent/images/busybox.tar, copied as a tree onto each agent's /var/lib/kts.
    const airgap = join(dir, "airgap", "agent");
    mkdirSync(join(airgap, "images"), { recursive: true });
    await must(["docker", "save", "-o", join(airgap, "images", "busybox.tar"), TEST_IMAGE]);

    const subnet = await freeSubnet();
    const network = `kts-e2e-${id}`;
    await must(["docker", "network", "create", "--label", `${E2E_LABEL}=${id}`, "--subnet", subnet, network]);
    const prefix = subnet.split(".").slice(0, 3).join(".");
    const server: ClusterNode = { container: `kts-e2e-${id}-server`, nodeName: "server", ip: `${prefix}.2` };
    const agents: ClusterNode[] = Array.from({ length: opts.agents ?? 2 }, (_, i) => ({ container: `kts-e2e-${id}-agent-${i + 1}`, nodeName: `agent-${i + 1}`, ip: `${prefix}.${i + 3}` }));
    const upstream = await startUpstream(id, network, image, `${prefix}.254`);
    const apiPort = await freeHostPort();
    const secret = crypto.randomUUID().replaceAll("-", "");
    const base = { id, network, image };
    progress(`network ${network} ${subnet}; server ${server.ip}, agents ${agents.map((a) => a.ip).join(" ")}, resolver ${upstream}; API on 127.0.0.1:${apiPort}`);

    await createVolumes(id, server.container);
    const serverArgs = [
      "server",
      "--token", secret,
      "--disable-agent",
      "--advertise-address", server.ip,
      "--https-listen-port", "6443",
      "-o", "/var/lib/kts/kubeconfig.yaml",
      // Nodes that stop answering are noticed in seconds, not the default 40 s.
      "--kube-controller-manager-arg", "node-monitor-grace-period=12s",
      // Otherwise kts's defaults (KTS_E2E_SERVER_ARGS adds flags, e.g. --kube-apiserver-arg authorization-mode=Node,RBAC).
      ...(process.env.KTS_E2E_SERVER_ARGS?.split(" ").filter(Boolean) ?? []),
      ...(opts.serverArgs ?? []),
    ];
    await must([...nodeRun(base, server, ["-p", `127.0.0.1:${apiPort}:6443`]), image, ...serverArgs]);
    await must(["docker", "start", server.container]);
    progress("server started; waiting for the API");
    const kubeconfig = join(dir, "kubeconfig.yaml");
    const state: ClusterState = { id, network, subnet, image, apiPort, kubeconfig, token: "", server, agents, agentArgs: {} };
    await waitFor("the server's kubeconfig", async () => (await run(["docker", "exec", server.container, "test", "-s", "/var/lib/kts/kubeconfig.yaml"])).code === 0, 60_000, progress);
    const kc = await must(["docker", "exec", server.container, "cat", "/var/lib/kts/kubeconfig.yaml"]);
    writeFileSync(kubeconfig, kc.replace(/server: https:\/\/[^\s]+/, `server: https://127.0.0.1:${apiPort}`), { mode: 0o600 });
    await waitFor("the API server", async () => (await kubectl(state, ["get", "--raw", "/readyz"])).stdout.trim() === "ok", 60_000, progress);
    state.token = (await must(["docker", "exec", server.container, "kts", "token", "--data-dir", "/var/lib/kts"])).trim();

    progress(`starting ${agents.length} agents`);
    for (const a of agents) {
      await createVolumes(id, a.container);
      const args = [
        "agent",
        "--join", `https://${server.ip}:6443`,
        "--token", state.token,
        "--node-name", a.nodeName,
        "--node-ip", a.ip,
        "--kubelet-arg", "node-status-update-frequency=2s",
        "--kubelet-arg", "node-lease-duration-seconds=8",
        ...(opts.agentArgs ?? []),
      ];
      state.agentArgs[a.container] = args;
      await must([...nodeRun(base, a, []), image, ...args]);
      // The airgap directory, in place before the agent starts (it loads the archives at start).
      await must(["docker", "cp", airgap, `${a.container}:/var/lib/kts/`]);
      await must(["docker", "start", a.container]);
    }
    writeFileSync(join(dir, "state.json"), JSON.stringify(state, null, 2));
    progress("waiting for the nodes to be Ready");
    await waitFor(
      "every agent Ready",
      async () => {
        const r = await kubectl(state, ["get", "nodes", "-o", 'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status} {end}']);
        const ready = r.stdout.split(" ").filter((x) => x.endsWith("=True")).length;
        return ready === agents.length;
      },
      180_000,
      progress,
    );
    if (opts.waitForDns !== false) {
      progress("waiting for the cluster DNS (kube-system/coredns)");
      await waitFor("the coredns Deployment available", async () => (await kubectl(state, ["-n", "kube-system", "get", "deploy", "coredns", "-o", "jsonpath={.status.availableReplicas}"])).stdout.trim() === "1", 240_000, progress);
    }
    progress(`cluster up in ${((Date.now() - started) / 1000).toFixed(1)} s; kubeconfig ${kubeconfig}`);
    return state;
  } catch (err) {
    progress(`failed: ${(err as Error).message}; removing what was made`);
    await clusterLogs(id, progress).catch(() => undefined);
    if (process.env.KTS_E2E_KEEP === "1") progress(`KTS_E2E_KEEP=1: left in place (scripts/e2e-cluster down ${id})`);
    else await clusterDown(id, progress);
    throw err;
  }
}

/** The last lines of every node's log (for a failure report). */
export async function clusterLogs(id: string, out: (l: string) => void, lines = 40): Promise<void> {
  const names = (await must(["docker", "ps", "-a", "--filter", `label=${E2E_LABEL}=${id}`, "--format", "{{.Names}}"])).split("\n").filter(Boolean);
  for (const n of names) {
    const r = await run(["docker", "logs", "--tail", String(lines), n]);
    out(`--- ${n}\n${r.stdout}${r.stderr}`);
  }
}

/** Removes the containers, volumes, network and node image labelled kts.e2e=<id>, and its state. */
export async function clusterDown(id: string, progress: (l: string) => void = (l) => process.stderr.write(`e2e-cluster ${id}: ${l}\n`)): Promise<void> {
  const label = `label=${E2E_LABEL}=${id}`;
  const containers = (await run(["docker", "ps", "-aq", "--filter", label])).stdout.split("\n").filter(Boolean);
  if (containers.length) await run(["docker", "rm", "-f", "-v", ...containers]);
  const volumes = (await run(["docker", "volume", "ls", "-q", "--filter", label])).stdout.split("\n").filter(Boolean);
  if (volumes.length) await run(["docker", "volume", "rm", "-f", ...volumes]);
  const networks = (await run(["docker", "network", "ls", "-q", "--filter", label])).stdout.split("\n").filter(Boolean);
  if (networks.length) await run(["docker", "network", "rm", ...networks]);
  const images = (await run(["docker", "images", "-q", "--filter", label])).stdout.split("\n").filter(Boolean);
  if (images.length) await run(["docker", "rmi", "-f", ...new Set(images)]);
  if (existsSync(stateDir(id))) rmSync(stateDir(id), { recursive: true, force: true });
  progress(`removed ${containers.length} containers, ${volumes.length} volumes, ${networks.length} networks, ${new Set(images).size} images`);
}

/** Cluster ids with something still labelled on this machine. */
export async function clusterIds(): Promise<string[]> {
  const ids = new Set<string>();
  for (const kind of [["ps", "-a"], ["network", "ls"], ["volume", "ls"]]) {
    const r = await run(["docker", ...kind, "--filter", `label=${E2E_LABEL}`, "--format", `{{.Label "${E2E_LABEL}"}}`]);
    for (const v of r.stdout.split("\n").filter(Boolean)) if (v !== "base") ids.add(v);
  }
  return [...ids];
}
