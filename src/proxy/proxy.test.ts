/**
 * The proxy against real iptables, inside a throwaway network namespace (the host's tables are
 * never touched): Services and EndpointSlices in an in-process API server, the rules read back
 * with iptables-save.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { KubeObject } from "../apiserver/api/types.ts";
import { memoryLogger, NAMESPACES, testCluster, until, type TestCluster } from "../controllers/testing.ts";
import { Iptables } from "../iptables/index.ts";
import { cleanupProxyRules, Conntrack, Proxier, type SyncInfo } from "./index.ts";

const SERVICES = { group: "", version: "v1", resource: "services" };
const SLICES = { group: "discovery.k8s.io", version: "v1", resource: "endpointslices" };
const NETNS = `kts-proxy-${process.pid}`;
const NS = "web";

let cluster: TestCluster;
let ipt: Iptables;
let proxier: Proxier;
const syncs: SyncInfo[] = [];

function sh(argv: string[]): string {
  const r = Bun.spawnSync(argv);
  if (r.exitCode !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

beforeAll(async () => {
  sh(["ip", "netns", "add", NETNS]);
  ipt = new Iptables({ backend: "nft", netns: NETNS });
  cluster = testCluster();
  await cluster.client.create(NAMESPACES, "", { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
  const log = memoryLogger();
  proxier = new Proxier({ client: cluster.client, nodeName: "node-a", clusterCidr: "10.42.0.0/16", iptables: ipt, minSyncPeriodMs: 50, nftChunkChains: 4, conntrack: new Conntrack({ netns: NETNS, log }), log, onSync: (i) => syncs.push(i) });
  await proxier.start();
});

afterAll(async () => {
  await proxier?.stop();
  await cluster?.close();
  Bun.spawnSync(["ip", "netns", "del", NETNS]);
});

/** Both tables from one iptables-save (one consistent view). */
function snapshot(all: string): Tables {
  const part = (name: string) => all.slice(all.indexOf(`*${name}`)).split("COMMIT")[0] ?? "";
  return { nat: all.includes("*nat") ? part("nat") : "", filter: all.includes("*filter") ? part("filter") : "" };
}

interface Tables {
  nat: string;
  filter: string;
}

/** The nat and filter tables once `ready` holds for them (the change went through the watch and a sync). */
async function settled(ready: (t: Tables) => boolean): Promise<Tables> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const t = snapshot(await ipt.save());
    if (ready(t)) return t;
    if (Date.now() > deadline) throw new Error(`rules never settled:\n${t.filter}\n${t.nat}`);
    await Bun.sleep(50);
  }
}

function service(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: "v1", kind: "Service", metadata: { name }, spec: { ports: [{ name: "http", port: 80, targetPort: 8080 }], selector: { app: name }, ...spec } } as KubeObject;
}

interface Ep {
  ip: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
  node?: string;
}

function slice(svc: string, eps: Ep[], port = 8080, protocol = "TCP"): KubeObject {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: `${svc}-abc`, labels: { "kubernetes.io/service-name": svc } },
    addressType: "IPv4",
    ports: [{ name: "http", port, protocol }],
    endpoints: eps.map((e) => ({ addresses: [e.ip], conditions: { ready: e.ready ?? true, serving: e.serving ?? e.ready ?? true, terminating: e.terminating ?? false }, nodeName: e.node ?? "node-a" })),
  } as KubeObject;
}

async function put(ref: typeof SERVICES, obj: KubeObject): Promise<KubeObject> {
  try {
    const cur = await cluster.client.get(ref, NS, obj.metadata!.name!);
    return await cluster.client.update(ref, NS, { ...obj, metadata: { ...obj.metadata, resourceVersion: cur.metadata?.resourceVersion } } as KubeObject);
  } catch {
    return await cluster.client.create(ref, NS, obj);
  }
}

function chainRules(table: string, chain: string): string[] {
  return table.split("\n").filter((l) => l.startsWith(`-A ${chain} `));
}

function jumpTarget(rule: string): string {
  return / -j (\S+)/.exec(rule)![1]!;
}

