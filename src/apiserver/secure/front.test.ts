/**
 * The TLS front end to end, with real clients: curl, kubectl 1.32, Bun's fetch and WebSocket, and
 * raw node:tls sockets for half-closes and resets. Everything listens on 127.0.0.1 only.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { connect as tlsConnect } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Server } from "bun";
import { logger } from "../../log/index.ts";
import { type ClusterPki, createCertificateAuthority, ensureClusterPki, issueClientCertificate, writeKubeconfig } from "../../pki/index.ts";
import { kubectlPath } from "../../testing/kubectl.ts";
import { StaticTokens, type TlsFront, authenticate, k3sTokenUsers, startTlsFront } from "./index.ts";

const HOST = "127.0.0.1";
const TOKEN = "s3cret-token";
const VERSION = { major: "1", minor: "32", gitVersion: "v1.32.5+kts1", gitCommit: "0000000000000000000000000000000000000000", gitTreeState: "clean", buildDate: "2026-11-27T00:00:00Z", goVersion: "go1.23", compiler: "gc", platform: "linux/amd64" };

let dir: string;
let pki: ClusterPki;
let inner: Server<{ who: string }>;
let front: TlsFront;
let base: string;
const tokens = new StaticTokens(k3sTokenUsers(TOKEN));

interface Pair {
  front: TlsFront;
  inner: Server<{ who: string }>;
  close(): Promise<void>;
}

/** A front and its inner server: what the API server will do, reduced to /version, /whoami, a slow answer and a WebSocket echo. */
async function startPair(): Promise<Pair> {
  let pairFront: TlsFront | undefined;
  const pairInner = Bun.serve<{ who: string }>({
    hostname: HOST,
    port: 0,
    async fetch(req, server) {
      const remote = server.requestIP(req);
      const auth = await authenticate(req, remote ? pairFront?.identityOf(remote.port) : undefined, tokens);
      if (!auth.ok) return Response.json({ kind: "Status", apiVersion: "v1", status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401 }, { status: 401 });
      const path = new URL(req.url).pathname;
      if (path === "/version") return Response.json(VERSION);
      if (path === "/whoami") return Response.json(auth.user);
      if (path === "/ws" && server.upgrade(req, { data: { who: auth.user.username } })) return undefined;
      if (path === "/slow") return new Promise((r) => setTimeout(() => r(new Response("late")), 200));
      return new Response("not found", { status: 404 });
    },
    websocket: {
      open: (ws) => {
        ws.send(`hello ${ws.data.who}`);
      },
      message: (ws, msg) => {
        ws.send(`echo ${msg}`);
      },
    },
  });
  pairFront = await startTlsFront({
    host: HOST,
    port: 0,
    key: pki.serving.keyPem,
    cert: pki.serving.chainPem,
    clientCaPem: pki.clientCa.certPem,
    innerPort: pairInner.port!,
    log: logger("front-test"),
    // Upgrades to /taken are served on the raw socket; every other request goes through the
    // first-request peek to the inner server (as the API server's front always does).
    onUpgrade: (up) => {
      if (up.head.target !== "/taken") return false;
      const who = up.connection.peer?.commonName ?? "anonymous";
      up.socket.end(`HTTP/1.1 200 OK\r\nContent-Length: ${who.length + 5}\r\nConnection: close\r\n\r\ntook ${who}`);
      return true;
    },
  });
  const started = pairFront;
  return { front: started, inner: pairInner, close: async () => (await started.close(), await pairInner.stop(true)) };
}

let pair: Pair;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "kts-front-"));
  pki = ensureClusterPki({ dir: join(dir, "tls"), sans: ["10.43.0.1"] });
  pair = await startPair();
  ({ front, inner } = pair);
  base = `https://${HOST}:${front.port}`;
  writeFileSync(join(dir, "server-ca.crt"), pki.serverCa.certPem);
  writeFileSync(join(dir, "admin.crt"), pki.admin.chainPem);
  writeFileSync(join(dir, "admin.key"), pki.admin.keyPem);
});

afterAll(async () => {
  await pair?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(cmd: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, ...env } });
  const timer = setTimeout(() => proc.kill(), 20_000);
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

