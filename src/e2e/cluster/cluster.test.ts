/**
 * The multi-node cluster end to end (issue 7's "must show"), on one server and two agents running
 * as Docker containers (src/testing/e2e-cluster.ts): a busybox httpd Deployment ×4 spread over
 * both agents, reached from a pod on the other node by pod IP, ClusterIP and DNS name, and from
 * this machine by NodePort on every node; a headless Service resolving to every pod; ExternalName
 * as a CNAME; names outside the cluster forwarded to the nodes' resolver (a stand-in on the
 * cluster's network); a Service scaled to zero rejecting at once; a not-ready pod getting no traffic;
 * sessionAffinity; an agent restart keeping its pods' containers; a server restart keeping every
 * object with the agents reconnecting; a stopped agent's pods recreated on the other node.
 *
 * Skipped, with the reason, when no cluster can be built here (no Docker Engine, or KTS_E2E_CLUSTER=0).
 * KTS_E2E_CLUSTER_ID=<id> runs against a cluster from `scripts/e2e-cluster up` and leaves it up.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { clusterDown, clusterUnavailable, clusterUp, kubectl, loadState, run, type ClusterState } from "../../testing/e2e-cluster.ts";
import { TEST_IMAGE } from "../../testing/docker.ts";

setDefaultTimeout(180_000);

const unavailable = await clusterUnavailable();
if (unavailable) console.warn(`e2e cluster tests skipped: ${unavailable}`);
const reuse = process.env.KTS_E2E_CLUSTER_ID;
let c: ClusterState;

async function k(...args: string[]): Promise<string> {
  const r = await kubectl(c, args, { timeoutMs: 90_000 });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

async function apply(...objects: object[]): Promise<void> {
  const r = await kubectl(c, ["apply", "-f", "-"], { stdin: JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }) });
  if (r.code !== 0) throw new Error(`kubectl apply: ${r.stderr}`);
}

async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}${last ? `: ${last}` : ""}`);
    await Bun.sleep(500);
  }
}

/** Runs a shell command in a pod; output and exit code. */
async function sh(pod: string, script: string): Promise<{ code: number; out: string; stdout: string }> {
  const r = await kubectl(c, ["exec", pod, "--", "sh", "-c", script], { timeoutMs: 30_000 });
  return { code: r.code, out: r.stdout + r.stderr, stdout: r.stdout };
}

/** An HTTP GET from a pod with busybox nc (busybox wget crashes in the static test image); the body, or the error. */
async function httpFrom(pod: string, host: string, port: number, path = "/index.html"): Promise<string> {
  const r = await sh(pod, `printf 'GET ${path} HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${host} ${port} 2>&1`);
  // Only the pod's output: kubectl's own log lines on its stderr (client-go can log "Unknown stream id 1,
  // discarding message" when the first, empty stdout frame beats its stream set-up) are not the answer.
  const text = r.stdout;
  const body = text.split("\r\n\r\n")[1];
  return body !== undefined ? body.trim() : `error: ${text.trim()}`;
}

interface PodInfo {
  name: string;
  ip: string;
  node: string;
  ready: boolean;
}

async function pods(selector: string): Promise<PodInfo[]> {
  const list = JSON.parse(await k("get", "pods", "-l", selector, "-o", "json")) as {
    items: Array<{ metadata: { name: string; deletionTimestamp?: string }; spec: { nodeName?: string }; status: { podIP?: string; conditions?: Array<{ type: string; status: string }> } }>;
  };
  return list.items
    .filter((p) => !p.metadata.deletionTimestamp)
    .map((p) => ({ name: p.metadata.name, ip: p.status.podIP ?? "", node: p.spec.nodeName ?? "", ready: p.status.conditions?.some((x) => x.type === "Ready" && x.status === "True") ?? false }));
}

const fastEviction = [
  { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 2 },
  { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 2 },
];

