/**
 * Both ends of the tunnel over real TLS on loopback: a TLS front whose upgrade hook hands the
 * connection to a TunnelServer (as the API server does), and the agent's client with a node
 * certificate. Streams in both directions, half-closes and resets, credit flow control with a
 * paused consumer, replacement of a node's tunnel, and reconnection after the server went away.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Server } from "bun";
import { logger } from "../log/index.ts";
import { createCertificateAuthority, issueClientCertificate, issueServingCertificate } from "../pki/index.ts";
import { startTlsFront, type TlsFront } from "../apiserver/secure/index.ts";
import { CH_INPUT, CH_STDOUT, startTunnelClient, tagged, TUNNEL_PATH, TunnelServer, type TunnelClient, type TunnelStream, WINDOW } from "./index.ts";

const log = logger("tunnel-test");
const serverCa = createCertificateAuthority("test-server-ca");
const clientCa = createCertificateAuthority("test-client-ca");
const serving = issueServingCertificate(serverCa, { commonName: "kts", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] });
const nodeCert = issueClientCertificate(clientCa, { commonName: "system:node:n1", organizations: ["system:nodes"] });

let inner: Server<unknown>;
let tunnels: TunnelServer;
let port = 0;
let front: TlsFront;

async function startFront(): Promise<TlsFront> {
  const f = await startTlsFront({
    host: "127.0.0.1",
    port,
    key: serving.keyPem,
    cert: serving.chainPem,
    clientCaPem: clientCa.certPem,
    innerPort: inner.port!,
    log,
    onUpgrade: (up) => {
      if (up.head.target !== TUNNEL_PATH) return false;
      const cn = up.connection.peer?.verified ? up.connection.peer.commonName : "";
      if (!cn.startsWith("system:node:")) {
        up.socket.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
        return true;
      }
      tunnels.accept(up.socket, up.head.headers, up.rest, cn.slice("system:node:".length));
      return true;
    },
  });
  port = f.port;
  return f;
}

function agent(onStream: (s: TunnelStream, request: unknown) => void, cert = nodeCert): TunnelClient {
  return startTunnelClient({ serverUrl: `https://127.0.0.1:${port}`, caPem: serverCa.certPem, certPem: cert.chainPem, keyPem: cert.keyPem, onStream, log, minBackoffMs: 50, maxBackoffMs: 200 });
}

/** An agent end that echoes every message back, upper-cased, and mirrors END. */
function echo(s: TunnelStream): void {
  s.onData = (m) => s.write(tagged(CH_STDOUT, m.subarray(1).toString().toUpperCase()));
  s.onEnd = () => s.end();
}

function collect(s: TunnelStream): { text: () => string; ended: Promise<void> } {
  let text = "";
  const ended = Promise.withResolvers<void>();
  s.onData = (m) => (text += m.subarray(1).toString());
  s.onEnd = () => ended.resolve();
  s.onReset = (r) => ended.reject(new Error(r));
  return { text: () => text, ended: ended.promise };
}

beforeAll(async () => {
  inner = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("inner", { status: 404 }) });
  tunnels = new TunnelServer(log);
  front = await startFront();
});

afterAll(async () => {
  tunnels.close();
  await front.close();
  await inner.stop(true);
});

test("the server opens streams to a connected node; messages, half-closes and resets go both ways", async () => {
  const requests: unknown[] = [];
  const client = agent((s, req) => {
    requests.push(req);
    echo(s);
  });
  await client.whenConnected();
  const s = await tunnels.open("n1", { kind: "portforward", pod: { namespace: "ns", name: "p", uid: "u" }, port: 80 });
  const got = collect(s);
  s.write(tagged(CH_INPUT, "hello "));
  s.write(tagged(CH_INPUT, "tunnel"));
  s.end();
  await got.ended;
  expect(got.text()).toBe("HELLO TUNNEL");
  expect(requests).toEqual([{ kind: "portforward", pod: { namespace: "ns", name: "p", uid: "u" }, port: 80 }]);
  await expect(tunnels.open("nobody", { kind: "portforward", pod: { namespace: "ns", name: "p", uid: "u" }, port: 80 })).rejects.toThrow('node "nobody" has no tunnel');
  await client.stop();
});

test("a paused consumer stops the sender after one window; resuming delivers everything in order", async () => {
  const chunk = 64 * 1024;
  const total = 40;
  let sent = 0;
  let blocked = 0;
  const client = agent((s) => {
    const pushMore = () => {
      while (sent < total) {
        const msg = Buffer.alloc(chunk, sent % 256);
        sent++;
        if (!s.write(tagged(CH_STDOUT, msg))) {
          blocked++;
          return;
        }
      }
      s.end();
    };
    s.onDrain = pushMore;
    pushMore();
  });
  await client.whenConnected();
  const s = await tunnels.open("n1", { kind: "log", pod: { namespace: "ns", name: "p", uid: "u" }, container: "c" });
  const seen: number[] = [];
  let bytes = 0;
  const ended = Promise.withResolvers<void>();
  s.onData = (m) => {
    seen.push(m[1]!);
    bytes += m.length - 1;
  };
  s.onEnd = () => ended.resolve();
  s.pause();
  for (let i = 0; i < 100 && bytes < WINDOW; i++) await Bun.sleep(10);
  await Bun.sleep(100);
  // At most one window (plus the message that crossed it) arrives while paused.
  expect(bytes).toBeLessThanOrEqual(WINDOW + chunk);
  expect(bytes).toBeGreaterThan(0);
  s.resume();
  await ended.promise;
  expect(bytes).toBe(total * chunk);
  expect(seen).toEqual(Array.from({ length: total }, (_, i) => i % 256));
  expect(blocked).toBeGreaterThan(0);
  await client.stop();
});

test("a node that connects again replaces its tunnel; an agent reconnects after the server went away", async () => {
  const first = agent(echo);
  await first.whenConnected();
  const second = agent(echo);
  await second.whenConnected();
  // The second connection replaced the first; the first stops before it could take over again.
  await first.stop();
  for (let i = 0; i < 200 && !(second.isConnected() && tunnels.isConnected("n1")); i++) await Bun.sleep(25);
  const s1 = await tunnels.open("n1", { kind: "log", pod: { namespace: "ns", name: "p", uid: "u" }, container: "c" });
  const r1 = collect(s1);
  s1.write(tagged(CH_INPUT, "one"));
  s1.end();
  await r1.ended;
  expect(r1.text()).toBe("ONE");

  await front.close();
  for (let i = 0; i < 200 && tunnels.isConnected("n1"); i++) await Bun.sleep(25);
  expect(tunnels.isConnected("n1")).toBe(false);
  front = await startFront();
  for (let i = 0; i < 200 && !tunnels.isConnected("n1"); i++) await Bun.sleep(25);
  expect(tunnels.isConnected("n1")).toBe(true);
  const s2 = await tunnels.open("n1", { kind: "log", pod: { namespace: "ns", name: "p", uid: "u" }, container: "c" });
  const r2 = collect(s2);
  s2.write(tagged(CH_INPUT, "again"));
  s2.end();
  await r2.ended;
  expect(r2.text()).toBe("AGAIN");
  await second.stop();
}, 20_000);

test("a connection that is not a node's is refused and never registered", async () => {
  const admin = issueClientCertificate(clientCa, { commonName: "system:admin", organizations: ["system:masters"] });
  const client = agent(echo, admin);
  await Bun.sleep(300);
  expect(client.isConnected()).toBe(false);
  expect(tunnels.nodes()).not.toContain("system:admin");
  await client.stop();
});
