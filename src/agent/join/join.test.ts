/**
 * Joining end to end: a real `kts server` (no embedded agent) and real `kts agent` processes.
 * The token, refusal of a server whose CA does not match (a fake server records what it was sent),
 * a wrong secret, and re-joining after the agent's data dir is wiped.
 */
import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { X509Certificate } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type Server, type TLSSocket } from "node:tls";
import { createCertificateAuthority, issueServingCertificate } from "../../pki/index.ts";
import { startTestAgent } from "../../testing/agent.ts";
import { startTestServer, type TestServer } from "../../testing/server.ts";
import { caBundleHash, parseJoinToken } from "./token.ts";

// Real processes on a machine that may be busy: generous deadlines (nothing here waits on purpose).
setDefaultTimeout(60_000);

const KTS = join(import.meta.dir, "..", "..", "..", "cmd", "kts.ts");
let s: TestServer;
const scratch = mkdtempSync(join(tmpdir(), "kts-join-"));

beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

async function kts(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = Bun.spawn([process.execPath, KTS, ...args], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr };
}

const certSerial = (dataDir: string) => new X509Certificate(readFileSync(join(dataDir, "agent", "client-kubelet.crt"))).serialNumber;

test("kts token prints K10<sha256 of the served CA bundle>::server:<secret>; the secret alone is the admin's bearer token", async () => {
  const printed = await kts("token", "--data-dir", s.dataDir);
  expect(printed.code).toBe(0);
  const token = printed.stdout.trim();
  expect(token).toMatch(/^K10[0-9a-f]{64}::server:[0-9a-f]{48}$/);
  expect(token).toBe(s.token());
  const served = await (await fetch(`${s.url}/cacerts`, { tls: { rejectUnauthorized: false } } as BunFetchRequestInit)).text();
  expect(parseJoinToken(token).caHash).toBe(caBundleHash(served));
  expect(served).toBe(readFileSync(join(s.dataDir, "server", "tls", "server-ca.crt"), "utf8"));
  const secret = parseJoinToken(token).secret;
  const whoami = await s.kubectl(["--token", secret, "--kubeconfig", "/dev/null", "--server", s.url, "--certificate-authority", join(s.dataDir, "server", "tls", "server-ca.crt"), "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"]);
  expect(whoami.stdout).toBe("system:admin");
});

/** A TLS server with a CA of its own that serves /cacerts and records every request and client certificate. */
interface FakeServer {
  server: Server;
  url: string;
  requests: Array<{ path: string; authorization?: string }>;
  /** Connections that presented a client certificate. */
  clientCerts: number;
}