const httpd = (extra: Record<string, unknown> = {}) => ({
  name: "httpd",
  image: TEST_IMAGE,
  imagePullPolicy: "Never",
  // Each pod serves its own name, so answers tell which pod served them.
  command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -v -p 8080 -h /www"],
  ports: [{ name: "http", containerPort: 8080 }],
  ...extra,
});

const client = (name: string, node: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, labels: { role: "client" } },
  spec: { nodeName: node, terminationGracePeriodSeconds: 1, containers: [{ name: "c", image: TEST_IMAGE, imagePullPolicy: "Never", command: ["sleep", "36000"] }] },
});

const service = (name: string, spec: Record<string, unknown>) => ({ apiVersion: "v1", kind: "Service", metadata: { name }, spec });

beforeAll(async () => {
  if (unavailable) return;
  c = reuse ? loadState(reuse) : await clusterUp();
  await apply(
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: {
        replicas: 4,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: {
            terminationGracePeriodSeconds: 1,
            tolerations: fastEviction,
            // Tainted (unreachable) nodes leave the spread, so a stopped agent's pods can move.
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule", nodeTaintsPolicy: "Honor", labelSelector: { matchLabels: { app: "web" } } }],
            containers: [httpd({ readinessProbe: { httpGet: { path: "/index.html", port: 8080 }, periodSeconds: 1 } })],
          },
        },
      },
    },
    service("web", { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http" }] }),
    service("web-np", { type: "NodePort", selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: 8080 }] }),
    service("web-headless", { clusterIP: "None", selector: { app: "web" }, ports: [{ name: "http", port: 8080 }] }),
    service("web-sticky", { selector: { app: "web" }, sessionAffinity: "ClientIP", ports: [{ port: 80, targetPort: 8080 }] }),
    service("ext", { type: "ExternalName", externalName: "web.default.svc.cluster.local" }),
    client("client-1", "agent-1"),
    client("client-2", "agent-2"),
  );
  await until("4 web pods ready and both clients running", async () => {
    const web = await pods("app=web");
    const clients = await pods("role=client");
    return web.length === 4 && web.every((p) => p.ready) && clients.length === 2 && clients.every((p) => p.ready);
  });
}, 900_000);

afterAll(async () => {
  if (unavailable || !c || reuse) return;
  await clusterDown(c.id);
}, 120_000);

/** The client pod on the other node than `node`. */
const otherClient = (node: string) => (node === "agent-1" ? "client-2" : "client-1");

