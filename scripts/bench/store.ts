/**
 * The store against a real etcd, side by side in one run, same clients, same workloads:
 *
 *   - puts, 1 client and 16 clients: h2load (nghttp2's native HTTP/2 load generator) sends the
 *     same gRPC Put to both servers, so neither server is limited by a JavaScript client;
 *   - range of 1,000 keys: h2load, and the lean client for p50/p99;
 *   - watch delivery: put sent -> event received, lean client, p50/p99;
 *   - database size after N updates to 1,000 keys (default 1,000,000), before and after
 *     compact + defrag, against the size of the live data;
 *   - the floor of a put at 1 client (store-floor.ts): a no-op gRPC call to each server, one
 *     fdatasync, and the store alone in this process, with and without a flush.
 *
 * kts runs as a real `kts server --etcd-listen` child, once with --datastore-sync full (fsync per
 * commit, etcd's durability) and once with normal. etcd is Debian's etcd-server with default
 * durability. Everything listens on 127.0.0.1 in temporary directories removed at the end.
 *
 * Puts are measured in interleaved rounds (etcd, kts full, kts normal, then again), all three
 * servers running, and each keeps its best round: load from elsewhere on a shared machine then
 * lowers one round, not one system.
 *
 *   bun scripts/bench/store.ts [--updates 1000000] [--puts 20000] [--rounds 3] [--skip-size]
 *
 * Needs: etcd (apt-get install etcd-server) and h2load (apt-get install nghttp2-client).
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { freePort, percentile, requireTool, step } from "./lib.ts";
import { EtcdClient } from "../../src/etcdapi/client.ts";
import { etcdCodecs } from "../../src/etcdapi/proto/codec.ts";
import { encodeFrame } from "../../src/etcdapi/grpc/framing.ts";
import { prefixEnd } from "../../src/store/index.ts";
import { measureFdatasync, measureStorePut } from "./store-floor.ts";

const { values: args } = parseArgs({
  options: {
    updates: { type: "string", default: "1000000" },
    puts: { type: "string", default: "20000" },
    rounds: { type: "string", default: "3" },
    "skip-size": { type: "boolean", default: false },
  },
});
const UPDATES = Number(args.updates);
const PUTS = Number(args.puts);
const ROUNDS = Math.max(1, Number(args.rounds));
const VALUE = Buffer.alloc(300, 0x61);
const KTS = join(import.meta.dir, "..", "..", "cmd", "kts.ts");
const scratch = mkdtempSync(join(tmpdir(), "kts-bench-store-"));
const children: Array<ReturnType<typeof Bun.spawn>> = [];

interface Target {
  name: string;
  endpoint: string;
  dataDir: string;
  /** Bytes of the database files on disk: etcd's bbolt file; kts's SQLite file and its WAL. */
  diskBytes(): number;
}

interface Figures {
  put1: number;
  put16: number;
  put1MeanUs: number;
  range1k: number;
  rangeP50: number;
  rangeP99: number;
  watchP50: number;
  watchP99: number;
  updatesPerSec?: number;
  sizeBefore?: number;
  sizeAfter?: number;
}




async function waitReady(endpoint: string, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const client = new EtcdClient(endpoint);
    try {
      await client.status();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${what} did not become ready on ${endpoint}`);
      await Bun.sleep(100);
    } finally {
      await client.close();
    }
  }
}

function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function dirBytes(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}

async function startEtcd(): Promise<Target> {
  const [client, peer] = [await freePort(), await freePort()];
  const dataDir = join(scratch, "etcd");
  const proc = Bun.spawn(
    [
      "etcd",
      "--name=bench",
      `--data-dir=${dataDir}`,
      `--listen-client-urls=http://127.0.0.1:${client}`,
      `--advertise-client-urls=http://127.0.0.1:${client}`,
      `--listen-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-cluster=bench=http://127.0.0.1:${peer}`,
      "--quota-backend-bytes=8589934592",
      "--log-level=error",
      "--logger=zap",
    ],
    { stdout: "ignore", stderr: "ignore" },
  );
  children.push(proc);
  const endpoint = `127.0.0.1:${client}`;
  await waitReady(endpoint, "etcd");
  return { name: "etcd 3.4", endpoint, dataDir, diskBytes: () => dirBytes(join(dataDir, "member", "snap")) };
}

