/**
 * End-to-end harness: a real `kts server` child process on a random loopback port in a temporary
 * data dir, and a real kubectl pointed at it through the kubeconfig the server wrote. Everything
 * it starts is stopped and removed by `stop()`.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kubectlPath } from "./kubectl.ts";
import { RUN_ID, TEST_LABEL } from "./docker.ts";

const KTS = join(import.meta.dir, "..", "..", "cmd", "kts.ts");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestServer {
  dataDir: string;
  kubeconfig: string;
  port: number;
  /** https://127.0.0.1:<port> */
  url: string;
  /** The embedded agent's node name, when the server runs one. */
  nodeName?: string;
  /** The join token (`kts token`): K10<CA hash>::server:<secret>. */
  token(): string;
  /** Runs kubectl against the server. */
  kubectl(args: string[], opts?: { stdin?: string; env?: Record<string, string>; timeoutMs?: number }): Promise<RunResult>;
  /** Like kubectl(), but fails the test unless it exits 0; returns stdout. */
  k(...args: string[]): Promise<string>;
  /** Server log so far. */
  log(): string;
  /** Stops the server; its data dir is removed unless `keepData` (to start another server on it). */
  stop(opts?: { keepData?: boolean }): Promise<number>;
}

export interface TestServerOptions {
  /** Adds variables to the server's environment (Bun.spawn does not see later changes to process.env). */
  env?: Record<string, string>;
  /** Runs on this data dir (a stopped server's, kept with `keepData`) instead of a new one. */
  dataDir?: string;
  /**
   * Runs the embedded agent (off by default: API tests need no node). It gets a random node name,
   * fast status and lease intervals, and labels its containers with this test run's id.
   */
  agent?: boolean | { nodeName?: string };
  /** Deploys the packaged components (coredns); off by default (`--disable coredns`) so API tests see only their own objects. */
  packaged?: boolean;
  /**
   * Runs the pod network and service proxy (off by default: many test servers run at once on one
   * machine, and without this they use --flannel-backend none --disable-kube-proxy). Give the
   * server its own --cluster-cidr/--service-cidr and KTS_NET_PREFIX (env) when turning it on.
   */
  network?: boolean;
}

/** A node name no other test (or a real node on this machine) uses. */
export function testNodeName(prefix = "kts-test"): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Agent flags that keep tests quick: status every second, lease renewed every second. */
export const FAST_AGENT_ARGS = ["--kubelet-arg", "node-status-update-frequency=1s", "--kubelet-arg", "node-lease-duration-seconds=4"];

export async function startTestServer(extraArgs: string[] = [], opts: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "kts-e2e-"));
  const kubeconfig = join(dataDir, "kubeconfig.yaml");
  const nodeName = opts.agent ? ((typeof opts.agent === "object" && opts.agent.nodeName) || testNodeName()) : undefined;
  const agentArgs = nodeName ? ["--node-name", nodeName, ...FAST_AGENT_ARGS] : ["--disable-agent"];
  if (!opts.packaged) agentArgs.push("--disable", "coredns");
  if (!opts.network) agentArgs.push("--flannel-backend", "none", "--disable-kube-proxy");
  const proc = Bun.spawn(
    [process.execPath, KTS, "server", "--data-dir", dataDir, "--https-listen-port", "0", "--bind-address", "127.0.0.1", "-o", kubeconfig, ...agentArgs, ...extraArgs],
    { stdout: "pipe", stderr: "pipe", env: { ...process.env, KTS_CONTAINER_LABELS: `${TEST_LABEL}=${RUN_ID}`, ...opts.env } },
  );
  let logText = "";
  const ready = Promise.withResolvers<number>();
  (async () => {
    for await (const chunk of proc.stderr) {
      logText += new TextDecoder().decode(chunk);
      const m = /kts server is running .*apiPort=(\d+)/.exec(logText);
      if (m) ready.resolve(Number(m[1]));
    }
    ready.reject(new Error(`kts server exited before it was ready:\n${logText}`));
  })();
  const timer = setTimeout(() => ready.reject(new Error(`kts server not ready after 15s:\n${logText}`)), 15_000);
  const port = await ready.promise.finally(() => clearTimeout(timer));
  const kubectl = kubectlPath();
  const cacheDir = join(dataDir, "kube-cache");

  const run: TestServer["kubectl"] = async (args, opts = {}) => {
    const child = Bun.spawn([kubectl, "--kubeconfig", kubeconfig, "--cache-dir", cacheDir, ...args], {
      stdin: opts.stdin !== undefined ? new Blob([opts.stdin]) : "ignore",
      stdout: "pipe",
      stderr: "pipe",
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dataDir, ...opts.env },
    });
    const killer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 30_000);
    const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
    clearTimeout(killer);
    return { code, stdout, stderr };
  };

  return {
    dataDir,
    kubeconfig,
    port,
    url: `https://127.0.0.1:${port}`,
    nodeName,
    token: () => readFileSync(join(dataDir, "server", "token"), "utf8").trim(),
    kubectl: run,
    async k(...args) {
      const r = await run(args);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
      return r.stdout;
    },
    log: () => logText,
    async stop(stopOpts = {}) {
      proc.kill("SIGTERM");
      const code = await proc.exited;
      if (!stopOpts.keepData) rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
