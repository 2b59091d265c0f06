/**
 * A DNS load generator on one UDP socket, self-contained (no imports) so that it also runs inside a
 * pod from the kts image (`BUN_BE_BUN=1 kts run dns-load.ts ...`). Prints one JSON line.
 *
 *   bun scripts/bench/dns-load.ts --server 10.43.0.10:53 --names a.b.svc.cluster.local,... \
 *       [--seconds 5] [--window 32 | --rate 10000]
 *
 * --window N: closed loop, N queries outstanding (throughput). --rate R: open loop, R queries per
 * second whatever the answers (latency at a given load). Queries unanswered after 1 s are lost.
 * Bounded: it stops by itself after --seconds.
 */
export {};

const argv = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1]! : def;
};
const [host, portText] = arg("--server", "127.0.0.1:53").split(":");
const port = Number(portText ?? 53);
const names = arg("--names", "kubernetes.default.svc.cluster.local").split(",");
const seconds = Number(arg("--seconds", "5"));
const windowSize = Number(arg("--window", "0"));
const rate = Number(arg("--rate", "0"));
const LOST_MS = 1000;

function query(name: string, id: number): Uint8Array {
  const labels = name.split(".").filter(Boolean);
  const bytes = [id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
  for (const l of labels) bytes.push(l.length, ...[...l].map((c) => c.charCodeAt(0)));
  bytes.push(0, 0, 1, 0, 1);
  return Uint8Array.from(bytes);
}

const templates = names.map((n) => query(n, 0));
const sentAt = new Float64Array(65536);
const outstanding = new Uint8Array(65536);
const latencies: number[] = [];
let nextId = 0;
let sent = 0;
let answered = 0;
let errors = 0;
let stopping = false;
const done = Promise.withResolvers<void>();

const sock = await Bun.udpSocket({
  binaryType: "uint8array",
  connect: { hostname: host!, port },
  socket: {
    data(_s, buf) {
      const id = (buf[0]! << 8) | buf[1]!;
      if (!outstanding[id]) return;
      outstanding[id] = 0;
      if ((buf[3]! & 0xf) !== 0 || ((buf[6]! << 8) | buf[7]!) === 0) errors++;
      latencies.push(performance.now() - sentAt[id]!);
      answered++;
      if (windowSize && !stopping) send();
    },
  },
});

function send(): void {
  const id = nextId;
  nextId = (nextId + 1) & 0xffff;
  const q = new Uint8Array(templates[sent % templates.length]!);
  q[0] = id >> 8;
  q[1] = id & 0xff;
  outstanding[id] = 1;
  sentAt[id] = performance.now();
  sent++;
  sock.send(q);
}

const start = performance.now();
if (windowSize) {
  for (let i = 0; i < windowSize; i++) send();
  // Lost datagrams would shrink the window: refill for queries older than LOST_MS.
  const refill = setInterval(() => {
    const now = performance.now();
    for (let id = 0; id < 65536; id++) {
      if (outstanding[id] && now - sentAt[id]! > LOST_MS) {
        outstanding[id] = 0;
        if (!stopping) send();
      }
    }
  }, 250);
  setTimeout(() => {
    stopping = true;
    clearInterval(refill);
    setTimeout(() => done.resolve(), 200);
  }, seconds * 1000);
} else {
  const perTick = rate / 1000;
  let credit = 0;
  let last = performance.now();
  const tick = setInterval(() => {
    const now = performance.now();
    credit += (now - last) * perTick;
    last = now;
    while (credit >= 1) {
      send();
      credit--;
    }
  }, 1);
  setTimeout(() => {
    stopping = true;
    clearInterval(tick);
    setTimeout(() => done.resolve(), LOST_MS);
  }, seconds * 1000);
}
await done.promise;
const elapsed = (performance.now() - start) / 1000;
sock.close();
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? Number.NaN;
console.log(
  JSON.stringify({
    sent,
    answered,
    lost: sent - answered,
    errors,
    seconds: Number(elapsed.toFixed(2)),
    qps: Math.round(answered / Math.min(elapsed, seconds)),
    p50ms: Number(pct(50).toFixed(3)),
    p99ms: Number(pct(99).toFixed(3)),
    maxMs: Number((latencies.at(-1) ?? Number.NaN).toFixed(3)),
  }),
);
process.exit(0);
