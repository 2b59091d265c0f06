/**
 * The pod network and the service proxy end to end: a real `kts server` (its embedded agent is
 * node A) and a real `kts agent` (node B) on this machine, real Docker, real iptables, real
 * kubectl. Everything is namespaced so it cannot meet anything else here: the cluster and service
 * CIDRs are inside 10.<b>.0.0/16 (b picked for this run), the node addresses sit on a veth pair this
 * test creates, each node has its own bridge and chain prefix (KTS_NET_PREFIX),
 * and an "outside" network namespace (also made here) stands for a machine off the cluster and for
 * a remote node reached by a host-gw route. Traffic goes only to these addresses. Everything is
 * removed at the end: containers, bridges, chains and jumps, routes, namespaces, links.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Iptables } from "../../iptables/index.ts";
import { cleanupProxyRules } from "../../proxy/index.ts";
import { dockerAvailable, ensureTestImage, removeTestContainers, TEST_IMAGE } from "../../testing/docker.ts";
import { startTestAgent, type TestAgent } from "../../testing/agent.ts";
import { startTestServer, testNodeName, type TestServer } from "../../testing/server.ts";
import { networkNames, removeNodeNetwork } from "./index.ts";

setDefaultTimeout(120_000);

const hasDocker = process.getuid?.() === 0 && (await dockerAvailable());

/**
 * This run's second octet. Several suites may run at once on one machine: creating the veth pair
 * named after it is the lock (it fails when another run holds the number).
 */
function claimOctet(): number {
  const start = Math.floor(Math.random() * 150);
  for (let i = 0; i < 150; i++) {
    const b = 100 + ((start + i) % 150);
    if (Bun.spawnSync(["ip", "link", "add", `kn${b}a`, "type", "veth", "peer", "name", `kn${b}az`]).exitCode === 0) return b;
  }
  throw new Error("no free 10.<b>.0.0/16 for the network test");
}
const B = hasDocker ? claimOctet() : 0;
const CLUSTER = `10.${B}.0.0/17`;
const SERVICE = `10.${B}.128.0/18`;
const NODE_A_IP = `10.${B}.192.1`;
const NODE_B_IP = `10.${B}.192.2`;
const HOST_OUT = `10.${B}.193.1`;
const OUTSIDE = `10.${B}.193.2`;
const PREFIX_A = `kn${B}`;
const PREFIX_B = `kn${B}b`;
const LINK = `kn${B}a`;
const OUT_LINK = `kn${B}o`;
const NETNS = `kts-outside-${B}`;
/** Not the service CIDR's 10th address: agents must learn it from the server, not guess it. */
const CLUSTER_DNS = `10.${B}.128.53`;

let s: TestServer;
let agentB: TestAgent | undefined;
let nodeA = "";
let outsideHttpd: ReturnType<typeof Bun.spawn> | undefined;
const scratch = mkdtempSync(join(tmpdir(), "kts-net-e2e-"));

