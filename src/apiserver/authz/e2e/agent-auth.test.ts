/**
 * Credentials on real nodes: a pod's projected service account token (TokenRequest, bound to the
 * pod) reaches the API from inside the pod with exactly its account's rights; an agent joins with
 * a bootstrap token from `kts token create`, and cannot once the token is deleted.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { ensureTestImage, removeTestContainers, TEST_IMAGE } from "../../../testing/docker.ts";
import { startTestAgent, type TestAgent } from "../../../testing/agent.ts";
import { startTestServer, type TestServer } from "../../../testing/server.ts";

// Nodes, pods and agents on a loaded 2-core machine: generous deadlines for every step and hook.
setDefaultTimeout(120_000);

const KTS = join(import.meta.dir, "..", "..", "..", "..", "cmd", "kts.ts");

/** Docker's default bridge gateway: the host address pods on that bridge reach. */
function dockerGateway(): string {
  const r = Bun.spawnSync(["docker", "network", "inspect", "bridge", "-f", "{{(index .IPAM.Config 0).Gateway}}"]);
  const ip = r.stdout.toString().trim();
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) throw new Error(`cannot find Docker's bridge gateway: ${r.stderr.toString()}`);
  return ip;
}

async function kts(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = Bun.spawn([process.execPath, KTS, ...args], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr };
}

afterAll(async () => {
  await removeTestContainers();
});

describe("a service account token mounted in a pod", () => {
  let s: TestServer;
  let gateway: string;

  beforeAll(async () => {
    await ensureTestImage();
    gateway = dockerGateway();
    // The pod reaches the server on the bridge gateway; the token volume comes from the ServiceAccount admission plugin.
    s = await startTestServer(["--bind-address", gateway, "--advertise-address", gateway, "--kube-apiserver-arg", "authorization-mode=Node,RBAC"], { agent: true });
  }, 60_000);

  afterAll(async () => {
    await s?.stop();
  });

  test("reaches the API from inside the pod with exactly its account's rights", async () => {
    await s.k("create", "namespace", "in-pod");
    await s.k("-n", "in-pod", "create", "serviceaccount", "reader");
    await s.k("-n", "in-pod", "create", "role", "cm-reader", "--verb=list", "--resource=configmaps");
    await s.k("-n", "in-pod", "create", "rolebinding", "reader-reads", "--role=cm-reader", "--serviceaccount=in-pod:reader");
    await s.k("-n", "in-pod", "run", "client", `--image=${TEST_IMAGE}`, "--overrides", JSON.stringify({ spec: { serviceAccountName: "reader" } }), "--command", "--", "sleep", "3600");
    await s.k("-n", "in-pod", "wait", "--for=condition=Ready", "pod/client", "--timeout=60s");
    const dir = "/var/run/secrets/kubernetes.io/serviceaccount";
    expect((await s.k("-n", "in-pod", "exec", "client", "--", "cat", `${dir}/namespace`)).trim()).toBe("in-pod");
    expect(await s.k("-n", "in-pod", "exec", "client", "--", "cat", `${dir}/ca.crt`)).toContain("BEGIN CERTIFICATE");
    const port = new URL(s.url).port;
    const get = (path: string) =>
      s.kubectl(["-n", "in-pod", "exec", "client", "--", "sh", "-c", `wget -q -O - --no-check-certificate --header "Authorization: Bearer $(cat ${dir}/token)" https://${gateway}:${port}${path}`]);
    const allowed = await get("/api/v1/namespaces/in-pod/configmaps");
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout)).toMatchObject({ kind: "ConfigMapList" });
    const refused = await get("/api/v1/namespaces/in-pod/secrets");
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("403 Forbidden");
    // The token names the pod it is bound to.
    const token = (await s.k("-n", "in-pod", "exec", "client", "--", "cat", `${dir}/token`)).trim();
    const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { sub: string; "kubernetes.io": { pod: { name: string } } };
    expect(claims.sub).toBe("system:serviceaccount:in-pod:reader");
    expect(claims["kubernetes.io"].pod.name).toBe("client");
    await s.k("-n", "in-pod", "delete", "pod", "client", "--wait=false");
  }, 120_000);
});

describe("joining with a bootstrap token", () => {
  let s: TestServer;
  let agent: TestAgent | undefined;

  beforeAll(async () => {
    s = await startTestServer(["--kube-apiserver-arg", "authorization-mode=Node,RBAC"]);
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await s?.stop();
  });

  test("kts token create/list/delete; an agent joins as system:bootstrap:<id>; a deleted token joins nobody", async () => {
    const created = await kts("token", "create", "--kubeconfig", s.kubeconfig, "--ttl", "1h", "--description", "e2e join");
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^K10[0-9a-f]{64}::[a-z0-9]{6}\.[a-z0-9]{16}$/);
    const id = token.slice(token.indexOf("::") + 2, token.indexOf("."));
    const listed = await kts("token", "list", "--kubeconfig", s.kubeconfig);
    expect(listed.stdout).toMatch(new RegExp(`^${id}\\.[a-z0-9]{16}\\s+59m\\s+\\S+Z\\s+authentication,signing\\s+e2e join\\s+system:bootstrappers:kts:default-node-token$`, "m"));

    agent = startTestAgent(s.url, token);
    await agent.ready;
    const csrs = await s.k("get", "csr", "-o", "jsonpath={range .items[*]}{.spec.username} {.status.conditions[0].type}{\"\\n\"}{end}");
    expect(csrs).toContain(`system:bootstrap:${id} Approved`);
    expect((await s.k("get", "node", agent.nodeName, "-o", "name")).trim()).toBe(`node/${agent.nodeName}`);
    await agent.stop();
    agent = undefined;

    expect((await kts("token", "delete", "--kubeconfig", s.kubeconfig, id)).stdout.trim()).toBe(`bootstrap token "${id}" deleted`);
    // The success cache keeps a deleted token working for up to 10 s.
    await Bun.sleep(10_500);
    const refused = startTestAgent(s.url, token, { readyTimeoutMs: 20_000 });
    refused.ready.catch(() => undefined);
    expect(await refused.exited).toBe(1);
    expect(refused.log()).toContain("rejected the join token (401 Unauthorized)");
    await refused.stop();
  }, 120_000);
});