const curl = (path: string, ...args: string[]) => run(["curl", "-sS", "--cacert", join(dir, "server-ca.crt"), "-w", "\n%{http_code}", ...args, `${base}${path}`]);
const lastLine = (s: string) => s.trimEnd().split("\n").pop();
const body = (s: string) => JSON.parse(s.trimEnd().split("\n").slice(0, -1).join("\n"));

/** Waits until every client connection of `f` has closed and its port mapping is gone. */
async function drained(f: TlsFront): Promise<{ open: number; tracked: number }> {
  for (let i = 0; i < 150 && (f.stats().open > 0 || f.stats().tracked > 0); i++) await Bun.sleep(20);
  return f.stats();
}

describe("curl", () => {
  test("the admin client certificate is system:admin in system:masters", async () => {
    const r = await curl("/whoami", "--cert", join(dir, "admin.crt"), "--key", join(dir, "admin.key"));
    expect(lastLine(r.stdout)).toBe("200");
    expect(body(r.stdout)).toEqual({ username: "system:admin", groups: ["system:masters", "system:authenticated"] });
  });

  test("a bearer token is k3s's server user", async () => {
    const r = await curl("/whoami", "-H", `Authorization: Bearer ${TOKEN}`);
    expect(body(r.stdout)).toEqual({ username: "server", groups: ["k3s:server", "system:authenticated"] });
  });

  test("no credentials is anonymous; a wrong token is 401", async () => {
    expect(body((await curl("/whoami")).stdout)).toEqual({ username: "system:anonymous", groups: ["system:unauthenticated"] });
    expect(lastLine((await curl("/whoami", "-H", "Authorization: Bearer nope")).stdout)).toBe("401");
  });

  test("a certificate from another CA is not trusted: 401 (as upstream), never its CN", async () => {
    const rogue = issueClientCertificate(createCertificateAuthority("rogue-ca"), { commonName: "system:admin", organizations: ["system:masters"] });
    writeFileSync(join(dir, "rogue.crt"), rogue.chainPem);
    writeFileSync(join(dir, "rogue.key"), rogue.keyPem);
    const r = await curl("/whoami", "--cert", join(dir, "rogue.crt"), "--key", join(dir, "rogue.key"));
    expect(lastLine(r.stdout)).toBe("401");
    expect(r.stdout).not.toContain("system:masters");
    // With a valid token as well, the token decides.
    const withToken = await curl("/whoami", "--cert", join(dir, "rogue.crt"), "--key", join(dir, "rogue.key"), "-H", `Authorization: Bearer ${TOKEN}`);
    expect(body(withToken.stdout).username).toBe("server");
  });

  test("the server certificate verifies for localhost and 127.0.0.1; ALPN is http/1.1", async () => {
    const r = await run(["curl", "-sS", "-v", "--cacert", join(dir, "server-ca.crt"), `https://localhost:${front.port}/version`]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).gitVersion).toBe("v1.32.5+kts1");
    expect(r.stderr).toMatch(/ALPN: server accepted http\/1\.1/);
  });
});

