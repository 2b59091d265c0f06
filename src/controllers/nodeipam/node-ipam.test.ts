import { afterEach, expect, test } from "bun:test";
import type { KubeObject } from "../../apiserver/api/types.ts";
import { memoryLogger, until } from "../testing.ts";
import { workloadCluster, type WorkloadCluster } from "../common/testing.ts";
import { ServiceLbController } from "../servicelb/index.ts";
import { NODES, SERVICES, type Node, type Service } from "../common/types.ts";
import { CidrSet } from "./cidr-set.ts";
import { NodeIpamController } from "./node-ipam-controller.ts";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function node(name: string, ip: string, extra: Partial<Node> = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: extra.metadata?.labels },
    spec: extra.spec ?? {},
    status: { addresses: [{ type: "InternalIP", address: ip }], conditions: [{ type: "Ready", status: "True" }] },
  } as KubeObject;
}

async function podCidr(c: WorkloadCluster, name: string): Promise<string | undefined> {
  const n = (await c.client.get(NODES, "", name)) as Node;
  return n.spec?.podCIDR;
}

test("CidrSet: /24s of a /16 in order, wrapping past released ones, claims of existing blocks", () => {
  const set = new CidrSet("10.42.0.0/16", 24);
  expect(set.occupy("10.42.1.0/24")).toBe(true);
  expect(set.occupy("10.99.0.0/24")).toBe(false);
  expect(set.allocate()).toBe("10.42.0.0/24");
  expect(set.allocate()).toBe("10.42.2.0/24");
  set.release("10.42.0.0/24");
  expect(set.allocate()).toBe("10.42.3.0/24");
  const tiny = new CidrSet("10.1.0.0/23", 24);
  expect([tiny.allocate(), tiny.allocate(), tiny.allocate()]).toEqual(["10.1.0.0/24", "10.1.1.0/24", undefined]);
  expect(() => new CidrSet("10.0.0.0/24", 16)).toThrow();
});

test("node IPAM: each node gets its own pod CIDR, kept across a controller restart, released when the node goes", async () => {
  let ipam: NodeIpamController | undefined;
  const c = await workloadCluster("ipam", (ctx) => [(ipam = new NodeIpamController({ ...ctx, log: memoryLogger() }, "10.200.0.0/22", 24))]);
  cleanups.push(() => c.stop());
  await c.client.create(NODES, "", node("a", "192.0.2.10"));
  await c.client.create(NODES, "", node("b", "192.0.2.11"));
  await until("both nodes have a pod CIDR", async () => !!(await podCidr(c, "a")) && !!(await podCidr(c, "b")));
  const a = (await c.client.get(NODES, "", "a")) as Node;
  expect(a.spec?.podCIDRs).toEqual([a.spec!.podCIDR!]);
  expect(new Set([await podCidr(c, "a"), await podCidr(c, "b")])).toEqual(new Set(["10.200.0.0/24", "10.200.1.0/24"]));

  // A new controller (a restarted server) claims what nodes hold before allocating.
  await ipam!.stop();
  const again = new NodeIpamController({ ...c.ctx, log: memoryLogger() }, "10.200.0.0/22", 24);
  await again.start();
  cleanups.push(() => again.stop());
  await c.client.create(NODES, "", node("c", "192.0.2.12"));
  await until("c has a pod CIDR", async () => !!(await podCidr(c, "c")));
  expect(await podCidr(c, "c")).toBe("10.200.2.0/24");

  await c.client.delete(NODES, "", "a");
  await c.client.create(NODES, "", node("d", "192.0.2.13"));
  await until("d has a pod CIDR", async () => !!(await podCidr(c, "d")));
  expect(await podCidr(c, "d")).toBe("10.200.3.0/24");
  // The pool is full until a block is released: a's was.
  await c.client.create(NODES, "", node("e", "192.0.2.14"));
  await until("e has a's old pod CIDR", async () => (await podCidr(c, "e")) === "10.200.0.0/24");
});

test("ServiceLB: ready node addresses become the ingress; a taken port stays pending; leaving LoadBalancer clears it", async () => {
  const c = await workloadCluster("lb", (ctx) => [new ServiceLbController(ctx)]);
  cleanups.push(() => c.stop());
  await c.client.create(NODES, "", node("n1", "192.0.2.21"));
  await c.client.create(NODES, "", node("n2", "192.0.2.20"));
  const svc = (name: string, port: number): KubeObject => ({ apiVersion: "v1", kind: "Service", metadata: { name }, spec: { type: "LoadBalancer", selector: { app: name }, ports: [{ port }] } }) as KubeObject;
  await c.client.create(SERVICES, "lb", svc("web", 80));
  const ingress = async (name: string) => ((await c.client.get(SERVICES, "lb", name)) as Service).status?.loadBalancer?.ingress?.map((i) => i.ip);
  await until("web has both nodes as ingress", async () => JSON.stringify(await ingress("web")) === JSON.stringify(["192.0.2.20", "192.0.2.21"]));

  await c.client.create(SERVICES, "lb", svc("clash", 80));
  await c.client.create(SERVICES, "lb", svc("other", 8080));
  await until("other gets ingress", async () => (await ingress("other"))?.length === 2);
  expect(await ingress("clash")).toBeUndefined();

  // The holder leaves LoadBalancer: its status is cleared by the API server and the port is free.
  const web = (await c.client.get(SERVICES, "lb", "web")) as Service;
  await c.client.update(SERVICES, "lb", { ...web, spec: { ...web.spec, type: "ClusterIP", ports: [{ port: 80 }] } } as KubeObject);
  await until("clash gets the port", async () => (await ingress("clash"))?.length === 2);
  expect(await ingress("web")).toBeUndefined();

  // A node that stops being Ready leaves the ingress.
  const n1 = (await c.client.get(NODES, "", "n1")) as Node;
  await c.client.update(NODES, "", { ...n1, status: { ...n1.status, conditions: [{ type: "Ready", status: "False" }] } } as KubeObject, { subresource: "status" });
  await until("n1 left the ingress", async () => JSON.stringify(await ingress("clash")) === JSON.stringify(["192.0.2.20"]));
});