describe.skipIf(!!unavailable)("the Docker cluster", () => {
  test("the web pods are spread over both agents", async () => {
    const web = await pods("app=web");
    expect(new Set(web.map((p) => p.node))).toEqual(new Set(["agent-1", "agent-2"]));
    for (const p of web) expect(p.ip).toMatch(/^10\.42\.\d+\.\d+$/);
  });

  test("each pod answers a pod on the other node at its pod IP (no NAT between pods)", async () => {
    for (const p of await pods("app=web")) {
      // A pod just made ready may take a moment to be reachable from the other node's fresh client.
      expect(await until(`${p.name} answers`, async () => ((await httpFrom(otherClient(p.node), p.ip, 8080)) === p.name ? p.name : undefined), 20_000)).toBe(p.name);
    }
    // The server sees the client pod's own address (httpd -v logs its peers).
    const c2 = (await pods("role=client")).find((p) => p.name === "client-2")!;
    const onAgent1 = (await pods("app=web")).find((p) => p.node === "agent-1")!;
    await httpFrom("client-2", onAgent1.ip, 8080);
    await until("httpd logs the client pod's address", async () => (await k("logs", onAgent1.name)).includes(`[::ffff:${c2.ip}]:`), 15_000);
  });

  test("the ClusterIP balances over the pods, from either node", async () => {
    const ip = (await k("get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}")).trim();
    const names = new Set((await pods("app=web")).map((p) => p.name));
    for (const from of ["client-1", "client-2"]) {
      const seen = new Set<string>();
      for (let i = 0; i < 16 && seen.size < 2; i++) seen.add(await httpFrom(from, ip, 80));
      expect(seen.size).toBeGreaterThan(1);
      for (const s of seen) expect(names).toContain(s);
    }
  });

  test("the Service's DNS names resolve in pods: web.default.svc.cluster.local and the short web", async () => {
    const ip = (await k("get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}")).trim();
    const resolv = (await sh("client-1", "cat /etc/resolv.conf")).out;
    expect(resolv).toContain("nameserver 10.43.0.10");
    expect(resolv).toContain("search default.svc.cluster.local svc.cluster.local cluster.local");
    const full = await sh("client-1", "nslookup web.default.svc.cluster.local");
    expect(full.out).toContain(`Address: ${ip}`);
    const short = await sh("client-2", "nslookup web");
    expect(short.out).toContain(`Address: ${ip}`);
    const names = new Set((await pods("app=web")).map((p) => p.name));
    expect(names).toContain(await httpFrom("client-2", "web", 80));
    expect(names).toContain(await httpFrom("client-1", "web.default.svc.cluster.local", 80));
  });

  test("NodePort answers on every node from this machine", async () => {
    const port = Number(await k("get", "svc", "web-np", "-o", "jsonpath={.spec.ports[0].nodePort}"));
    const names = new Set((await pods("app=web")).map((p) => p.name));
    for (const node of c.agents) {
      const res = await fetch(`http://${node.ip}:${port}/index.html`, { signal: AbortSignal.timeout(5000) });
      expect(res.status).toBe(200);
      expect(names).toContain((await res.text()).trim());
    }
  });

  test("a headless Service resolves to every ready pod; ExternalName is a CNAME", async () => {
    const ips = (await pods("app=web")).map((p) => p.ip).sort();
    const out = (await sh("client-1", "nslookup web-headless.default.svc.cluster.local")).out;
    const got = [...out.matchAll(/Address: (10\.42\.\d+\.\d+)/g)].map((m) => m[1]).sort();
    expect(got).toEqual(ips);
    const cname = (await sh("client-2", "nslookup -type=CNAME ext.default.svc.cluster.local")).out;
    expect(cname).toContain("canonical name = web.default.svc.cluster.local");
    const ip = (await k("get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}")).trim();
    expect((await sh("client-2", "nslookup ext.default.svc.cluster.local")).out).toContain(`Address: ${ip}`);
    // SRV for the named port, and PTR for a pod behind the headless Service.
    expect((await sh("client-1", "nslookup -type=SRV _http._tcp.web.default.svc.cluster.local")).out).toContain("80 web.default.svc.cluster.local");
  });

  test("StatefulSet pods have their own names under their headless Service, PTR names, and their FQDN in /etc/hosts", async () => {
    await apply(service("db", { clusterIP: "None", selector: { app: "db" }, ports: [{ name: "http", port: 8080 }] }), {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "db" },
      spec: {
        serviceName: "db",
        replicas: 2,
        podManagementPolicy: "Parallel",
        selector: { matchLabels: { app: "db" } },
        template: { metadata: { labels: { app: "db" } }, spec: { terminationGracePeriodSeconds: 1, containers: [httpd({ readinessProbe: { httpGet: { path: "/index.html", port: 8080 }, periodSeconds: 1 } })] } },
      },
    });
    const db = await until("db-0 and db-1 ready", async () => {
      const l = await pods("app=db");
      return l.length === 2 && l.every((p) => p.ready) ? l : undefined;
    });
    for (const p of db) {
      const fqdn = `${p.name}.db.default.svc.cluster.local`;
      expect((await sh("client-1", `nslookup ${fqdn}`)).out).toContain(`Address: ${p.ip}`);
      expect((await sh("client-2", `nslookup ${p.ip}`)).out).toContain(`name = ${fqdn}`);
      expect(await httpFrom("client-2", fqdn, 8080)).toBe(p.name);
      expect((await sh(p.name, "cat /etc/hosts")).out).toContain(`${p.ip}\t${fqdn}\t${p.name}`);
    }
    await k("delete", "statefulset", "db", "--wait=false");
  });

  test("other names go to the nodes' resolver (through the cluster DNS, or directly with dnsPolicy Default); ExternalName outside the cluster", async () => {
    await apply(service("site", { type: "ExternalName", externalName: "www.example.test" }), {
      ...client("client-default", "agent-2"),
      spec: { ...client("client-default", "agent-2").spec, dnsPolicy: "Default" },
    });
    expect((await sh("client-1", "nslookup host.example.test")).out).toContain("Address: 192.0.2.20");
    expect((await sh("client-1", "nslookup missing.example.test")).out).toContain("NXDOMAIN");
    const site = (await sh("client-2", "nslookup site.default.svc.cluster.local")).out;
    expect(site).toContain("canonical name = www.example.test");
    expect(site).toContain("Address: 192.0.2.21");
    await until("client-default runs", async () => (await pods("role=client")).find((p) => p.name === "client-default")?.ready);
    const resolv = (await sh("client-default", "cat /etc/resolv.conf")).out;
    expect(resolv).not.toContain("10.43.0.10");
    expect((await sh("client-default", "nslookup www.example.test")).out).toContain("Address: 192.0.2.21");
    await k("delete", "pod", "client-default", "--wait=false");
  });

  test("sessionAffinity ClientIP keeps a client on one pod", async () => {
    const ip = (await k("get", "svc", "web-sticky", "-o", "jsonpath={.spec.clusterIP}")).trim();
    // Sample once the proxy has programmed the Service (its affinity comes in the same sync).
    await until("the sticky Service answering", async () => (await httpFrom("client-1", ip, 80)).startsWith("web-"));
    const seen = new Set<string>();
    for (let i = 0; i < 8; i++) seen.add(await httpFrom("client-1", ip, 80));
    expect(seen.size).toBe(1);
    expect([...seen][0]).toMatch(/^web-/);
  });

  test("a pod failing its readiness probe gets no traffic", async () => {
    const pod = (name: string, ready: boolean) => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, labels: { app: "mixed" } },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [httpd({ readinessProbe: { httpGet: { path: ready ? "/index.html" : "/missing", port: 8080 }, periodSeconds: 1 } })],
      },
    });
    await apply(pod("mixed-good", true), pod("mixed-bad", false), service("mixed", { selector: { app: "mixed" }, ports: [{ port: 80, targetPort: 8080 }] }));
    await until("mixed-good ready, mixed-bad running", async () => {
      const l = await pods("app=mixed");
      return l.find((p) => p.name === "mixed-good")?.ready && l.find((p) => p.name === "mixed-bad")?.ip;
    });
    const ip = (await k("get", "svc", "mixed", "-o", "jsonpath={.spec.clusterIP}")).trim();
    // The proxy programs a new Service within its sync period: sample once it answers.
    await until("the mixed Service answering", async () => (await httpFrom("client-2", ip, 80)) === "mixed-good");
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) seen.add(await httpFrom("client-2", ip, 80));
    expect([...seen]).toEqual(["mixed-good"]);
    // The not-ready pod itself serves: only the Service leaves it out.
    const bad = (await pods("app=mixed")).find((p) => p.name === "mixed-bad")!;
    expect(await httpFrom("client-1", bad.ip, 8080)).toBe("mixed-bad");
  });

  test("scaled to zero, the ClusterIP rejects connections at once", async () => {
    const ip = (await k("get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}")).trim();
    await k("scale", "deployment", "web", "--replicas=0");
    await until("web has no ready endpoints", async () => (await k("get", "endpointslices", "-l", "kubernetes.io/service-name=web", "-o", "jsonpath={.items[*].endpoints[?(@.conditions.ready==true)].addresses}")).trim() === "");
    const r = await until("the ClusterIP rejects", async () => {
      const out = await httpFrom("client-1", ip, 80);
      return /refused/i.test(out) ? out : undefined;
    }, 30_000);
    expect(r).toMatch(/Connection refused/);
    await k("scale", "deployment", "web", "--replicas=4");
    await until("4 web pods ready again", async () => {
      const web = await pods("app=web");
      return web.length === 4 && web.every((p) => p.ready);
    });
  });

  test("restarting an agent keeps its pods' containers running", async () => {
    const agent = c.agents[0]!;
    const containers = async () => (await run(["docker", "exec", agent.container, "docker", "ps", "-q", "--no-trunc", "--filter", "label=io.kubernetes.pod.namespace=default"])).stdout.split("\n").filter(Boolean).sort();
    const before = await containers();
    expect(before.length).toBeGreaterThan(0);
    // The agent's process (pods' processes, kts dns included, are visible in the node too).
    const agentPid = async () => (await run(["docker", "exec", agent.container, "pgrep", "-f", "^/usr/local/bin/kts agent"])).stdout.trim();
    const pid = await agentPid();
    expect(pid).toMatch(/^\d+$/);
    await run(["docker", "exec", agent.container, "kill", pid]);
    // The node's entry point starts kts again; it adopts the running containers.
    await until("a new agent process", async () => {
      const now = await agentPid();
      return /^\d+$/.test(now) && now !== pid;
    });
    await until("the agent reports its pods again", async () => {
      const mine = (await pods("app=web")).filter((p) => p.node === agent.nodeName);
      return mine.length > 0 && mine.every((p) => p.ready);
    });
    expect(await containers()).toEqual(before);
    const restarts = await k("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[*].status.containerStatuses[0].restartCount}");
    expect(restarts.trim().split(" ").every((n) => n === "0")).toBe(true);
  });

  test("restarting the server container keeps every object; the agents reconnect", async () => {
    const before = (await k("get", "deploy,svc,pods", "-o", "name")).split("\n").filter(Boolean).sort();
    const restarted = Date.now();
    await run(["docker", "restart", "-t", "5", c.server.container], { timeoutMs: 60_000 });
    await until("the API answers", async () => (await kubectl(c, ["get", "--raw", "/readyz"])).stdout.trim() === "ok");
    expect((await k("get", "deploy,svc,pods", "-o", "name")).split("\n").filter(Boolean).sort()).toEqual(before);
    await until("both agents renew their leases after the restart", async () => {
      const times = (await k("get", "lease", "-n", "kube-node-lease", "agent-1", "agent-2", "-o", "jsonpath={.items[*].spec.renewTime}")).trim().split(" ");
      return times.length === 2 && times.every((t) => Date.parse(t) > restarted);
    });
    // The agents watch again: a new pod is run.
    await k("scale", "deployment", "web", "--replicas=5");
    await until("5 web pods ready", async () => {
      const web = await pods("app=web");
      return web.length === 5 && web.every((p) => p.ready);
    });
    await k("scale", "deployment", "web", "--replicas=4");
  });

  test("stopping an agent makes its node NotReady and its pods are recreated on the other node", async () => {
    const gone = c.agents[1]!;
    const survivor = c.agents[0]!;
    await run(["docker", "stop", "-t", "2", gone.container], { timeoutMs: 60_000 });
    await until(`${gone.nodeName} is not Ready`, async () => (await k("get", "node", gone.nodeName, "-o", 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')).trim() !== "True", 90_000);
    await until("4 ready web pods, all on the remaining node", async () => {
      const web = (await pods("app=web")).filter((p) => p.ready);
      return web.length === 4 && web.every((p) => p.node === survivor.nodeName);
    }, 180_000);
    // And the Service serves from them.
    const ip = (await k("get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}")).trim();
    expect(await httpFrom("client-1", ip, 80)).toMatch(/^web-/);
  });
});