test("ClusterIP: random balancing over ready endpoints only, hairpin masquerade, off-cluster masquerade, stable chain names", async () => {
  const svc = await put(SERVICES, service("web", { clusterIP: "10.43.0.20" }));
  await put(SLICES, slice("web", [{ ip: "10.42.0.5" }, { ip: "10.42.1.7" }, { ip: "10.42.0.9" }, { ip: "10.42.2.2", ready: false }]));
  const { nat, filter } = await settled((t) => t.nat.includes("10.42.0.9:8080"));
  const entry = chainRules(nat, "KUBE-SERVICES").find((l) => l.includes("10.43.0.20/32"))!;
  expect(entry).toContain('--comment "web/web:http cluster IP"');
  expect(entry).toContain("--dport 80");
  const svcChain = jumpTarget(entry);
  expect(svcChain).toBe(proxier.names.svc("web/web:http", "tcp"));
  const rules = chainRules(nat, svcChain);
  expect(rules[0]).toContain("! -s 10.42.0.0/16");
  expect(rules[0]).toContain("-j KUBE-MARK-MASQ");
  const probs = rules.slice(1).map((r) => /--probability (\S+)/.exec(r)?.[1]);
  expect(probs).toEqual(["0.33333333349", "0.50000000000", undefined]);
  expect(rules.slice(1).map((r) => /web\/web:http -> (\S+)"/.exec(r)?.[1])).toEqual(["10.42.0.5:8080", "10.42.0.9:8080", "10.42.1.7:8080"]);
  const sep = jumpTarget(rules[1]!);
  expect(chainRules(nat, sep)).toEqual([
    `-A ${sep} -s 10.42.0.5/32 -m comment --comment "web/web:http" -j KUBE-MARK-MASQ`,
    `-A ${sep} -p tcp -m comment --comment "web/web:http" -m tcp -j DNAT --to-destination 10.42.0.5:8080`,
  ]);
  expect(nat).not.toContain("10.42.2.2");
  expect(filter).not.toContain("web/web:http has no endpoints");
  // The jumps from the built-in chains.
  expect(nat).toContain('-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES');
  expect(nat).toContain('-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING');
  expect(chainRules(nat, "KUBE-SERVICES").at(-1)).toContain("-j KUBE-NODEPORTS");
  void svc;
});

test("no ready endpoints: serving-terminating ones take over; none at all: REJECT with icmp-port-unreachable", async () => {
  await put(SLICES, slice("web", [{ ip: "10.42.0.5", ready: false, serving: true, terminating: true }, { ip: "10.42.0.9", ready: false, serving: false, terminating: true }]));
  const svcChain = proxier.names.svc("web/web:http", "tcp");
  let { nat, filter } = await settled((t) => !t.nat.includes("10.42.0.9:8080") && !t.nat.includes("10.42.1.7"));
  expect(chainRules(nat, svcChain).slice(1).map(jumpTarget)).toEqual([proxier.names.sep("web/web:http", "tcp", "10.42.0.5:8080")]);
  await put(SLICES, slice("web", []));
  ({ nat, filter } = await settled((t) => t.filter.includes("has no endpoints")));
  expect(chainRules(nat, "KUBE-SERVICES").some((l) => l.includes("10.43.0.20"))).toBe(false);
  expect(nat).not.toContain(`:${svcChain}`);
  expect(chainRules(filter, "KUBE-SERVICES")).toEqual([
    '-A KUBE-SERVICES -d 10.43.0.20/32 -p tcp -m comment --comment "web/web:http has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable',
  ]);
});

test("sessionAffinity ClientIP: recent-module checks before the random choice, and the SEP records the client", async () => {
  await put(SERVICES, { ...service("sticky", { clusterIP: "10.43.0.21", sessionAffinity: "ClientIP", sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } }) });
  await put(SLICES, slice("sticky", [{ ip: "10.42.0.5" }, { ip: "10.42.0.6" }]));
  const { nat } = await settled((t) => t.nat.includes("web/sticky:http -> 10.42.0.6"));
  const chain = proxier.names.svc("web/sticky:http", "tcp");
  const rules = chainRules(nat, chain);
  const sep = proxier.names.sep("web/sticky:http", "tcp", "10.42.0.5:8080");
  expect(rules[1]).toContain(`-m recent --rcheck --seconds 60 --reap --name ${sep} --mask 255.255.255.255 --rsource -j ${sep}`);
  expect(chainRules(nat, sep)[1]).toContain(`-m recent --set --name ${sep} --mask 255.255.255.255 --rsource`);
});

test("NodePort and LoadBalancer: node ports on local addresses and the ingress IPs through KUBE-EXT, masqueraded under the Cluster policy", async () => {
  const svc = await put(SERVICES, service("lb", { clusterIP: "10.43.0.22", type: "LoadBalancer", ports: [{ name: "http", port: 80, targetPort: 8080, nodePort: 30080 }] }));
  await cluster.client.patch(SERVICES, NS, "lb", "application/merge-patch+json", { status: { loadBalancer: { ingress: [{ ip: "192.0.2.50" }] } } }, { subresource: "status" });
  await put(SLICES, slice("lb", [{ ip: "10.42.0.5" }]));
  const { nat } = await settled((t) => t.nat.includes("loadbalancer IP") && t.nat.includes("--dport 30080"));
  const ext = proxier.names.ext("web/lb:http", "tcp");
  expect(chainRules(nat, "KUBE-NODEPORTS")).toEqual([`-A KUBE-NODEPORTS -p tcp -m comment --comment "web/lb:http" -m tcp --dport 30080 -j ${ext}`]);
  expect(chainRules(nat, "KUBE-SERVICES").find((l) => l.includes("192.0.2.50/32"))).toContain(`"web/lb:http loadbalancer IP"`);
  expect(chainRules(nat, ext).map(jumpTarget)).toEqual(["KUBE-MARK-MASQ", proxier.names.svc("web/lb:http", "tcp")]);
  void svc;
});

test("externalTrafficPolicy Local: client addresses kept, only this node's endpoints, DROP when it has none", async () => {
  await put(SERVICES, service("local", { clusterIP: "10.43.0.23", type: "NodePort", externalTrafficPolicy: "Local", ports: [{ name: "http", port: 80, targetPort: 8080, nodePort: 30081 }] }));
  await put(SLICES, slice("local", [{ ip: "10.42.0.5", node: "node-a" }, { ip: "10.42.1.5", node: "node-b" }]));
  let { nat, filter } = await settled((t) => t.nat.includes("web/local:http -> 10.42.1.5"));
  const ext = proxier.names.ext("web/local:http", "tcp");
  const svl = proxier.names.svl("web/local:http", "tcp");
  const svc = proxier.names.svc("web/local:http", "tcp");
  expect(chainRules(nat, ext).map(jumpTarget)).toEqual([svc, "KUBE-MARK-MASQ", svc, svl]);
  expect(chainRules(nat, ext)[0]).toContain("-s 10.42.0.0/16");
  expect(chainRules(nat, svl).map(jumpTarget)).toEqual([proxier.names.sep("web/local:http", "tcp", "10.42.0.5:8080")]);
  // The cluster IP still balances over every endpoint.
  expect(chainRules(nat, svc).length).toBe(3);

  await put(SLICES, slice("local", [{ ip: "10.42.1.5", node: "node-b" }]));
  // iptables-nft-restore commits each table of one input on its own: wait for both.
  ({ nat, filter } = await settled(
    (t) => t.filter.includes("web/local:http has no local endpoints") && !chainRules(t.nat, "KUBE-NODEPORTS").some((l) => l.includes("30081")),
  ));
  expect(chainRules(nat, "KUBE-NODEPORTS").some((l) => l.includes("30081"))).toBe(false);
  expect(chainRules(filter, "KUBE-EXTERNAL-SERVICES").find((l) => l.includes("30081"))).toContain('"web/local:http has no local endpoints"');
  expect(chainRules(filter, "KUBE-EXTERNAL-SERVICES").find((l) => l.includes("30081"))).toContain("-j DROP");
});

test("internalTrafficPolicy Local: the cluster IP goes to this node's endpoints only", async () => {
  await put(SERVICES, service("itp", { clusterIP: "10.43.0.24", internalTrafficPolicy: "Local" }));
  await put(SLICES, slice("itp", [{ ip: "10.42.0.5", node: "node-a" }, { ip: "10.42.1.5", node: "node-b" }]));
  const { nat } = await settled((t) => t.nat.includes("web/itp:http cluster IP"));
  const entry = chainRules(nat, "KUBE-SERVICES").find((l) => l.includes("10.43.0.24/32"))!;
  const svl = proxier.names.svl("web/itp:http", "tcp");
  expect(jumpTarget(entry)).toBe(svl);
  expect(chainRules(nat, svl).slice(1).map(jumpTarget)).toEqual([proxier.names.sep("web/itp:http", "tcp", "10.42.0.5:8080")]);
});

test("external IPs, and loadBalancerSourceRanges filtering load balancer traffic through KUBE-FW", async () => {
  await put(SERVICES, service("fw", { clusterIP: "10.43.0.25", type: "LoadBalancer", externalIPs: ["192.0.2.77"], loadBalancerSourceRanges: ["198.51.100.0/24"], ports: [{ name: "http", port: 80, targetPort: 8080, nodePort: 30082 }] }));
  await cluster.client.patch(SERVICES, NS, "fw", "application/merge-patch+json", { status: { loadBalancer: { ingress: [{ ip: "192.0.2.51" }] } } }, { subresource: "status" });
  await put(SLICES, slice("fw", [{ ip: "10.42.0.5" }]));
  const { nat, filter } = await settled((t) => t.nat.includes("web/fw:http loadbalancer IP") && t.nat.includes("web/fw:http external IP"));
  const ext = proxier.names.ext("web/fw:http", "tcp");
  const fw = proxier.names.fw("web/fw:http", "tcp");
  expect(jumpTarget(chainRules(nat, "KUBE-SERVICES").find((l) => l.includes("192.0.2.77/32"))!)).toBe(ext);
  expect(jumpTarget(chainRules(nat, "KUBE-SERVICES").find((l) => l.includes("192.0.2.51/32"))!)).toBe(fw);
  expect(chainRules(nat, fw)).toEqual([`-A ${fw} -s 198.51.100.0/24 -m comment --comment "web/fw:http loadbalancer IP" -j ${ext}`]);
  // What the ranges do not allow keeps the load balancer address and is dropped in filter.
  expect(chainRules(filter, "KUBE-PROXY-FIREWALL")).toEqual([
    `-A KUBE-PROXY-FIREWALL -d 192.0.2.51/32 -p tcp -m comment --comment "web/fw:http traffic not accepted by ${fw}" -m tcp --dport 80 -j DROP`,
  ]);
});

test.skipIf(!Bun.which("conntrack"))("UDP: flows to an endpoint that went away are cleared from conntrack", async () => {
  const udp = { apiVersion: "v1", kind: "Service", metadata: { name: "dns" }, spec: { clusterIP: "10.43.0.53", ports: [{ name: "http", port: 53, targetPort: 5353, protocol: "UDP" }] } } as KubeObject;
  await put(SERVICES, udp);
  await put(SLICES, slice("dns", [{ ip: "10.42.9.9" }], 5353, "UDP"));
  await settled((t) => t.nat.includes("--to-destination 10.42.9.9:5353"));
  // A flow through the Service inside the namespace: the endpoint address is local there.
  sh(["ip", "-n", NETNS, "link", "set", "lo", "up"]);
  sh(["ip", "-n", NETNS, "addr", "add", "10.42.9.9/32", "dev", "lo"]);
  sh(["ip", "-n", NETNS, "route", "add", "10.43.0.0/16", "dev", "lo"]);
  sh(["ip", "netns", "exec", NETNS, "bash", "-c", "echo hi > /dev/udp/10.43.0.53/53"]);
  const flows = () => sh(["ip", "netns", "exec", NETNS, "conntrack", "-L", "-p", "udp"]);
  expect(flows()).toContain("dst=10.43.0.53");
  await put(SLICES, slice("dns", [{ ip: "10.42.9.10" }], 5353, "UDP"));
  await settled((t) => t.nat.includes("--to-destination 10.42.9.10:5353"));
  await until("the stale flow cleared", () => !flows().includes("dst=10.43.0.53"), 10_000);
});

test("headless and ExternalName Services get no rules", async () => {
  await put(SERVICES, service("headless", { clusterIP: "None" }));
  await put(SERVICES, { apiVersion: "v1", kind: "Service", metadata: { name: "ext" }, spec: { type: "ExternalName", externalName: "example.com" } } as KubeObject);
  await until("the proxy saw both", () => proxier.objects().services.length >= 9);
  const gen = proxier.currentGeneration;
  await until("a sync after that", () => syncs.some((x) => x.generation >= gen), 10_000);
  const { nat, filter } = await settled(() => true);
  expect(nat + filter).not.toContain("web/headless");
  expect(nat + filter).not.toContain("web/ext");
});

test("a deleted Service's chains go; a full resync changes nothing; cleanup removes every rule and chain", async () => {
  const sticky = proxier.names.svc("web/sticky:http", "tcp");
  const before = await settled(() => true);
  expect(before.nat).toContain(`:${sticky}`);
  await cluster.client.delete(SERVICES, NS, "sticky");
  const after = await settled((t) => !t.nat.includes("web/sticky"));
  expect(after.nat).not.toContain("web/sticky");
  expect(after.nat).not.toContain(`:${sticky}`);

  // Idempotent: the same state written again (a full sync) leaves identical tables, except that
  // chains an earlier run left (here one made by hand, jumping to another) are deleted.
  const strip = (t: string) => t.split("\n").filter((l) => !l.startsWith("#")).join("\n");
  const left1 = "KUBE-SVC-AAAAAAAAAAAAAAAA";
  const left2 = "KUBE-SEP-AAAAAAAAAAAAAAAA";
  await ipt.restore(`*nat\n:${left1} - [0:0]\n:${left2} - [0:0]\n-A ${left1} -j ${left2}\nCOMMIT\n`);
  proxier.requestFullSync();
  const again = await (async () => {
    const n = syncs.length;
    await until("the full sync", () => syncs.length > n && syncs.at(-1)!.full, 10_000);
    return snapshot(await ipt.save());
  })();
  expect(again.nat).not.toContain(left1);
  expect(again.nat).not.toContain(left2);
  expect(strip(again.nat)).toBe(strip(after.nat));
  expect(strip(again.filter)).toBe(strip(after.filter));

  await proxier.stop();
  expect(await cleanupProxyRules(ipt, "KUBE")).toBeGreaterThan(5);
  const left = (await ipt.save("nat")) + (await ipt.save("filter"));
  expect(left).not.toContain("KUBE-");
});
