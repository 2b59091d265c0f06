/**
 * `kts agent` child processes for end-to-end tests: each has its own temporary data dir and a
 * random node name, fast status and lease intervals, and labels its containers with this test
 * run's id. stop() ends the process (SIGTERM) and removes its data dir unless asked to keep it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RUN_ID, TEST_LABEL } from "./docker.ts";
import { FAST_AGENT_ARGS, testNodeName } from "./server.ts";

const KTS = join(import.meta.dir, "..", "..", "cmd", "kts.ts");

export interface TestAgent {
  nodeName: string;
  /** The --data-dir (the agent's own files are under <dataDir>/agent). */
  dataDir: string;
  /** Resolves once the agent runs, rejects if it exits first. */
  ready: Promise<void>;
  /** The exit code. */
  exited: Promise<number>;
  log(): string;
  stop(opts?: { keepData?: boolean }): Promise<number>;
}

export interface TestAgentOptions {
  nodeName?: string;
  /** Reuse a data dir (a stopped agent's, kept with keepData). */
  dataDir?: string;
  /** More flags (--node-label, ...). */
  args?: string[];
  env?: Record<string, string>;
  /** How long `ready` waits (default 30 s). */
  readyTimeoutMs?: number;
}

export function startTestAgent(serverUrl: string, token: string, opts: TestAgentOptions = {}): TestAgent {
  const nodeName = opts.nodeName ?? testNodeName("kts-agent");
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "kts-agent-"));
  const proc = Bun.spawn(
    [process.execPath, KTS, "agent", "--join", serverUrl, "--token", token, "--data-dir", dataDir, "--node-name", nodeName, ...FAST_AGENT_ARGS, ...(opts.args ?? [])],
    { stdout: "pipe", stderr: "pipe", env: { ...process.env, KTS_CONTAINER_LABELS: `${TEST_LABEL}=${RUN_ID}`, ...opts.env } },
  );
  let text = "";
  const ready = Promise.withResolvers<void>();
  const drained = (async () => {
    for await (const chunk of proc.stderr) {
      text += new TextDecoder().decode(chunk);
      if (text.includes("kts agent is running")) ready.resolve();
    }
  })();
  const exited = drained.then(() => proc.exited);
  void exited.then((code) => ready.reject(new Error(`kts agent exited (${code}) before it was running:\n${text}`)));
  const timer = setTimeout(() => ready.reject(new Error(`kts agent not running after ${opts.readyTimeoutMs ?? 30_000} ms:\n${text}`)), opts.readyTimeoutMs ?? 30_000);
  void ready.promise.then(
    () => clearTimeout(timer),
    () => clearTimeout(timer),
  );
  return {
    nodeName,
    dataDir,
    ready: ready.promise,
    exited,
    log: () => text,
    async stop(stopOpts = {}) {
      proc.kill("SIGTERM");
      const code = await exited;
      if (!stopOpts.keepData) rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