async function startKts(sync: "full" | "normal"): Promise<Target> {
  const port = await freePort();
  const dataDir = join(scratch, `kts-${sync}`);
  const proc = Bun.spawn(
    [
      process.execPath, KTS, "server", "--data-dir", dataDir, "--etcd-listen", `127.0.0.1:${port}`, "--datastore-sync", sync,
      "--https-listen-port", "0", "--bind-address", "127.0.0.1", "-o", join(dataDir, "kubeconfig.yaml"), "--disable-agent",
    ],
    { stdout: "ignore", stderr: "ignore" },
  );
  children.push(proc);
  const endpoint = `127.0.0.1:${port}`;
  await waitReady(endpoint, "kts");
  // The -shm wal-index (a mapped, rebuildable cache), the lock and pid files are not data.
  const db = join(dataDir, "server", "db", "state.db");
  return { name: `kts (${sync})`, endpoint, dataDir, diskBytes: () => fileBytes(db) + fileBytes(`${db}-wal`) };
}

/** Runs h2load with one gRPC request body; returns requests/s and mean latency (µs). */
async function h2load(endpoint: string, path: string, body: Uint8Array, requests: number, clients: number): Promise<{ rps: number; meanUs: number }> {
  const file = join(scratch, `body-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, body);
  const proc = Bun.spawn(
    ["h2load", "-n", String(requests), "-c", String(clients), "-m", "1", "-d", file, "-H", "content-type: application/grpc", "-H", "te: trailers", `http://${endpoint}${path}`],
    { stdout: "pipe", stderr: "pipe" },
  );
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  rmSync(file);
  const rps = Number(/finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(out)?.[1]);
  const succeeded = Number(/(\d+) succeeded/.exec(out)?.[1]);
  const mean = /time for request:\s+\S+\s+\S+\s+(\S+)/.exec(out)?.[1] ?? "0us";
  if (!rps || succeeded !== requests) throw new Error(`h2load against ${endpoint}${path} failed:\n${out}`);
  const meanUs = mean.endsWith("ms") ? parseFloat(mean) * 1000 : mean.endsWith("us") ? parseFloat(mean) : parseFloat(mean) * 1e6;
  return { rps, meanUs };
}


const codecs = etcdCodecs();
const enc = (s: string) => Buffer.from(s, "latin1");

type PutFigures = Pick<Figures, "put1" | "put16" | "put1MeanUs">;

const putBody = () => encodeFrame(codecs.PutRequest.encode({ key: enc("/bench/put"), value: VALUE }));

async function measurePuts(target: Target, round: number): Promise<PutFigures> {
  step(`${target.name}: puts, 1 client (round ${round})`);
  const put1 = await h2load(target.endpoint, "/etcdserverpb.KV/Put", putBody(), Math.round(PUTS / 2), 1);
  step(`${target.name}: puts, 16 clients (round ${round})`);
  const put16 = await h2load(target.endpoint, "/etcdserverpb.KV/Put", putBody(), PUTS * 2, 16);
  return { put1: put1.rps, put16: put16.rps, put1MeanUs: put1.meanUs };
}

/** The best of each figure over the rounds. */
function bestPuts(rounds: PutFigures[]): PutFigures {
  return {
    put1: Math.max(...rounds.map((r) => r.put1)),
    put16: Math.max(...rounds.map((r) => r.put16)),
    put1MeanUs: Math.min(...rounds.map((r) => r.put1MeanUs)),
  };
}

async function measure(target: Target, puts: PutFigures): Promise<Figures> {
  const client = new EtcdClient(target.endpoint);
  step(`${target.name}: range of 1,000 keys`);
  await Promise.all(
    Array.from({ length: 1000 }, (_, i) => client.put({ key: enc(`/bench/range/key-${String(i).padStart(4, "0")}`), value: VALUE })),
  );
  const rangeReq = { key: enc("/bench/range/"), range_end: enc(prefixEnd("/bench/range/")) };
  const check = await client.range(rangeReq);
  if (check.kvs.length !== 1000) throw new Error(`${target.name}: range returned ${check.kvs.length} keys`);
  const range = await h2load(target.endpoint, "/etcdserverpb.KV/Range", encodeFrame(codecs.RangeRequest.encode(rangeReq)), 2000, 1);
  const rangeLat: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t0 = performance.now();
    await client.range(rangeReq);
    rangeLat.push(performance.now() - t0);
  }
  rangeLat.sort((a, b) => a - b);

  step(`${target.name}: watch delivery`);
  const watchLat = await watchLatency(client);

  const figures: Figures = {
    ...puts,
    range1k: range.rps,
    rangeP50: percentile(rangeLat, 50),
    rangeP99: percentile(rangeLat, 99),
    watchP50: percentile(watchLat, 50),
    watchP99: percentile(watchLat, 99),
  };
  if (!args["skip-size"]) Object.assign(figures, await sizeAfterUpdates(target, client));
  await client.close();
  return figures;
}