async function fakeServer(): Promise<FakeServer> {
  const ca = createCertificateAuthority("impostor-ca");
  const serving = issueServingCertificate(ca, { commonName: "impostor", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] });
  const fake = { requests: [], clientCerts: 0 } as unknown as FakeServer;
  const server = createServer({ key: serving.keyPem, cert: serving.chainPem, requestCert: true, rejectUnauthorized: false, ALPNProtocols: ["http/1.1"] }, (socket: TLSSocket) => {
    if (socket.getPeerCertificate()?.raw?.length) fake.clientCerts++;
    let head = "";
    socket.on("data", (chunk) => {
      head += chunk.toString();
      if (!head.includes("\r\n\r\n")) return;
      const [line, ...headers] = head.split("\r\n");
      const authorization = headers.find((h) => h.toLowerCase().startsWith("authorization:"));
      fake.requests.push({ path: line!.split(" ")[1]!, authorization });
      const body = ca.certPem;
      socket.end(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    });
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return Object.assign(fake, { server, url: `https://127.0.0.1:${port}` });
}

describe("joining", () => {
  test("a server whose CA does not match the token is refused before any credential is sent", async () => {
    // An agent that joined the real server has a node certificate and key it could present.
    const joined = startTestAgent(s.url, s.token());
    await joined.ready;
    expect(await joined.stop({ keepData: true })).toBe(0);
    const fake = await fakeServer();
    try {
      const refused = startTestAgent(fake.url, s.token(), { dataDir: joined.dataDir, nodeName: joined.nodeName });
      const code = await refused.exited;
      expect(code).toBe(1);
      expect(refused.log()).toContain(`the CA certificate of ${fake.url} (sha256 `);
      expect(refused.log()).toContain("does not match the hash in the token");
      expect(fake.requests.length).toBeGreaterThan(0);
      expect(fake.requests.map((r) => r.path)).toEqual(fake.requests.map(() => "/cacerts"));
      expect(fake.requests.filter((r) => r.authorization)).toEqual([]);
      expect(fake.clientCerts).toBe(0);
    } finally {
      fake.server.close();
      rmSync(joined.dataDir, { recursive: true, force: true });
    }
  });

  test("a server that is not up yet: the agent waits and retries; SIGTERM ends it cleanly", async () => {
    const closed = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data: () => undefined } });
    const port = closed.port;
    closed.stop(true);
    const waiting = startTestAgent(`https://127.0.0.1:${port}`, s.token());
    const deadline = Date.now() + 15_000;
    while (!waiting.log().includes("cannot reach the server; retrying") && Date.now() < deadline) await Bun.sleep(50);
    expect(waiting.log()).toContain("cannot reach the server; retrying");
    expect(await waiting.stop()).toBe(0);
  });

  test("a wrong secret: a clear error and exit 1, no node", async () => {
    const wrong = `${s.token().replace(/:[^:]+$/, "")}:not-the-secret`;
    const agent = startTestAgent(s.url, wrong);
    expect(await agent.exited).toBe(1);
    expect(agent.log()).toContain(`kts: ${s.url} rejected the join token (401 Unauthorized): check --token`);
    await agent.stop();
    const nodes = await s.kubectl(["get", "node", agent.nodeName]);
    expect(nodes.stderr).toContain("NotFound");
  });

  test("the bootstrap identity may only create and read certificate signing requests", async () => {
    const secret = parseJoinToken(s.token()).secret;
    const auth = { Authorization: `Basic ${Buffer.from(`node:${secret}`).toString("base64")}` };
    const tls = { ca: readFileSync(join(s.dataDir, "server", "tls", "server-ca.crt"), "utf8") };
    const get = (path: string) => fetch(`${s.url}${path}`, { headers: auth, tls } as BunFetchRequestInit);
    expect((await get("/apis/certificates.k8s.io/v1/certificatesigningrequests")).status).toBe(200);
    const pods = await get("/api/v1/pods");
    expect(pods.status).toBe(403);
    expect(((await pods.json()) as { message: string }).message).toBe('pods is forbidden: User "kts:node-bootstrap" cannot list resource "pods" in API group "" at the cluster scope');
    expect((await get("/api/v1/nodes")).status).toBe(403);
  });

  test("re-joining under the same name after the agent's data dir is wiped: a new certificate, the same Node", async () => {
    const first = startTestAgent(s.url, s.token());
    await first.ready;
    const serial = certSerial(first.dataDir);
    const uid = (await s.k("get", "node", first.nodeName, "-o", "jsonpath={.metadata.uid}")).trim();
    expect(await first.stop()).toBe(0); // removes the data dir: a re-install
    const again = startTestAgent(s.url, s.token(), { nodeName: first.nodeName, dataDir: join(scratch, "reinstalled") });
    await again.ready;
    try {
      expect(certSerial(again.dataDir)).not.toBe(serial);
      expect(again.log()).toContain("node already registered; adopting it");
      expect((await s.k("get", "node", first.nodeName, "-o", "jsonpath={.metadata.uid}")).trim()).toBe(uid);
      const csrs = await s.k("get", "csr", "-o", `jsonpath={range .items[*]}{.status.conditions[0].type}{"\\n"}{end}`);
      expect(csrs.trim().split("\n").every((c) => c === "Approved")).toBe(true);
    } finally {
      await again.stop();
    }
  });
});
