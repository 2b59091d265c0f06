/** `kts server` is a node too: its embedded agent joins over loopback with its own identity. */
import { afterAll, afterEach, expect, test, setDefaultTimeout } from "bun:test";
import type { V1Node } from "@kubernetes/client-node";
import { ensureTestImage, removeTestContainers, TEST_IMAGE } from "../testing/docker.ts";
import { startTestServer, type TestServer } from "../testing/server.ts";

// Real processes on a machine that may be busy: generous deadlines (nothing here waits on purpose).
setDefaultTimeout(60_000);

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});
afterAll(async () => {
  await removeTestContainers();
});

async function nodeWhen(s: TestServer, name: string, ok: (n: V1Node) => boolean, timeoutMs = 20_000): Promise<V1Node> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await s.kubectl(["get", "node", name, "-o", "json"]);
    if (r.code === 0) {
      const node = JSON.parse(r.stdout) as V1Node;
      if (ok(node)) return node;
    }
    if (Date.now() > deadline) throw new Error(`node ${name} not as expected in time:\n${r.stdout}${r.stderr}\n${s.log()}`);
    await Bun.sleep(100);
  }
}

const ready = (n: V1Node) => n.status?.conditions?.find((c) => c.type === "Ready");

test("the server's own node is Ready with the control-plane role, as system:node:<name>", async () => {
  const s = await startTestServer([], { agent: true });
  servers.push(s);
  const name = s.nodeName!;
  await nodeWhen(s, name, (n) => ready(n)?.status === "True");
  const row = (await s.k("get", "nodes", "--no-headers")).trim().split(/\s+/);
  expect(row.slice(0, 3)).toEqual([name, "Ready", "control-plane"]);
  expect(s.log()).toContain(`agent running node=${name} user=system:node:${name}`);
  // It obtained its certificate through the CSR API like any agent.
  expect(await s.k("get", "csr", "--no-headers")).toContain("kubernetes.io/kube-apiserver-client-kubelet   kts:node-bootstrap");
});

test("the one-command quick start is a usable cluster: a Deployment's pods run on the server's own node", async () => {
  await ensureTestImage();
  const s = await startTestServer([], { agent: true });
  servers.push(s);
  await s.k("create", "deployment", "web", `--image=${TEST_IMAGE}`, "--replicas=2", "--", "sh", "-c", "echo up; exec sleep 3600");
  await s.k("rollout", "status", "deployment/web", "--timeout=90s");
  const rows = (await s.k("get", "pods", "--no-headers", "-o", "custom-columns=NODE:.spec.nodeName,PHASE:.status.phase")).trim().split("\n");
  expect(rows.map((r) => r.trim().split(/\s+/))).toEqual([
    [s.nodeName!, "Running"],
    [s.nodeName!, "Running"],
  ]);
  expect(await s.k("logs", "deployment/web")).toBe("up\n");
  await s.k("delete", "deployment", "web", "--wait", "--timeout=60s");
}, 120_000);

test("a restarted server's agent keeps its certificate and its Node", async () => {
  const first = await startTestServer([], { agent: true });
  const name = first.nodeName!;
  const uid = (await nodeWhen(first, name, (n) => ready(n)?.status === "True")).metadata?.uid;
  expect(await first.stop({ keepData: true })).toBe(0);
  const s = await startTestServer([], { agent: { nodeName: name }, dataDir: first.dataDir });
  servers.push(s);
  const node = await nodeWhen(s, name, (n) => ready(n)?.status === "True" && s.log().includes("agent running"));
  expect(node.metadata?.uid).toBe(uid);
  expect(s.log()).toContain(`using the stored node certificate node=${name}`);
});

test("without Docker the server still serves; the node reports NotReady and the agent keeps retrying", async () => {
  const s = await startTestServer([], { agent: true, env: { DOCKER_HOST: "unix:///nonexistent/docker.sock" } });
  servers.push(s);
  const node = await nodeWhen(s, s.nodeName!, (n) => ready(n) !== undefined);
  expect(ready(node)).toMatchObject({ status: "False", reason: "KubeletNotReady" });
  expect(ready(node)?.message).toStartWith("container runtime is down: ");
  expect(s.log()).toContain("cannot reach Docker Engine; the node reports NotReady and the agent keeps retrying");
  expect((await s.k("get", "namespaces", "-o", "name")).trim()).toContain("namespace/default");
});