/** Put sent -> watch event received, for 1,000 puts spaced 2 ms apart. */
async function watchLatency(client: EtcdClient): Promise<number[]> {
  const stream = client.watch();
  stream.send({ create_request: { key: enc("/bench/watch/"), range_end: enc(prefixEnd("/bench/watch/")) } });
  const created = await stream.next();
  if (!created?.created) throw new Error("watch was not created");
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const reader = (async () => {
    while (latencies.length < 1000) {
      const res = await stream.next(10_000);
      if (!res) throw new Error(`watch stalled after ${latencies.length} events`);
      const now = performance.now();
      for (const ev of res.events ?? []) latencies.push(now - sentAt.get(Buffer.from(ev.kv!.key!).toString("latin1"))!);
    }
  })();
  for (let i = 0; i < 1000; i++) {
    const key = `/bench/watch/${i % 50}`;
    sentAt.set(key, performance.now());
    await client.put({ key: enc(key), value: VALUE });
    await Bun.sleep(2);
  }
  await reader;
  stream.cancel();
  return latencies.sort((a, b) => a - b);
}

/** UPDATES puts over 1,000 keys, then the file size before and after compact + defrag. */
async function sizeAfterUpdates(target: Target, client: EtcdClient): Promise<Partial<Figures>> {
  // Only the 1,000 keys of this run stay live, so the size compares with exactly that data.
  await client.deleteRange({ key: enc("/bench/"), range_end: enc(prefixEnd("/bench/")) });
  step(`${target.name}: ${UPDATES.toLocaleString()} updates to 1,000 keys`);
  let next = 0;
  const t0 = performance.now();
  let lastReport = t0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < UPDATES) {
        const i = next++;
        await client.put({ key: enc(`/bench/size/key-${String(i % 1000).padStart(4, "0")}`), value: VALUE });
        if (performance.now() - lastReport > 10_000) {
          lastReport = performance.now();
          step(`${target.name}: ${Math.round((100 * i) / UPDATES)}% of updates`);
        }
      }
    }),
  );
  const updatesPerSec = UPDATES / ((performance.now() - t0) / 1000);
  const sizeBefore = target.diskBytes();
  const { header } = await client.status();
  await client.compact({ revision: header!.revision!, physical: true });
  await client.call("/etcdserverpb.Maintenance/Defragment", codecs.DefragmentRequest, codecs.DefragmentResponse, {});
  // Let kts finish returning free pages (it compacts in steps) before measuring.
  await Bun.sleep(1000);
  const sizeAfter = target.diskBytes();
  return { updatesPerSec, sizeBefore, sizeAfter };
}

