/**
 * The cluster DNS server against a real kts server (Services and EndpointSlices applied with real
 * kubectl) and queried with the real dig over UDP and TCP. Names outside the cluster go to a
 * stand-in resolver on loopback.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { HttpClient } from "../client/http/index.ts";
import { logger } from "../log/index.ts";
import { readKubeconfig } from "../pki/index.ts";
import { startTestServer, type TestServer } from "../testing/server.ts";
import { startDnsServer, type DnsServer } from "./index.ts";
import { dig, fakeUpstream, type FakeUpstream } from "./testing.ts";

setDefaultTimeout(60_000);

let s: TestServer;
let dns: DnsServer;
let upstream: FakeUpstream;
let webIP = "";

const slice = (name: string, service: string, endpoints: object[], ports: object[] = [{ name: "http", port: 8080, protocol: "TCP" }]) => ({
  apiVersion: "discovery.k8s.io/v1",
  kind: "EndpointSlice",
  metadata: { name, namespace: "default", labels: { "kubernetes.io/service-name": service } },
  addressType: "IPv4",
  ports,
  endpoints,
});

const objects = [
  { apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: "default" }, spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: 8080 }, { name: "dns", port: 53, protocol: "UDP" }] } },
  { apiVersion: "v1", kind: "Service", metadata: { name: "hl", namespace: "default" }, spec: { clusterIP: "None", ports: [{ name: "http", port: 80, targetPort: 8080 }] } },
  slice("hl-1", "hl", [
    { addresses: ["10.42.0.5"], hostname: "web-0", conditions: { ready: true } },
    { addresses: ["10.42.1.6"], conditions: { ready: true } },
    { addresses: ["10.42.1.7"], conditions: { ready: false } },
  ]),
  { apiVersion: "v1", kind: "Service", metadata: { name: "many", namespace: "default" }, spec: { clusterIP: "None", ports: [{ name: "http", port: 80 }] } },
  slice(
    "many-1",
    "many",
    Array.from({ length: 40 }, (_, i) => ({ addresses: [`10.42.2.${i + 1}`], conditions: { ready: true } })),
  ),
  { apiVersion: "v1", kind: "Service", metadata: { name: "ext", namespace: "default" }, spec: { type: "ExternalName", externalName: "ext.example.test" } },
  { apiVersion: "v1", kind: "Service", metadata: { name: "alias", namespace: "default" }, spec: { type: "ExternalName", externalName: "web.default.svc.cluster.local" } },
];

beforeAll(async () => {
  s = await startTestServer();
  await s.k("create", "namespace", "other");
  const r = await s.kubectl(["apply", "-f", "-"], { stdin: JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }) });
  expect(r.stderr).toBe("");
  webIP = (await s.k("get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}")).trim();
  upstream = await fakeUpstream({ "ext.example.test": "192.0.2.10", "host.example.test": "192.0.2.20" });
  const kc = readKubeconfig(s.kubeconfig);
  const client = new HttpClient({ server: kc.server, caPem: kc.caPem, certPem: kc.clientCertPem, keyPem: kc.clientKeyPem });
  dns = await startDnsServer({ client, host: "127.0.0.1", port: 0, upstreams: [{ host: "127.0.0.1", port: upstream.port }], sidePorts: { health: 0, ready: 0, metrics: 0 }, log: logger("dns") });
  await dns.synced;
});

afterAll(async () => {
  await dns?.stop();
  upstream?.close();
  await s?.stop();
});

const answers = (rows: string[][]) => rows.map((r) => `${r[0]} ${r[1]} ${r[3]} ${r.slice(4).join(" ")}`);

describe("Services", () => {
  test("a ClusterIP Service answers with its ClusterIP, TTL 5, authoritatively; names are case-insensitive", async () => {
    const r = await dig(dns.udpPort, ["web.default.svc.cluster.local", "A"]);
    expect(r.status).toBe("NOERROR");
    expect(r.flags).toContain("aa");
    expect(answers(r.answer)).toEqual([`web.default.svc.cluster.local. 5 A ${webIP}`]);
    const mixed = await dig(dns.udpPort, ["WEB.Default.SVC.cluster.local", "A"]);
    expect(answers(mixed.answer)).toEqual([`WEB.Default.SVC.cluster.local. 5 A ${webIP}`]);
  });

  test("unknown names are NXDOMAIN with the zone's SOA; existing names without the type are NODATA", async () => {
    const nx = await dig(dns.udpPort, ["nope.default.svc.cluster.local", "A"]);
    expect(nx.status).toBe("NXDOMAIN");
    expect(nx.answer).toEqual([]);
    expect(nx.authority).toHaveLength(1);
    const soa = nx.authority[0]!;
    expect([soa[0], soa[1], soa[3], soa[4], soa[5]]).toEqual(["cluster.local.", "5", "SOA", "ns.dns.cluster.local.", "hostmaster.cluster.local."]);
    expect(soa.slice(7)).toEqual(["7200", "1800", "86400", "5"]);
    expect((await dig(dns.udpPort, ["web.nosuchns.svc.cluster.local", "A"])).status).toBe("NXDOMAIN");
    expect((await dig(dns.udpPort, ["web.default.nope.cluster.local", "A"])).status).toBe("NXDOMAIN");
    const ns = await dig(dns.udpPort, ["other.svc.cluster.local", "A"]);
    expect([ns.status, ns.answer.length, ns.authority[0]?.[3]]).toEqual(["NOERROR", 0, "SOA"]);
    const aaaa = await dig(dns.udpPort, ["web.default.svc.cluster.local", "AAAA"]);
    expect([aaaa.status, aaaa.answer.length, aaaa.authority[0]?.[3]]).toEqual(["NOERROR", 0, "SOA"]);
    const txt = await dig(dns.udpPort, ["web.default.svc.cluster.local", "TXT"]);
    expect([txt.status, txt.answer.length]).toEqual(["NOERROR", 0]);
  });

  test("SRV for a named port points at the Service name, with its address as additional data", async () => {
    const r = await dig(dns.udpPort, ["_http._tcp.web.default.svc.cluster.local", "SRV"]);
    expect(answers(r.answer)).toEqual(["_http._tcp.web.default.svc.cluster.local. 5 SRV 0 100 80 web.default.svc.cluster.local."]);
    expect(answers(r.additional.filter((x) => x[3] === "A"))).toEqual([`web.default.svc.cluster.local. 5 A ${webIP}`]);
    const udp = await dig(dns.udpPort, ["_dns._udp.web.default.svc.cluster.local", "SRV"]);
    expect(answers(udp.answer)).toEqual(["_dns._udp.web.default.svc.cluster.local. 5 SRV 0 100 53 web.default.svc.cluster.local."]);
    expect((await dig(dns.udpPort, ["_dns._tcp.web.default.svc.cluster.local", "SRV"])).status).toBe("NXDOMAIN");
    const all = await dig(dns.udpPort, ["web.default.svc.cluster.local", "SRV"]);
    expect(all.answer.map((x) => x[6]).sort()).toEqual(["53", "80"]);
  });

  test("a headless Service answers with every ready endpoint; each endpoint has its own name", async () => {
    const r = await dig(dns.udpPort, ["hl.default.svc.cluster.local", "A"]);
    expect(r.answer.map((x) => x[4]).sort()).toEqual(["10.42.0.5", "10.42.1.6"]);
    expect(answers((await dig(dns.udpPort, ["web-0.hl.default.svc.cluster.local"])).answer)).toEqual(["web-0.hl.default.svc.cluster.local. 5 A 10.42.0.5"]);
    expect(answers((await dig(dns.udpPort, ["10-42-1-6.hl.default.svc.cluster.local"])).answer)).toEqual(["10-42-1-6.hl.default.svc.cluster.local. 5 A 10.42.1.6"]);
    expect((await dig(dns.udpPort, ["10-42-1-7.hl.default.svc.cluster.local"])).status).toBe("NXDOMAIN");
    const srv = await dig(dns.udpPort, ["_http._tcp.hl.default.svc.cluster.local", "SRV"]);
    expect(srv.answer.map((x) => `${x[4]} ${x[5]} ${x[6]} ${x[7]}`).sort()).toEqual(["0 50 8080 10-42-1-6.hl.default.svc.cluster.local.", "0 50 8080 web-0.hl.default.svc.cluster.local."]);
    expect(answers(srv.additional.filter((x) => x[3] === "A")).sort()).toEqual(["10-42-1-6.hl.default.svc.cluster.local. 5 A 10.42.1.6", "web-0.hl.default.svc.cluster.local. 5 A 10.42.0.5"]);
  });

  test("an ExternalName Service is a CNAME; its target is resolved upstream, or inside the zone", async () => {
    const cname = await dig(dns.udpPort, ["ext.default.svc.cluster.local", "CNAME"]);
    expect(answers(cname.answer)).toEqual(["ext.default.svc.cluster.local. 5 CNAME ext.example.test."]);
    const a = await dig(dns.udpPort, ["ext.default.svc.cluster.local", "A"]);
    expect(answers(a.answer)).toEqual(["ext.default.svc.cluster.local. 5 CNAME ext.example.test.", "ext.example.test. 60 A 192.0.2.10"]);
    const inside = await dig(dns.udpPort, ["alias.default.svc.cluster.local", "A"]);
    expect(answers(inside.answer)).toEqual(["alias.default.svc.cluster.local. 5 CNAME web.default.svc.cluster.local.", `web.default.svc.cluster.local. 5 A ${webIP}`]);
  });

  test("pod names map dashed addresses to A records", async () => {
    expect(answers((await dig(dns.udpPort, ["10-42-0-9.default.pod.cluster.local"])).answer)).toEqual(["10-42-0-9.default.pod.cluster.local. 5 A 10.42.0.9"]);
    expect((await dig(dns.udpPort, ["not-an-ip.default.pod.cluster.local"])).status).toBe("NXDOMAIN");
    expect((await dig(dns.udpPort, ["10-42-0-9.nosuchns.pod.cluster.local"])).status).toBe("NXDOMAIN");
  });

  test("PTR for a ClusterIP and for endpoint addresses", async () => {
    expect(answers((await dig(dns.udpPort, ["-x", webIP])).answer)).toEqual([`${webIP.split(".").reverse().join(".")}.in-addr.arpa. 5 PTR web.default.svc.cluster.local.`]);
    expect((await dig(dns.udpPort, ["-x", "10.42.0.5"])).answer.map((x) => x[4])).toEqual(["web-0.hl.default.svc.cluster.local."]);
    expect((await dig(dns.udpPort, ["-x", "10.42.1.6"])).answer.map((x) => x[4])).toEqual(["10-42-1-6.hl.default.svc.cluster.local."]);
  });

  test("the apex: SOA, NS and the schema version", async () => {
    const soa = await dig(dns.udpPort, ["cluster.local", "SOA"]);
    expect(soa.answer[0]?.slice(3, 6)).toEqual(["SOA", "ns.dns.cluster.local.", "hostmaster.cluster.local."]);
    expect(answers((await dig(dns.udpPort, ["cluster.local", "NS"])).answer)).toEqual(["cluster.local. 5 NS ns.dns.cluster.local."]);
    expect(answers((await dig(dns.udpPort, ["dns-version.cluster.local", "TXT"])).answer)).toEqual(['dns-version.cluster.local. 5 TXT "1.1.0"']);
  });

  test("answers follow changes: a deleted Service is NXDOMAIN, a new one answers", async () => {
    await s.k("create", "service", "clusterip", "later", "--tcp=8080:8080");
    let r = await dig(dns.udpPort, ["later.default.svc.cluster.local"]);
    for (let i = 0; i < 100 && r.answer.length === 0; i++) r = (await Bun.sleep(50), await dig(dns.udpPort, ["later.default.svc.cluster.local"]));
    expect(r.answer).toHaveLength(1);
    await s.k("delete", "service", "later");
    for (let i = 0; i < 100 && r.status !== "NXDOMAIN"; i++) r = (await Bun.sleep(50), await dig(dns.udpPort, ["later.default.svc.cluster.local"]));
    expect(r.status).toBe("NXDOMAIN");
  });
});

describe("transport", () => {
  test("an answer too big for UDP is truncated (TC) and whole over TCP", async () => {
    const small = await dig(dns.udpPort, ["+noedns", "+ignore", "many.default.svc.cluster.local"]);
    expect(small.flags).toContain("tc");
    expect(small.answer).toEqual([]);
    // dig retries over TCP by itself after a truncated answer.
    const retried = await dig(dns.udpPort, ["+noedns", "many.default.svc.cluster.local"]);
    expect(retried.answer).toHaveLength(40);
    const tcp = await dig(dns.tcpPort, ["+tcp", "many.default.svc.cluster.local"]);
    expect(tcp.answer).toHaveLength(40);
    expect(tcp.flags).not.toContain("tc");
    // With EDNS (dig's 1232 bytes) the 40 addresses fit in one datagram.
    const edns = await dig(dns.udpPort, ["+ignore", "many.default.svc.cluster.local"]);
    expect([edns.flags.includes("tc"), edns.answer.length]).toEqual([false, 40]);
  });

  test("address records come in varying order (load balancing)", async () => {
    const orders = new Set<string>();
    for (let i = 0; i < 10; i++) orders.add((await dig(dns.udpPort, ["many.default.svc.cluster.local"])).answer.map((x) => x[4]).join(","));
    expect(orders.size).toBeGreaterThan(1);
  });

  test("zone transfers are refused", async () => {
    const p = Bun.spawn(["dig", "@127.0.0.1", "-p", String(dns.tcpPort), "cluster.local", "AXFR", "+time=3", "+tries=1"], { stdout: "pipe" });
    expect(await new Response(p.stdout).text()).toContain("Transfer failed");
  });
});

describe("forwarding", () => {
  test("other names go upstream; answers are cached", async () => {
    const before = upstream.queries.filter((q) => q.startsWith("host.example.test")).length;
    const r = await dig(dns.udpPort, ["host.example.test"]);
    expect(answers(r.answer)).toEqual(["host.example.test. 60 A 192.0.2.20"]);
    expect(r.flags).not.toContain("aa");
    const again = await dig(dns.udpPort, ["host.example.test"]);
    expect(again.answer.map((x) => x[4])).toEqual(["192.0.2.20"]);
    // The cache caps the TTL at 30 s (CoreDNS's `cache 30`) and counts it down.
    expect(Number(again.answer[0]![1])).toBeLessThanOrEqual(60);
    expect(upstream.queries.filter((q) => q.startsWith("host.example.test")).length).toBe(before + 1);
  });

  test("upstream NXDOMAIN passes through with its SOA; reverse names the cluster does not know go upstream", async () => {
    const r = await dig(dns.udpPort, ["missing.example.test"]);
    expect(r.status).toBe("NXDOMAIN");
    expect(r.authority[0]?.[3]).toBe("SOA");
    await dig(dns.udpPort, ["-x", "10.42.99.99"]);
    expect(upstream.queries).toContain("99.99.42.10.in-addr.arpa 12");
  });

  test("no upstream answering gives SERVFAIL, not a hang", async () => {
    const lonely = await startDnsServer({ client: new HttpClient({ server: "https://127.0.0.1:1" }), host: "127.0.0.1", port: 0, upstreams: [], log: logger("dns") });
    try {
      expect((await dig(lonely.udpPort, ["anything.example.test"])).status).toBe("SERVFAIL");
      // Cluster names before the caches are filled: SERVFAIL as CoreDNS does.
      expect((await dig(lonely.udpPort, ["web.default.svc.cluster.local"])).status).toBe("SERVFAIL");
    } finally {
      await lonely.stop();
    }
  });
});

test("health, readiness and metrics ports", async () => {
  const { health, ready, metrics } = dns.sidePorts;
  expect(await (await fetch(`http://127.0.0.1:${health}/health`)).text()).toBe("OK");
  expect((await fetch(`http://127.0.0.1:${ready}/ready`)).status).toBe(200);
  const text = await (await fetch(`http://127.0.0.1:${metrics}/metrics`)).text();
  expect(text).toMatch(/coredns_dns_requests_total\{server="dns:\/\/:53",proto="udp"\} [1-9]/);
});
