/** Test helpers: a listener over a fresh store in a temporary directory, and an etcdctl runner. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { logger } from "../log/index.ts";
import { SqliteBackend, type SqliteBackendOptions } from "../store/index.ts";
import { EtcdClient } from "./client.ts";
import { type EtcdServer, startEtcdServer } from "./index.ts";

export const ETCDCTL = "/usr/bin/etcdctl";

export interface TestCluster {
  dir: string;
  backend: SqliteBackend;
  server: EtcdServer;
  endpoint: string;
  /** A lean client, created on first use and closed by dispose(). */
  client(): EtcdClient;
  /** Runs etcdctl against the listener; never throws on a non-zero exit. */
  etcdctl(args: string[], opts?: { stdin?: string | Uint8Array; timeoutMs?: number }): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Starts a long-running etcdctl (e.g. watch); the caller kills it, dispose() kills it too. */
  spawnEtcdctl(args: string[]): Bun.Subprocess<"ignore", "pipe", "pipe">;
  dispose(): Promise<void>;
}

/** Only loopback, always: these tests must never listen on or talk to anything else. */
const HOST = "127.0.0.1";

export async function startTestCluster(
  opts: { store?: Partial<SqliteBackendOptions>; progressNotifyIntervalMs?: number } = {},
): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), "kts-etcdapi-"));
  const backend = SqliteBackend.open({ path: join(dir, "state.db"), ...opts.store });
  const server = await startEtcdServer({
    backend,
    host: HOST,
    port: 0,
    log: logger("etcd-test"),
    progressNotifyIntervalMs: opts.progressNotifyIntervalMs,
  });
  const endpoint = `${HOST}:${server.port}`;
  const children = new Set<Bun.Subprocess>();
  let client: EtcdClient | undefined;
  const env = { ETCDCTL_API: "3", PATH: process.env.PATH ?? "/usr/bin:/bin" };

  return {
    dir,
    backend,
    server,
    endpoint,
    client: () => (client ??= new EtcdClient(endpoint)),
    async etcdctl(args, o = {}) {
      const proc = Bun.spawn([ETCDCTL, `--endpoints=${endpoint}`, ...args], {
        env,
        stdin: o.stdin === undefined ? "ignore" : new Blob([o.stdin]),
        stdout: "pipe",
        stderr: "pipe",
      });
      children.add(proc);
      const timer = setTimeout(() => proc.kill(), o.timeoutMs ?? 20_000);
      try {
        const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
        return { code, stdout, stderr };
      } finally {
        clearTimeout(timer);
        children.delete(proc);
      }
    },
    spawnEtcdctl(args) {
      const proc = Bun.spawn([ETCDCTL, `--endpoints=${endpoint}`, ...args], { env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
      children.add(proc);
      void proc.exited.then(() => children.delete(proc));
      return proc;
    },
    async dispose() {
      for (const proc of children) proc.kill();
      await Promise.all([...children].map((p) => p.exited));
      await client?.close();
      await server.close();
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Accumulates a child's output; `until` waits for text matching a predicate. */
export class OutputReader {
  text = "";
  private readonly decoder = new TextDecoder();
  private readonly pump: Promise<void>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.pump = (async () => {
      for await (const chunk of stream) this.text += this.decoder.decode(chunk, { stream: true });
    })().catch(() => {});
  }

  /** Resolves with all output so far once `predicate` holds; throws with the output on timeout. */
  async until(predicate: (text: string) => boolean, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.text)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for output; got:\n${this.text}`);
      await Bun.sleep(20);
    }
    return this.text;
  }

  /** All output, once the stream has ended. */
  async all(): Promise<string> {
    await this.pump;
    return this.text;
  }
}