function fmt(n: number | undefined, digits = 0): string {
  if (n === undefined) return "-";
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function mb(n: number | undefined): string {
  return n === undefined ? "-" : `${(n / 1024 / 1024).toFixed(2)} MB`;
}

async function main(): Promise<void> {
  requireTool("etcd", "etcd-server");
  requireTool("h2load", "nghttp2-client");
  const targets: Target[] = [];
  for (const start of [startEtcd, () => startKts("full"), () => startKts("normal")]) targets.push(await start());
  // kts keeps bootstrapping for a moment after it answers (controllers syncing): let it settle.
  await Bun.sleep(5000);
  const rounds = targets.map(() => [] as PutFigures[]);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [i, target] of targets.entries()) rounds[i]!.push(await measurePuts(target, round));
  }
  const noopUs = new Map<string, number>();
  for (const target of targets) {
    step(`${target.name}: no-op gRPC calls, 1 client`);
    noopUs.set(target.name, (await h2load(target.endpoint, "/etcdserverpb.Cluster/MemberList", encodeFrame(new Uint8Array(0)), 10000, 1)).meanUs);
  }
  const results: Array<{ target: Target; figures: Figures }> = [];
  for (const [i, target] of targets.entries()) results.push({ target, figures: await measure(target, bestPuts(rounds[i]!)) });
  for (const c of children.splice(0)) {
    c.kill("SIGTERM");
    await c.exited;
  }
  step("floor: fdatasync, and the store in this process");
  const fdatasyncUs = measureFdatasync(scratch);
  const storeNormalUs = await measureStorePut(scratch, "normal", "/bench/put", VALUE);
  const storeFullUs = await measureStorePut(scratch, "full", "/bench/put", VALUE);
  const live = 1000 * ("/bench/size/key-0000".length + VALUE.length);
  const etcd = results[0]!.figures;
  const rows: Array<[string, (f: Figures) => string, ((f: Figures) => number) | undefined, boolean]> = [
    ["puts/s, 1 client", (f) => fmt(f.put1), (f) => f.put1, true],
    ["put mean latency, 1 client (µs)", (f) => fmt(f.put1MeanUs), (f) => f.put1MeanUs, false],
    ["puts/s, 16 clients", (f) => fmt(f.put16), (f) => f.put16, true],
    ["ranges of 1,000 keys/s", (f) => fmt(f.range1k), (f) => f.range1k, true],
    ["range of 1,000 keys p50 / p99 (ms)", (f) => `${fmt(f.rangeP50, 2)} / ${fmt(f.rangeP99, 2)}`, undefined, false],
    ["watch delivery p50 / p99 (ms)", (f) => `${fmt(f.watchP50, 2)} / ${fmt(f.watchP99, 2)}`, (f) => f.watchP99, false],
  ];
  if (!args["skip-size"]) {
    rows.push(
      [`puts/s during ${fmt(UPDATES)} updates (lean client, 64 in flight)`, (f) => fmt(f.updatesPerSec), (f) => f.updatesPerSec!, true],
      ["database size after the updates", (f) => mb(f.sizeBefore), (f) => f.sizeBefore!, false],
      ["... after compact + defrag", (f) => `${mb(f.sizeAfter)} (${((f.sizeAfter ?? 0) / live).toFixed(2)}x live)`, (f) => f.sizeAfter!, false],
    );
  }
  const header = ["", ...results.map((r) => r.target.name), ...results.slice(1).map((r) => `${r.target.name} / etcd`)];
  const lines = rows.map(([label, show, value, higherIsBetter]) => [
    label,
    ...results.map((r) => show(r.figures)),
    ...results.slice(1).map((r) => {
      if (!value) return "";
      const ratio = value(r.figures) / value(etcd);
      return `${ratio.toFixed(2)}x${higherIsBetter ? "" : " (lower is better)"}`;
    }),
  ]);
  const widths = header.map((_, i) => Math.max(header[i]!.length, ...lines.map((l) => l[i]!.length)));
  const print = (cols: string[]) => console.log(`| ${cols.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`);
  print(header);
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  lines.forEach(print);
  console.log(`\nlive data: 1,000 keys x ${VALUE.length + "/bench/size/key-0000".length} bytes = ${mb(live)}`);
  console.log("durability: etcd fdatasyncs its WAL per commit batch; kts (full) fsyncs the SQLite WAL per group commit; kts (normal) does not fsync (survives a killed process, not power loss)");
  printFloor(noopUs, fdatasyncUs, storeNormalUs, storeFullUs, etcd.put1MeanUs, results[1]!.figures.put1MeanUs);
}

/** What a put at one client cannot go below on this machine, next to what 2x etcd would need. */
function printFloor(noopUs: Map<string, number>, fdatasyncUs: number, storeNormalUs: number, storeFullUs: number, etcdUs: number, ktsUs: number): void {
  const ktsNoop = noopUs.get("kts (full)") ?? NaN;
  console.log("\nfloor of a put at 1 client with one flush per put (mean µs, this run):");
  console.log(`  no-op gRPC call (Cluster/MemberList): ${[...noopUs].map(([name, us]) => `${name} ${fmt(us)}`).join(", ")}`);
  console.log(`  one fdatasync of a 4 KiB write: ${fmt(fdatasyncUs)}`);
  console.log(`  the store in this process, no RPC: ${fmt(storeNormalUs)} without a flush, ${fmt(storeFullUs)} with one`);
  console.log(`  kts (full) floor = no-op call + store with a flush = ${fmt(ktsNoop + storeFullUs)}; measured ${fmt(ktsUs)}; 2x etcd needs <= ${fmt(etcdUs / 2)} (half of etcd's ${fmt(etcdUs)})`);
}

try {
  await main();
} finally {
  for (const c of children) c.kill("SIGKILL");
  rmSync(scratch, { recursive: true, force: true });
}
