import { afterEach, expect, test } from "bun:test";
import type { KubeObject } from "../../apiserver/api/types.ts";
import { EndpointSliceController } from "../endpointslice/index.ts";
import { EndpointSliceMirroringController } from "../endpointslicemirroring/index.ts";
import { find, gone, until } from "../testing.ts";
import { harnessWith, setPodStatus, type Harness } from "../common/harness.ts";
import { ENDPOINT_SLICES, ENDPOINTS, PODS, SERVICES, type Endpoints, type EndpointSlice } from "../common/types.ts";
import { EndpointsController } from "./endpoints-controller.ts";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function setup(): Promise<void> {
  h = await harnessWith("ns", (ctx) => [new EndpointsController(ctx), new EndpointSliceController(ctx), new EndpointSliceMirroringController(ctx)]);
}

async function service(name: string, spec: Record<string, unknown>, labels: Record<string, string> = {}): Promise<KubeObject> {
  return h.client.create(SERVICES, "ns", { apiVersion: "v1", kind: "Service", metadata: { name, labels }, spec });
}

/** A pod the test's "kubelet" has started: an IP, and Ready as asked. */
async function runningPod(name: string, ip: string, ready: boolean, extra: { ports?: unknown[]; labels?: Record<string, string>; hostname?: string; subdomain?: string; nodeName?: string } = {}): Promise<KubeObject> {
  const pod = await h.client.create(PODS, "ns", {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: extra.labels ?? { app: "web" } },
    spec: {
      containers: [{ name: "c", image: "busybox", ...(extra.ports ? { ports: extra.ports } : {}) }],
      ...(extra.hostname ? { hostname: extra.hostname } : {}),
      ...(extra.subdomain ? { subdomain: extra.subdomain } : {}),
      ...(extra.nodeName ? { nodeName: extra.nodeName } : {}),
    },
  });
  return setPodStatus(h.client, pod, "Running", { ready, podIP: ip });
}

async function endpoints(name: string): Promise<Endpoints | undefined> {
  return (await find(h.client, ENDPOINTS, "ns", name)) as Endpoints | undefined;
}

async function slices(service: string): Promise<EndpointSlice[]> {
  return (await h.client.list(ENDPOINT_SLICES, "ns", { labelSelector: `kubernetes.io/service-name=${service}` })).items as EndpointSlice[];
}

const httpPort = [{ name: "http", containerPort: 8080, protocol: "TCP" }];

test("Endpoints: ready and not-ready addresses, named target ports resolved per pod, ports repacked into subsets", async () => {
  await setup();
  await runningPod("a", "10.42.0.10", true, { ports: httpPort, nodeName: "n1" });
  await runningPod("b", "10.42.0.11", false, { ports: httpPort });
  await runningPod("c", "10.42.0.12", true);
  await runningPod("other", "10.42.0.13", true, { labels: { app: "other" } });
  const done = await h.client.create(PODS, "ns", { apiVersion: "v1", kind: "Pod", metadata: { name: "done", labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "busybox" }] } });
  await setPodStatus(h.client, done, "Succeeded", { podIP: "10.42.0.14" });
  await service("web", { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http" }, { name: "metrics", port: 9090 }] }, { tier: "front" });

  await until("the Endpoints", async () => (await endpoints("web"))?.subsets?.length === 2);
  const ep = (await endpoints("web"))!;
  expect(ep.metadata?.labels).toEqual({ tier: "front" });
  expect(ep.metadata?.annotations?.["endpoints.kubernetes.io/last-change-trigger-time"]).toBeString();
  const http = ep.subsets!.find((s) => s.ports?.[0]?.name === "http")!;
  const metrics = ep.subsets!.find((s) => s.ports?.[0]?.name === "metrics")!;
  expect(http.ports).toEqual([{ name: "http", port: 8080, protocol: "TCP" }]);
  expect(http.addresses?.map((a) => a.ip)).toEqual(["10.42.0.10"]);
  expect(http.addresses?.[0]).toMatchObject({ nodeName: "n1", targetRef: { kind: "Pod", namespace: "ns", name: "a" } });
  expect(http.notReadyAddresses?.map((a) => a.ip)).toEqual(["10.42.0.11"]);
  expect(metrics.ports).toEqual([{ name: "metrics", port: 9090, protocol: "TCP" }]);
  expect(metrics.addresses?.map((a) => a.ip)).toEqual(["10.42.0.10", "10.42.0.12"]);

  // b turns ready: it moves to addresses.
  await setPodStatus(h.client, (await h.client.get(PODS, "ns", "b")) as KubeObject, "Running", { ready: true, podIP: "10.42.0.11" });
  await until("b is ready in the Endpoints", async () => (await endpoints("web"))?.subsets?.find((s) => s.ports?.[0]?.name === "http")?.addresses?.length === 2);

  await h.client.delete(SERVICES, "ns", "web");
  await gone(h.client, ENDPOINTS, "ns", "web");
});

