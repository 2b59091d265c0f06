/**
 * Throughput of the etcd v3 listener measured with the lean client: sequential and concurrent
 * unary calls (Range of one key, Put) and put-to-watch-event latency. The listener runs in a
 * child process (so client and server do not share a CPU), over a store in a temporary
 * directory, on 127.0.0.1 only.
 *
 *   bun scripts/bench/etcd-api.ts [--seconds 3] [--concurrency 16] [--sync normal|full]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { EtcdClient } from "../../src/etcdapi/client.ts";
import { startEtcdServer } from "../../src/etcdapi/index.ts";
import { logger } from "../../src/log/index.ts";
import { SqliteBackend, type SyncMode } from "../../src/store/index.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "3" },
    concurrency: { type: "string", default: "16" },
    sync: { type: "string", default: "normal" },
    serve: { type: "boolean", default: false },
  },
});

if (values.serve) await serve(values.sync as SyncMode);
else await bench(Number(values.seconds), Number(values.concurrency), values.sync);

/** Child mode: run the listener, print its port, stop when stdin closes. */
async function serve(sync: SyncMode): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "kts-bench-etcd-"));
  const backend = SqliteBackend.open({ path: join(dir, "state.db"), sync });
  const server = await startEtcdServer({ backend, host: "127.0.0.1", port: 0, log: logger("etcd") });
  console.log(server.port);
  for await (const _ of Bun.stdin.stream()) {
    // Wait for the parent to close our stdin.
  }
  await server.close();
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
}

async function bench(seconds: number, concurrency: number, sync: string): Promise<void> {
  const child = Bun.spawn([process.execPath, import.meta.path, "--serve", "--sync", sync], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
  const reader = child.stdout.getReader();
  const first = await reader.read();
  const port = Number(new TextDecoder().decode(first.value).trim());
  const client = new EtcdClient(`127.0.0.1:${port}`);
  try {
    await run(client, seconds, concurrency);
  } finally {
    await client.close();
    child.stdin.end();
    await child.exited;
  }
}

async function run(client: EtcdClient, seconds: number, concurrency: number): Promise<void> {
  const key = Buffer.from("/bench/key");
  const value = Buffer.alloc(256, 1);
  await client.put({ key, value });

  const measure = async (name: string, workers: number, op: (i: number) => Promise<unknown>) => {
    const deadline = performance.now() + seconds * 1000;
    let done = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: workers }, async (_, w) => {
        for (let i = 0; performance.now() < deadline; i++) {
          await op(w * 1_000_000 + i);
          done++;
        }
      }),
    );
    const rate = done / ((performance.now() - started) / 1000);
    console.log(`${name.padEnd(28)} ${workers.toString().padStart(3)} in flight  ${Math.round(rate).toString().padStart(7)} ops/s`);
  };

  await measure("Range (one key)", 1, () => client.range({ key }));
  await measure("Range (one key)", concurrency, () => client.range({ key }));
  await measure("Put", 1, (i) => client.put({ key: Buffer.from(`/bench/put/${i % 1000}`), value }));
  await measure("Put", concurrency, (i) => client.put({ key: Buffer.from(`/bench/put/${i % 1000}`), value }));

  // Watch latency: from sending a Put to the event's arrival on an open watch.
  const watch = client.watch();
  watch.send({ create_request: { key: Buffer.from("/bench/watched") } });
  await watch.next();
  const latencies: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    await client.put({ key: Buffer.from("/bench/watched"), value });
    await watch.next();
    latencies.push(performance.now() - t0);
  }
  latencies.sort((a, b) => a - b);
  console.log(`put + watch event            p50 ${latencies[100]!.toFixed(2)} ms  p99 ${latencies[198]!.toFixed(2)} ms`);
  watch.cancel();
}