function sh(argv: string[], allowFail = false): string {
  const r = Bun.spawnSync(argv);
  if (r.exitCode !== 0 && !allowFail) throw new Error(`${argv.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

/** busybox httpd answering /cgi-bin/who with "<name> <client address>". */
function whoServer(name: string): string {
  return `mkdir -p /www/cgi-bin && printf '#!/bin/sh\\necho Content-Type: text/plain\\necho\\necho ${name} $REMOTE_ADDR\\n' > /www/cgi-bin/who && chmod +x /www/cgi-bin/who && exec httpd -f -p 8080 -h /www`;
}

function pod(name: string, node: string, labels: Record<string, string>, opts: { ready?: boolean; client?: boolean } = {}): object {
  const container = opts.client
    ? { name: "c", image: TEST_IMAGE, imagePullPolicy: "IfNotPresent", command: ["sleep", "3600"] }
    : {
        name: "httpd",
        image: TEST_IMAGE,
        imagePullPolicy: "IfNotPresent",
        command: ["sh", "-c", whoServer(name)],
        ports: [{ containerPort: 8080 }],
        readinessProbe: opts.ready === false ? { exec: { command: ["false"] }, periodSeconds: 1 } : { tcpSocket: { port: 8080 }, periodSeconds: 1 },
      };
  return { apiVersion: "v1", kind: "Pod", metadata: { name, labels }, spec: { nodeName: node, terminationGracePeriodSeconds: 0, containers: [container] } };
}

function service(name: string, selector: Record<string, string>, spec: Record<string, unknown> = {}): object {
  return { apiVersion: "v1", kind: "Service", metadata: { name }, spec: { selector, ports: [{ port: 80, targetPort: 8080 }], ...spec } };
}

async function apply(...objs: object[]): Promise<void> {
  const r = await s.kubectl(["apply", "-f", "-"], { stdin: JSON.stringify({ apiVersion: "v1", kind: "List", items: objs }) });
  if (r.code !== 0) throw new Error(`kubectl apply: ${r.stderr}`);
}

async function podIP(name: string): Promise<string> {
  return (await s.k("get", "pod", name, "-o", "jsonpath={.status.podIP}")).trim();
}

async function clusterIP(name: string): Promise<string> {
  return (await s.k("get", "svc", name, "-o", "jsonpath={.spec.clusterIP}")).trim();
}

/** Runs a shell line in a pod; busybox's wget -T crashes, so `timeout` bounds every request. */
async function inPod(name: string, line: string): Promise<{ code: number; out: string }> {
  const r = await s.kubectl(["exec", name, "--", "sh", "-c", line], { timeoutMs: 60_000 });
  return { code: r.code, out: r.stdout + r.stderr };
}

/** GET /cgi-bin/who from a pod: "<server name> <client address>" or an error text. */
async function who(from: string, url: string): Promise<string> {
  return (await inPod(from, `timeout 10 wget -qO- ${url}/cgi-bin/who 2>&1`)).out.trim().replace("::ffff:", "").replace(/[[\]]/g, "");
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(250);
  }
}

async function ready(...pods: string[]): Promise<void> {
  for (const p of pods) await s.k("wait", "--for=condition=Ready", `pod/${p}`, "--timeout=90s");
}

async function natRules(): Promise<string> {
  return sh(["iptables-save", "-t", "nat"]);
}

/** Waits until node A's proxy sends the Service's cluster IP to endpoints (before that, requests would just time out). */
async function programmed(name: string): Promise<string> {
  await waitFor(`${name}'s rules`, async () => ((await natRules()).includes(`"default/${name} cluster IP"`) ? true : undefined));
  return clusterIP(name);
}

/** Removes what this test made. */
async function cleanUp(): Promise<void> {
  // The backend the agents picked: the one the host's rules are in.
  const ipt = await Iptables.detect();
  for (const prefix of [PREFIX_A, PREFIX_B]) {
    await cleanupProxyRules(ipt, prefix.toUpperCase());
    await removeNodeNetwork({ names: networkNames(prefix), iptables: ipt, clusterCidr: CLUSTER, serviceCidr: SERVICE });
  }
  sh(["ip", "link", "del", LINK], true);
  sh(["ip", "link", "del", OUT_LINK], true);
  sh(["ip", "netns", "del", NETNS], true);
}

describe.skipIf(!hasDocker)("pod network and service proxy", () => {
  beforeAll(async () => {
    await ensureTestImage();
    // The node addresses: on the veth pair claimOctet made, which only this run uses.
    sh(["ip", "addr", "add", `${NODE_A_IP}/24`, "dev", LINK]);
    sh(["ip", "addr", "add", `${NODE_B_IP}/24`, "dev", LINK]);
    sh(["ip", "link", "set", LINK, "up"]);
    sh(["ip", "link", "set", `${LINK}z`, "up"]);
    // "Outside": a network namespace behind another veth pair, with a CGI httpd.
    sh(["ip", "netns", "add", NETNS]);
    sh(["ip", "link", "add", OUT_LINK, "type", "veth", "peer", "name", "eth0", "netns", NETNS]);
    sh(["ip", "addr", "add", `${HOST_OUT}/30`, "dev", OUT_LINK]);
    sh(["ip", "link", "set", OUT_LINK, "up"]);
    sh(["ip", "-n", NETNS, "addr", "add", `${OUTSIDE}/30`, "dev", "eth0"]);
    sh(["ip", "-n", NETNS, "link", "set", "eth0", "up"]);
    sh(["ip", "-n", NETNS, "link", "set", "lo", "up"]);
    sh(["ip", "-n", NETNS, "route", "add", "default", "via", HOST_OUT]);
    const www = join(scratch, "www");
    mkdirSync(join(www, "cgi-bin"), { recursive: true });
    writeFileSync(join(www, "cgi-bin", "who"), "#!/bin/sh\necho Content-Type: text/plain\necho\necho outside $REMOTE_ADDR\n");
    chmodSync(join(www, "cgi-bin", "who"), 0o755);
    outsideHttpd = Bun.spawn(["ip", "netns", "exec", NETNS, "busybox", "httpd", "-f", "-p", "8080", "-h", www], { stdout: "ignore", stderr: "ignore" });

    nodeA = testNodeName("kts-net-a");
    // Node ports match every local address: each run gets its own few so concurrent runs never catch each other's.
    const ports = 30000 + (B - 100) * 16;
    s = await startTestServer(["--cluster-cidr", CLUSTER, "--service-cidr", SERVICE, "--service-node-port-range", `${ports}-${ports + 15}`, "--node-ip", NODE_A_IP, "--cluster-dns", CLUSTER_DNS, "--cluster-domain", "kts.test"], { agent: { nodeName: nodeA }, network: true, env: { KTS_NET_PREFIX: PREFIX_A } });
    await waitFor("node A's pod network", async () => ((await s.k("get", "node", nodeA, "-o", "jsonpath={.spec.podCIDR}")).trim() && s.log().includes("pod network ready") ? true : undefined));
  });

  afterAll(async () => {
    await agentB?.stop();
    await s?.stop();
    outsideHttpd?.kill();
    await removeTestContainers();
    await cleanUp();
    rmSync(scratch, { recursive: true, force: true });
  });

  test("safety first: unreachable routes for the cluster and service CIDRs; an unprogrammed pod address dies on the host", () => {
    const unreachable = sh(["ip", "route", "show", "type", "unreachable"]);
    expect(unreachable).toContain(`unreachable ${CLUSTER} proto 75`);
    expect(unreachable).toContain(`unreachable ${SERVICE} proto 75`);
    const r = Bun.spawnSync(["ip", "route", "get", `10.${B}.100.7`]);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr.toString()).toContain("No route to host");
    // Service addresses go through the loopback table (DNAT and REJECT then apply), and die on the host otherwise.
    expect(sh(["ip", "rule"])).toContain(`to ${SERVICE} lookup ${0x4b5453}`);
    expect(sh(["ip", "route", "show", "table", String(0x4b5453)])).toContain(`${SERVICE} dev lo proto 75 scope link src ${NODE_A_IP}`);
  });

  test("pods get addresses from their node's pod CIDR and reach each other by pod IP without NAT", async () => {
    await apply(pod("web-1", nodeA, { app: "web", solo: "1" }), pod("web-2", nodeA, { app: "web" }), pod("web-3", nodeA, { app: "web" }, { ready: false }), pod("client", nodeA, {}, { client: true }));
    await ready("web-1", "web-2", "client");
    const cidr = (await s.k("get", "node", nodeA, "-o", "jsonpath={.spec.podCIDR}")).trim();
    const prefix = cidr.split(".").slice(0, 3).join(".");
    const [w1, c] = [await podIP("web-1"), await podIP("client")];
    expect(w1.startsWith(`${prefix}.`)).toBe(true);
    expect(c.startsWith(`${prefix}.`)).toBe(true);
    expect(await who("client", `http://${w1}:8080`)).toBe(`web-1 ${c}`);
  });

  test("ClusterIP: only ready endpoints, spread over both", async () => {
    await apply(service("web", { app: "web" }));
    const ip = await programmed("web");
    const seen = new Set<string>();
    const out = await waitFor("both ready endpoints answering", async () => {
      const r = await inPod("client", `for i in $(seq 16); do timeout 10 wget -qO- http://${ip}/cgi-bin/who; done`);
      for (const line of r.out.trim().split("\n")) if (line.startsWith("web-")) seen.add(line.split(" ")[0]!);
      return seen.has("web-1") && seen.has("web-2") ? r.out : undefined;
    });
    expect(out).not.toContain("web-3");
    expect([...seen].sort()).toEqual(["web-1", "web-2"]);
  });

  test("a Service without endpoints is refused at once (icmp-port-unreachable), not left to time out", async () => {
    await apply(service("empty", { app: "nothing" }));
    const ip = await clusterIP("empty");
    await waitFor("the REJECT rule", async () => (sh(["iptables-save", "-t", "filter"]).includes("default/empty has no endpoints") ? true : undefined));
    const r = await inPod("client", `timeout 20 wget -qO- http://${ip}/ 2>&1; echo rc=$?`);
    expect(r.out).toContain("Connection refused");
    expect(r.out).not.toContain("rc=143");
    // An address no Service holds is not refused by the proxy but dies on the host.
    const unused = await inPod("client", `timeout 3 wget -qO- http://10.${B}.190.77/ 2>&1; echo rc=$?`);
    expect(unused.out).not.toContain("rc=0");
  });

  test("NodePort from the host to the node address; externalTrafficPolicy Local keeps an outside client's address", async () => {
    await apply(service("np", { app: "web" }, { type: "NodePort" }), service("local", { solo: "1" }, { type: "NodePort", externalTrafficPolicy: "Local" }));
    const np = (await s.k("get", "svc", "np", "-o", "jsonpath={.spec.ports[0].nodePort}")).trim();
    const fromHost = await waitFor("the node port answering", async () => {
      const r = Bun.spawnSync(["busybox", "timeout", "10", "busybox", "wget", "-qO-", `http://${NODE_A_IP}:${np}/cgi-bin/who`]);
      return r.exitCode === 0 ? r.stdout.toString().trim() : undefined;
    });
    expect(fromHost).toMatch(/^web-[12] /);
    const localPort = (await s.k("get", "svc", "local", "-o", "jsonpath={.spec.ports[0].nodePort}")).trim();
    const fromOutside = await waitFor("the Local node port answering the outside", async () => {
      const r = Bun.spawnSync(["ip", "netns", "exec", NETNS, "busybox", "timeout", "10", "busybox", "wget", "-qO-", `http://${NODE_A_IP}:${localPort}/cgi-bin/who`]);
      return r.exitCode === 0 ? r.stdout.toString().trim().replace("::ffff:", "").replace(/[[\]]/g, "") : undefined;
    });
    expect(fromOutside).toBe(`web-1 ${OUTSIDE}`);
  });

  test("traffic leaving the cluster is masqueraded to the node's address", async () => {
    expect(await who("client", `http://${OUTSIDE}:8080`)).toBe(`outside ${HOST_OUT}`);
  });

  test("hostPort still works on the pod network; a hostNetwork pod stays on the host and reaches ClusterIPs", async () => {
    const hostPort = 18000 + B;
    const withPort = pod("hostport", nodeA, {}) as { spec: { containers: Array<{ ports: object[] }> } };
    withPort.spec.containers[0]!.ports = [{ containerPort: 8080, hostPort }];
    const hostNet = pod("hostnet", nodeA, {}, { client: true }) as { spec: Record<string, unknown> };
    hostNet.spec.hostNetwork = true;
    await apply(withPort, hostNet);
    await ready("hostport", "hostnet");
    const viaHostPort = await waitFor("the hostPort answering", async () => {
      const r = Bun.spawnSync(["busybox", "timeout", "10", "busybox", "wget", "-qO-", `http://${NODE_A_IP}:${hostPort}/cgi-bin/who`]);
      return r.exitCode === 0 ? r.stdout.toString().trim() : undefined;
    });
    expect(viaHostPort.startsWith("hostport ")).toBe(true);
    // From 127.0.0.1 (routed to the bridge by route_localnet, masqueraded to the bridge address)
    // and from the pod itself (hairpin, masqueraded too, or its reply would skip the DNAT).
    const cidr = (await s.k("get", "node", nodeA, "-o", "jsonpath={.spec.podCIDR}")).trim();
    const gateway = cidr.replace(/\.0\/\d+$/, ".1");
    const viaLoopback = Bun.spawnSync(["busybox", "timeout", "10", "busybox", "wget", "-qO-", `http://127.0.0.1:${hostPort}/cgi-bin/who`]);
    expect(viaLoopback.stdout.toString().trim().replace("::ffff:", "").replace(/[[\]]/g, "")).toBe(`hostport ${gateway}`);
    expect(await who("hostport", `http://${NODE_A_IP}:${hostPort}`)).toBe(`hostport ${gateway}`);
    // The DNAT rule names the pod, in this node's own chain; the sandbox carries its address.
    expect(await natRules()).toContain(`-A ${PREFIX_A.toUpperCase()}-HOSTPORTS -p tcp -m tcp --dport ${hostPort} -m comment --comment "default/hostport hostPort ${hostPort}/tcp" -j DNAT --to-destination ${await podIP("hostport")}:8080`);
    expect(await podIP("hostnet")).toBe(NODE_A_IP);
    const answer = await waitFor("a ClusterIP from the host network", async () => {
      const a = await who("hostnet", `http://${await clusterIP("web")}`);
      return a.startsWith("web-") ? a : undefined;
    });
    expect(answer).toMatch(/^web-[12] /);
  });

  test("a killed sandbox comes back with a new address, and its hostPort follows it", async () => {
    const hostPort = 18000 + B;
    const before = await podIP("hostport");
    const sandbox = sh(["docker", "ps", "-q", "--filter", `label=kts.io/node=${nodeA}`, "--filter", "label=io.kubernetes.pod.name=hostport", "--filter", "label=io.kubernetes.container.name=POD"]).trim();
    expect(sandbox).not.toBe("");
    sh(["docker", "kill", sandbox]);
    const after = await waitFor("a new sandbox address", async () => {
      const ip = await podIP("hostport");
      const restarts = (await s.k("get", "pod", "hostport", "-o", "jsonpath={.status.containerStatuses[0].restartCount}")).trim();
      return ip && ip !== before && restarts === "1" ? ip : undefined;
    });
    await ready("hostport");
    expect(await who("client", `http://${after}:8080`)).toBe(`hostport ${await podIP("client")}`);
    const viaHostPort = await waitFor("the hostPort answering again", async () => {
      const r = Bun.spawnSync(["busybox", "timeout", "10", "busybox", "wget", "-qO-", `http://${NODE_A_IP}:${hostPort}/cgi-bin/who`]);
      return r.exitCode === 0 ? r.stdout.toString().trim() : undefined;
    });
    expect(viaHostPort.startsWith("hostport ")).toBe(true);
    const nat = await natRules();
    expect(nat).toContain(`--to-destination ${after}:8080`);
    expect(nat).not.toContain(`--to-destination ${before}:8080`);
  });

  test("sessionAffinity ClientIP keeps a client on one endpoint", async () => {
    await apply(service("sticky", { app: "web" }, { sessionAffinity: "ClientIP" }));
    const ip = await programmed("sticky");
    await waitFor("the sticky service's endpoints", async () => ((await who("client", `http://${ip}`)).startsWith("web-") ? true : undefined));
    const out = await waitFor("the sticky service answering", async () => {
      const r = await inPod("client", `for i in $(seq 10); do timeout 10 wget -qO- http://${ip}/cgi-bin/who; done`);
      // Until its endpoints are programmed the Service refuses; count only rounds that all succeeded.
      const lines = r.out.trim().split("\n");
      return lines.length === 10 && lines.every((l) => l.startsWith("web-")) ? r.out : undefined;
    });
    expect(new Set(out.trim().split("\n").map((l) => l.split(" ")[0])).size).toBe(1);
  });

  test("hairpin: a pod reaches itself through its Service (masqueraded to the bridge address)", async () => {
    await apply(service("solo", { solo: "1" }));
    const ip = await programmed("solo");
    const answer = await waitFor("web-1 through its own Service", async () => {
      const a = await who("web-1", `http://${ip}`);
      return a.startsWith("web-1 ") ? a : undefined;
    });
    const cidr = (await s.k("get", "node", nodeA, "-o", "jsonpath={.spec.podCIDR}")).trim();
    expect(answer).toBe(`web-1 ${cidr.replace(/\.0\/\d+$/, ".1")}`);
  });

  test("a deleted Service's rules and chains go", async () => {
    const before = await natRules();
    expect(before).toContain("default/sticky");
    await s.k("delete", "svc", "sticky");
    await waitFor("sticky's rules gone", async () => (!(await natRules()).includes("default/sticky") ? true : undefined));
    const chains = (await natRules()).split("\n").filter((l) => l.startsWith(`:${PREFIX_A.toUpperCase()}-`));
    const referenced = (await natRules()).split("\n").filter((l) => l.startsWith("-A"));
    // Every per-service chain left is still in use (jumped to from somewhere).
    for (const c of chains.map((l) => l.slice(1).split(" ")[0]!).filter((c) => /-(SVC|SEP|EXT|SVL|FW)-/.test(c))) {
      expect(referenced.some((l) => l.includes(`-j ${c}`))).toBe(true);
    }
  });

  test("host-gw: a route to another node's pod CIDR through its address, pod-to-pod without NAT; gone with the node", async () => {
    const remote = `remote-${B}`;
    await apply({
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: remote },
      spec: { taints: [{ key: "kts.test/fake", effect: "NoSchedule" }] },
      status: { addresses: [{ type: "InternalIP", address: OUTSIDE }] },
    });
    const cidr = await waitFor("the remote node's pod CIDR", async () => (await s.k("get", "node", remote, "-o", "jsonpath={.spec.podCIDR}")).trim() || undefined);
    await waitFor("the host-gw route", async () => (sh(["ip", "route", "show", cidr]).includes(`via ${OUTSIDE}`) ? true : undefined));
    // The outside namespace plays the remote node: it holds an address of that pod CIDR.
    const remotePodIP = cidr.replace(/\.0\/\d+$/, ".9");
    sh(["ip", "-n", NETNS, "addr", "add", `${remotePodIP}/32`, "dev", "lo"]);
    const c = await podIP("client");
    expect(await who("client", `http://${remotePodIP}:8080`)).toBe(`outside ${c}`);
    await s.k("delete", "node", remote);
    await waitFor("the route removed", async () => (sh(["ip", "route", "show", cidr]).trim() === "" ? true : undefined));
  });

  test("a second node: its own pod CIDR and bridge; pods across nodes reach each other by pod IP and ClusterIP, without NAT", async () => {
    agentB = startTestAgent(s.url, s.token(), { nodeName: testNodeName("kts-net-b"), args: ["--node-ip", NODE_B_IP], env: { KTS_NET_PREFIX: PREFIX_B } });
    await agentB.ready;
    const nodeB = agentB.nodeName;
    const [cidrA, cidrB] = await waitFor("both pod CIDRs", async () => {
      const a = (await s.k("get", "node", nodeA, "-o", "jsonpath={.spec.podCIDR}")).trim();
      const b = (await s.k("get", "node", nodeB, "-o", "jsonpath={.spec.podCIDR}")).trim();
      return a && b ? [a, b] : undefined;
    });
    expect(cidrB).not.toBe(cidrA);
    await apply(pod("client-b", nodeB, {}, { client: true }), pod("web-b", nodeB, { app: "web-b" }));
    await ready("client-b", "web-b");
    const cb = await podIP("client-b");
    expect(cb.startsWith(cidrB.replace(/\.0\/\d+$/, "."))).toBe(true);
    expect(sh(["ip", "-br", "addr", "show", `${PREFIX_B}0`])).toContain(cidrB.replace(/\.0\/(\d+)$/, ".1/$1"));
    // B to A by pod IP: the source is B's pod.
    expect(await who("client-b", `http://${await podIP("web-1")}:8080`)).toBe(`web-1 ${cb}`);
    // A to B through a Service.
    await apply(service("web-b", { app: "web-b" }));
    const ip = await programmed("web-b");
    const c = await podIP("client");
    const answer = await waitFor("web-b through its Service from node A", async () => {
      const a = await who("client", `http://${ip}`);
      return a.startsWith("web-b ") ? a : undefined;
    });
    expect(answer).toBe(`web-b ${c}`);
    // Agent B was given no DNS flags: its pods get the server's --cluster-dns and --cluster-domain.
    const resolv = (await inPod("client-b", "cat /etc/resolv.conf")).out;
    expect(resolv).toContain(`nameserver ${CLUSTER_DNS}`);
    expect(resolv).toContain("search default.svc.kts.test svc.kts.test kts.test");
  });

  test("LoadBalancer (ServiceLB): the nodes' addresses become the ingress and serve the Service's port", async () => {
    await apply(service("lb", { app: "web" }, { type: "LoadBalancer", ports: [{ port: 8081, targetPort: 8080 }] }));
    const ingress = await waitFor("both nodes as ingress", async () => {
      const ips = (await s.k("get", "svc", "lb", "-o", "jsonpath={.status.loadBalancer.ingress[*].ip}")).trim().split(" ").sort();
      return ips.length === 2 ? ips : undefined;
    });
    expect(ingress).toEqual([NODE_A_IP, NODE_B_IP]);
    for (const ip of ingress) {
      const answer = await waitFor(`the Service on ${ip}:8081`, async () => {
        const r = Bun.spawnSync(["busybox", "timeout", "10", "busybox", "wget", "-qO-", `http://${ip}:8081/cgi-bin/who`]);
        return r.exitCode === 0 ? r.stdout.toString().trim() : undefined;
      });
      expect(answer).toMatch(/^web-[12] /);
    }
  });

  test("each node's proxy is system:kube-proxy with a certificate of its own, kept across an agent restart (pod addresses too); the nodes cannot list EndpointSlices", async () => {
    const kubeProxyCert = (agentDataDir: string) => new X509Certificate(readFileSync(join(agentDataDir, "agent", "client-kube-proxy.crt")));
    for (const dir of [s.dataDir, agentB!.dataDir]) expect(kubeProxyCert(dir).subject).toBe("CN=system:kube-proxy");
    // The rules above were programmed from EndpointSlices, which only kube-proxy's identity may list.
    for (const node of [nodeA, agentB!.nodeName]) {
      const r = await s.kubectl(["auth", "can-i", "list", "endpointslices.discovery.k8s.io", "-A", "--as", `system:node:${node}`, "--as-group", "system:nodes"]);
      expect(r.stdout.trim()).toBe("no");
    }
    const serial = kubeProxyCert(agentB!.dataDir).serialNumber;
    const { nodeName, dataDir } = agentB!;
    await agentB!.stop({ keepData: true });
    agentB = startTestAgent(s.url, s.token(), { nodeName, dataDir, args: ["--node-ip", NODE_B_IP], env: { KTS_NET_PREFIX: PREFIX_B } });
    await agentB.ready;
    await waitFor("node B's proxy running again", async () => (agentB!.log().includes("service proxy running") ? true : undefined));
    expect(agentB.log()).toContain(`using the stored kube-proxy certificate serial=${serial}`);
    expect(kubeProxyCert(dataDir).serialNumber).toBe(serial);
    // Its pods' addresses were rebuilt from Docker's sandboxes: a new pod gets another, and reaches them.
    await apply(pod("client-b2", agentB.nodeName, {}, { client: true }));
    await ready("client-b2");
    const [c2, wb, cb] = [await podIP("client-b2"), await podIP("web-b"), await podIP("client-b")];
    expect(new Set([c2, wb, cb]).size).toBe(3);
    expect(await who("client-b2", `http://${wb}:8080`)).toBe(`web-b ${c2}`);
    // And it still programs Services: a new one appears in node B's own chains.
    await apply(service("after-restart", { app: "web" }));
    await waitFor("node B's rules for the new Service", async () => ((await natRules()).split("\n").some((l) => l.startsWith(`-A ${PREFIX_B.toUpperCase()}-SERVICES`) && l.includes('"default/after-restart cluster IP"')) ? true : undefined));
  });
});