describe("kubectl 1.32", () => {
  const kubectl = (kubeconfig: string, ...args: string[]) => run([kubectlPath(), "--kubeconfig", kubeconfig, ...args]);

  test("with the client-certificate kubeconfig: version and get --raw", async () => {
    const kc = join(dir, "kube", "admin.yaml");
    writeKubeconfig(kc, { server: base, caPem: pki.serverCa.certPem, clientCertPem: pki.admin.chainPem, clientKeyPem: pki.admin.keyPem });
    expect(statSync(kc).mode & 0o777).toBe(0o600);
    const v = await kubectl(kc, "version", "-o", "json");
    expect(v.stderr).toBe("");
    expect(JSON.parse(v.stdout).serverVersion.gitVersion).toBe("v1.32.5+kts1");
    const who = await kubectl(kc, "get", "--raw", "/whoami");
    expect(JSON.parse(who.stdout)).toEqual({ username: "system:admin", groups: ["system:masters", "system:authenticated"] });
  });

  test("with a token kubeconfig", async () => {
    const kc = join(dir, "kube", "token.yaml");
    writeKubeconfig(kc, { server: `https://localhost:${front.port}`, caPem: pki.serverCa.certPem, token: TOKEN });
    const who = await kubectl(kc, "get", "--raw", "/whoami");
    expect(JSON.parse(who.stdout)).toEqual({ username: "server", groups: ["k3s:server", "system:authenticated"] });
    expect((await kubectl(kc, "version", "-o", "json")).code).toBe(0);
  });

  test("with a certificate from another CA: 401, as kube-apiserver answers (kubectl sends it whatever CAs the server names)", async () => {
    const rogue = issueClientCertificate(createCertificateAuthority("rogue-ca"), { commonName: "system:admin", organizations: ["system:masters"] });
    const kc = join(dir, "kube", "rogue.yaml");
    writeKubeconfig(kc, { server: base, caPem: pki.serverCa.certPem, clientCertPem: rogue.chainPem, clientKeyPem: rogue.keyPem });
    const who = await kubectl(kc, "get", "--raw", "/whoami");
    expect(who.code).not.toBe(0);
    expect(who.stdout).not.toContain("system:admin");
    expect(who.stderr).toMatch(/Unauthorized|provide credentials/);
  });

  test("refuses a server whose certificate its CA did not sign", async () => {
    const kc = join(dir, "kube", "wrong-ca.yaml");
    writeKubeconfig(kc, { server: base, caPem: pki.clientCa.certPem, token: TOKEN });
    const r = await kubectl(kc, "get", "--raw", "/whoami");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/certificate signed by unknown authority/);
  });
});