test("publishNotReadyAddresses, headless Services, and hostnames of pods whose subdomain is the Service", async () => {
  await setup();
  await runningPod("x", "10.42.1.1", false, { hostname: "x", subdomain: "db" });
  await service("db", { selector: { app: "web" }, clusterIP: "None", publishNotReadyAddresses: true });
  await until("the Endpoints", async () => (await endpoints("db"))?.subsets?.length === 1);
  const ep = (await endpoints("db"))!;
  expect(ep.metadata?.labels).toEqual({ "service.kubernetes.io/headless": "" });
  expect(ep.subsets![0]).toEqual({ addresses: [{ ip: "10.42.1.1", hostname: "x", targetRef: expect.objectContaining({ name: "x" }) }] });
  await until("the slice", async () => (await slices("db")).some((s) => (s.endpoints ?? []).length === 1));
  const [slice] = await slices("db");
  expect(slice!.endpoints![0]).toMatchObject({ addresses: ["10.42.1.1"], hostname: "x", conditions: { ready: true, serving: false, terminating: false } });
  expect(slice!.metadata?.labels).toMatchObject({ "service.kubernetes.io/headless": "" });
});

test("EndpointSlices: service-name and managed-by labels, owner, conditions, one slice per port set, at most 100 endpoints each", async () => {
  await setup();
  await runningPod("a", "10.42.0.10", true, { ports: httpPort });
  await runningPod("b", "10.42.0.11", false, { ports: httpPort });
  await runningPod("c", "10.42.0.12", true);
  const svc = await service("web", { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http" }, { name: "metrics", port: 9090 }] });
  await until("two slices", async () => (await slices("web")).filter((s) => (s.endpoints ?? []).length > 0).length === 2);
  const all = await slices("web");
  for (const s of all) {
    expect(s.metadata?.labels).toMatchObject({ "kubernetes.io/service-name": "web", "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io" });
    expect(s.metadata?.generateName).toBe("web-");
    expect(s.metadata?.ownerReferences).toEqual([{ apiVersion: "v1", kind: "Service", name: "web", uid: svc.metadata!.uid!, controller: true, blockOwnerDeletion: true }]);
    expect(s.addressType).toBe("IPv4");
  }
  const both = all.find((s) => s.ports?.length === 2)!;
  expect(both.ports).toEqual([{ name: "http", port: 8080, protocol: "TCP" }, { name: "metrics", port: 9090, protocol: "TCP" }]);
  expect(both.endpoints?.map((e) => [e.addresses[0], e.conditions?.ready, e.conditions?.serving])).toEqual([["10.42.0.10", true, true], ["10.42.0.11", false, false]]);
  expect(all.find((s) => s.ports?.length === 1)!.endpoints?.map((e) => e.addresses[0])).toEqual(["10.42.0.12"]);

  // 150 pods of one port set: slices of 100 and 50 (plus the others).
  for (let i = 0; i < 147; i++) await runningPod(`p${i}`, `10.42.2.${i + 1}`, true, { ports: httpPort });
  await until("the endpoints spread over slices of at most 100", async () => {
    const sizes = (await slices("web")).filter((s) => s.ports?.length === 2).map((s) => (s.endpoints ?? []).length).sort((x, y) => x - y);
    return sizes.join() === "49,100";
  }, 15_000);

  // A terminating pod stays, marked terminating and not ready (its finalizer keeps it around).
  await h.client.patch(PODS, "ns", "a", "application/merge-patch+json", { metadata: { finalizers: ["example.com/hold"] } });
  await h.client.delete(PODS, "ns", "a");
  await until("a is terminating in its slice", async () => {
    const e = (await slices("web")).flatMap((s) => s.endpoints ?? []).find((x) => x.targetRef?.name === "a");
    return e?.conditions?.terminating === true && e.conditions.ready === false && e.conditions.serving === true;
  });
  await until("a left the Endpoints", async () => !(await endpoints("web"))?.subsets?.some((s) => s.addresses?.some((x) => x.targetRef?.name === "a")));
  await h.client.patch(PODS, "ns", "a", "application/merge-patch+json", { metadata: { finalizers: null } });
}, 30_000);

test("a Service selecting no pods has one empty placeholder slice", async () => {
  await setup();
  await service("empty", { selector: { app: "none" }, ports: [{ name: "http", port: 80 }] });
  await until("the placeholder", async () => (await slices("empty")).length === 1);
  const [slice] = await slices("empty");
  expect(slice!.endpoints ?? []).toEqual([]);
  expect(slice!.ports ?? undefined).toBeUndefined();
});

test("mirroring: manual Endpoints of a selector-less Service become slices; skip-mirror Endpoints do not", async () => {
  await setup();
  await service("ext", { ports: [{ name: "db", port: 5432 }] }, { team: "data" });
  const ep = await h.client.create(ENDPOINTS, "ns", {
    apiVersion: "v1",
    kind: "Endpoints",
    metadata: { name: "ext", labels: { team: "data" } },
    subsets: [{ addresses: [{ ip: "192.0.2.10" }], notReadyAddresses: [{ ip: "192.0.2.11" }], ports: [{ name: "db", port: 5432, protocol: "TCP" }] }],
  });
  await until("the mirrored slice", async () => (await slices("ext")).length === 1);
  const [slice] = await slices("ext");
  expect(slice!.metadata?.labels).toEqual({ team: "data", "kubernetes.io/service-name": "ext", "endpointslice.kubernetes.io/managed-by": "endpointslicemirroring-controller.k8s.io" });
  expect(slice!.metadata?.ownerReferences?.[0]).toMatchObject({ kind: "Endpoints", name: "ext", uid: ep.metadata!.uid! });
  expect(slice!.endpoints?.map((e) => [e.addresses[0], e.conditions?.ready])).toEqual([["192.0.2.10", true], ["192.0.2.11", false]]);
  expect(slice!.ports).toEqual([{ name: "db", port: 5432, protocol: "TCP" }]);
  // The endpoints controller leaves selector-less Services' Endpoints as their user wrote them.
  expect((await endpoints("ext"))?.subsets?.[0]?.addresses).toEqual([{ ip: "192.0.2.10" }]);

  await service("skipped", { ports: [{ name: "x", port: 1 }] });
  await h.client.create(ENDPOINTS, "ns", { apiVersion: "v1", kind: "Endpoints", metadata: { name: "skipped", labels: { "endpointslice.kubernetes.io/skip-mirror": "true" } }, subsets: [{ addresses: [{ ip: "192.0.2.20" }], ports: [{ name: "x", port: 1 }] }] });
  await Bun.sleep(200);
  expect(await slices("skipped")).toHaveLength(0);
});