describe("connections", () => {
  test("concurrent keep-alive clients with different identities each get their own", async () => {
    const alice = issueClientCertificate(pki.clientCa, { commonName: "alice", organizations: ["dev"] });
    const who = async (tls: { cert?: string; key?: string }) => {
      const res = await fetch(`${base}/whoami`, { tls: { ca: pki.serverCa.certPem, ...tls } });
      return ((await res.json()) as { username: string }).username;
    };
    const asks: Promise<[string, string]>[] = [];
    for (let i = 0; i < 40; i++) {
      asks.push(who({ cert: alice.chainPem, key: alice.keyPem }).then((u) => ["alice", u]));
      asks.push(who({ cert: pki.admin.chainPem, key: pki.admin.keyPem }).then((u) => ["system:admin", u]));
      asks.push(who({}).then((u) => ["system:anonymous", u]));
    }
    for (const [want, got] of await Promise.all(asks)) expect(got).toBe(want);
  });

  test("an upgrade the front's hook takes is served on the raw socket, with the connection's identity", async () => {
    const socket = tlsConnect({ host: HOST, port: front.port, ca: pki.serverCa.certPem, cert: pki.admin.chainPem, key: pki.admin.keyPem });
    await new Promise<void>((r) => socket.once("secureConnect", () => r()));
    socket.write("GET /taken HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n\r\n");
    let reply = "";
    socket.on("data", (d: Buffer) => (reply += d.toString()));
    await new Promise<void>((r) => socket.once("close", () => r()));
    expect(reply).toEndWith("took system:admin");
  });

  test("WebSocket upgrades pass through with the connection's identity", async () => {
    const ws = new WebSocket(`wss://${HOST}:${front.port}/ws`, { tls: { ca: pki.serverCa.certPem, cert: pki.admin.chainPem, key: pki.admin.keyPem } } as unknown as string[]);
    const got: string[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.onmessage = (e) => {
        got.push(String(e.data));
        if (got.length === 1) ws.send("ping");
        if (got.length === 2) resolve();
      };
      ws.onerror = () => reject(new Error("websocket error"));
    });
    ws.close();
    expect(got).toEqual(["hello system:admin", "echo ping"]);
  });

  test("a client that half-closes after its request still gets the whole response", async () => {
    const response = await new Promise<string>((resolve, reject) => {
      const s = tlsConnect({ host: HOST, port: front.port, ca: pki.serverCa.certPem, servername: "localhost", ALPNProtocols: ["http/1.1"] }, () => {
        s.end("GET /slow HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
      });
      let data = "";
      s.on("data", (d) => (data += d));
      s.on("end", () => resolve(data));
      s.on("error", reject);
    });
    expect(response).toStartWith("HTTP/1.1 200");
    expect(response).toEndWith("late");
  });

  test("one keep-alive connection carries several requests, each with its identity", async () => {
    const r = await run(["curl", "-sS", "-v", "--cacert", join(dir, "server-ca.crt"), "--cert", join(dir, "admin.crt"), "--key", join(dir, "admin.key"), `${base}/whoami`, `${base}/whoami`, `${base}/version`]);
    expect(r.stderr).toMatch(/Re-using existing connection/);
    expect(r.stdout.match(/"username":"system:admin"/g)).toHaveLength(2);
    expect(r.stdout).toContain("v1.32.5+kts1");
  });

  test("a resumed TLS session keeps its client identity", async () => {
    const cert = ["--cacert", join(dir, "server-ca.crt"), "--cert", join(dir, "admin.crt"), "--key", join(dir, "admin.key")];
    // Connection: close makes curl open a second connection, which resumes the first one's session.
    const r = await run(["curl", "-sS", "-H", "Connection: close", ...cert, `${base}/whoami`, `${base}/whoami`]);
    expect(r.stdout.match(/"username":"system:admin"/g)).toHaveLength(2);
  });

  test("resets, aborted handshakes, dropped requests and idle closes leave no connection or port mapping behind", async () => {
    const own = await startPair();
    try {
      const port = own.front.port;
      const ends: Promise<unknown>[] = [];
      for (let i = 0; i < 30; i++) ends.push(dropAfterRequest(port, i % 3 === 0 ? 0 : 50, i % 2 === 0));
      ends.push(rawTcp(port, ""), rawTcp(port, "GET / HTTP/1.1\r\n\r\n"));
      for (let i = 0; i < 5; i++) ends.push(run(["curl", "-sS", "--cacert", join(dir, "server-ca.crt"), `https://${HOST}:${port}/version`]));
      await Promise.all(ends);
      expect(await drained(own.front)).toEqual({ open: 0, tracked: 0 });
      // And it still serves.
      const r = await run(["curl", "-sS", "--cacert", join(dir, "server-ca.crt"), "-H", `Authorization: Bearer ${TOKEN}`, `https://${HOST}:${port}/whoami`]);
      expect(JSON.parse(r.stdout).username).toBe("server");
      expect(await drained(own.front)).toEqual({ open: 0, tracked: 0 });
    } finally {
      await own.close();
    }
  });

  test("close() does not wait for a client stuck before its handshake", async () => {
    const own = await startPair();
    const silent = await Bun.connect({ hostname: HOST, port: own.front.port, socket: { data: () => undefined } });
    await Bun.sleep(20);
    const started = performance.now();
    await own.close();
    expect(performance.now() - started).toBeLessThan(5000);
    silent.end();
  });

  test("a request that reaches the inner server directly has no front identity", async () => {
    const res = await fetch(`http://${HOST}:${inner.port}/whoami`);
    expect(((await res.json()) as { username: string }).username).toBe("system:anonymous");
  });
});

/** A TLS client that sends a request and goes away (reset or plain close) before or while it is answered. */
function dropAfterRequest(port: number, afterMs: number, reset: boolean): Promise<void> {
  return new Promise<void>((resolve) => {
    const s = tlsConnect({ host: HOST, port, ca: pki.serverCa.certPem, servername: "localhost" }, () => {
      s.write("GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n");
      setTimeout(() => (reset ? s.resetAndDestroy() : s.destroy()), afterMs);
    });
    s.on("close", () => resolve());
    s.on("error", () => undefined);
  });
}

/** Plain TCP that never completes a TLS handshake: silence, or HTTP where a ClientHello belongs. */
async function rawTcp(port: number, payload: string): Promise<void> {
  const sock = await Bun.connect({ hostname: HOST, port, socket: { data: () => undefined } });
  if (payload) sock.write(payload);
  await Bun.sleep(30);
  sock.end();
  await Bun.sleep(30);
}
