/**
 * A joined node end to end: a real `kts server` (no embedded agent), real `kts agent` processes on
 * this machine's Docker Engine, and real kubectl reading what they registered.
 */
import { afterAll, beforeAll, expect, test, setDefaultTimeout } from "bun:test";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { release } from "node:os";
import { join } from "node:path";
import type { V1Lease, V1Node } from "@kubernetes/client-node";
import { ensureTestImage, removeTestContainers, RUN_ID, TEST_IMAGE, TEST_LABEL } from "../../testing/docker.ts";
import { startTestAgent, type TestAgent } from "../../testing/agent.ts";
import { startTestServer, type TestServer } from "../../testing/server.ts";
import { osImage } from "./host.ts";

// Real processes on a machine that may be busy: generous deadlines (nothing here waits on purpose).
setDefaultTimeout(60_000);

let s: TestServer;
let agent: TestAgent;
const stopped: TestAgent[] = [];

beforeAll(async () => {
  await ensureTestImage();
  s = await startTestServer();
  agent = startTestAgent(s.url, s.token(), { args: ["--node-ip", "127.0.0.1", "--node-label", "tier=edge", "--node-label", "zone=a", "--node-taint", "dedicated=edge:NoSchedule", "--node-taint", "spot:PreferNoSchedule"] });
  await agent.ready;
});
afterAll(async () => {
  for (const a of [agent, ...stopped]) await a?.stop();
  await s?.stop();
  await removeTestContainers();
});

const getNode = async (name: string) => JSON.parse(await s.k("get", "node", name, "-o", "json")) as V1Node;
const getLease = async (name: string) => JSON.parse(await s.k("get", "lease", "-n", "kube-node-lease", name, "-o", "json")) as V1Lease;
const serialOf = (dataDir: string) => new X509Certificate(readFileSync(join(dataDir, "agent", "client-kubelet.crt"))).serialNumber;

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await Bun.sleep(100);
  }
}

function dockerVersion(): string {
  return Bun.spawnSync(["docker", "version", "--format", "{{.Server.Version}}"]).stdout.toString().trim();
}

test("kubectl get nodes -o wide: Ready, roles, version, internal IP, OS image, kernel, container runtime", async () => {
  const line = (await s.k("get", "nodes", "-o", "wide", "--no-headers", agent.nodeName)).trim().split(/\s{2,}/);
  const version = JSON.parse(await s.k("version", "-o", "json")).serverVersion.gitVersion as string;
  // NAME STATUS ROLES AGE VERSION INTERNAL-IP EXTERNAL-IP OS-IMAGE KERNEL-VERSION CONTAINER-RUNTIME
  expect(line[0]).toBe(agent.nodeName);
  expect(line[1]).toBe("Ready");
  expect(line[2]).toBe("<none>");
  expect(line.slice(4)).toEqual([version, "127.0.0.1", "<none>", osImage(), release(), `docker://${dockerVersion()}`]);
});

test("the Node as the kubelet registers it", async () => {
  const node = await getNode(agent.nodeName);
  expect(node.metadata?.labels).toMatchObject({
    "kubernetes.io/hostname": agent.nodeName,
    "kubernetes.io/os": "linux",
    "kubernetes.io/arch": "amd64",
    "beta.kubernetes.io/os": "linux",
    "beta.kubernetes.io/arch": "amd64",
    tier: "edge",
    zone: "a",
  });
  expect(node.metadata?.labels?.["node-role.kubernetes.io/control-plane"]).toBeUndefined();
  expect(node.spec?.taints).toEqual([
    { key: "dedicated", value: "edge", effect: "NoSchedule" },
    { key: "spot", effect: "PreferNoSchedule" },
  ]);
  const status = node.status!;
  expect(Object.keys(status.capacity!).sort()).toEqual(["cpu", "ephemeral-storage", "hugepages-1Gi", "hugepages-2Mi", "memory", "pods"]);
  expect(status.capacity!.pods).toBe("110");
  expect(status.capacity!.cpu).toBe(String(navigator.hardwareConcurrency));
  expect(status.allocatable!.memory).toMatch(/^\d+Ki$/);
  expect(status.addresses).toEqual([
    { type: "InternalIP", address: "127.0.0.1" },
    { type: "Hostname", address: agent.nodeName },
  ]);
  expect(status.nodeInfo).toMatchObject({
    machineID: readFileSync("/etc/machine-id", "utf8").trim(),
    bootID: readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim(),
    operatingSystem: "linux",
    architecture: "amd64",
    containerRuntimeVersion: `docker://${dockerVersion()}`,
  });
  expect(status.conditions!.map((c) => `${c.type}=${c.status}:${c.reason}`)).toEqual([
    "MemoryPressure=False:KubeletHasSufficientMemory",
    "DiskPressure=False:KubeletHasNoDiskPressure",
    "PIDPressure=False:KubeletHasSufficientPID",
    "Ready=True:KubeletReady",
  ]);
  expect(status.conditions!.find((c) => c.type === "Ready")?.message).toBe("kubelet is posting ready status");
  const busybox = status.images!.find((i) => i.names?.includes("kts.test/busybox:1"));
  expect(busybox?.sizeBytes).toBeGreaterThan(100_000);
  expect(status.daemonEndpoints).toEqual({ kubeletEndpoint: { Port: 10250 } });
});

test("heartbeats: the Lease is renewed and the status re-posted", async () => {
  const node = await getNode(agent.nodeName);
  const lease = await getLease(agent.nodeName);
  expect(lease.spec).toMatchObject({ holderIdentity: agent.nodeName, leaseDurationSeconds: 4 });
  expect(String(lease.spec?.renewTime)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  expect(lease.metadata?.ownerReferences).toEqual([{ apiVersion: "v1", kind: "Node", name: agent.nodeName, uid: node.metadata!.uid! }]);
  await until("the lease is renewed", async () => ((await getLease(agent.nodeName)).spec?.renewTime !== lease.spec?.renewTime ? true : undefined));
  const heartbeat = (n: V1Node) => n.status?.conditions?.find((c) => c.type === "Ready")?.lastHeartbeatTime;
  await until("the status is posted again", async () => (heartbeat(await getNode(agent.nodeName)) !== heartbeat(node) ? true : undefined));
  // The transition time stays while the node stays Ready.
  const again = await getNode(agent.nodeName);
  const ready = (n: V1Node) => n.status!.conditions!.find((c) => c.type === "Ready")!;
  expect(ready(again).lastTransitionTime).toEqual(ready(node).lastTransitionTime);
});

test("a restarted agent reuses its certificate and keeps its Node", async () => {
  const serial = serialOf(agent.dataDir);
  const uid = (await getNode(agent.nodeName)).metadata?.uid;
  expect(await agent.stop({ keepData: true })).toBe(0);
  agent = startTestAgent(s.url, s.token(), { nodeName: agent.nodeName, dataDir: agent.dataDir });
  await agent.ready;
  expect(agent.log()).toContain(`using the stored node certificate node=${agent.nodeName} serial=${serial}`);
  expect(serialOf(agent.dataDir)).toBe(serial);
  const node = await getNode(agent.nodeName);
  expect(node.metadata?.uid).toBe(uid);
  // Labels and taints from the first registration stay (they apply at registration only).
  expect(node.metadata?.labels?.tier).toBe("edge");
  expect(node.spec?.taints?.length).toBe(2);
});

test("a second agent on the same machine, with its own data dir and node name, registers", async () => {
  const second = startTestAgent(s.url, s.token());
  stopped.push(second);
  await second.ready;
  expect(second.dataDir).not.toBe(agent.dataDir);
  const ready = await until("both nodes are Ready", async () => {
    const out = await s.k("get", "nodes", "--no-headers", "-o", "custom-columns=NAME:.metadata.name,READY:.status.conditions[?(@.type==\"Ready\")].status");
    const rows = out.trim().split("\n").map((l) => l.trim().split(/\s+/));
    const want = [agent.nodeName, second.nodeName].sort();
    const readyNames = rows.filter((r) => r[1] === "True").map((r) => r[0]!);
    return want.every((n) => readyNames.includes(n)) ? readyNames : undefined;
  });
  expect(ready).toContain(second.nodeName);
  expect((await getLease(second.nodeName)).spec?.holderIdentity).toBe(second.nodeName);
});

test("a pod bound to the joined node runs on Docker; kubectl logs and exec reach it through the agent's tunnel", async () => {
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "hello", namespace: "default" },
    spec: {
      nodeName: agent.nodeName,
      terminationGracePeriodSeconds: 1,
      containers: [{ name: "main", image: TEST_IMAGE, imagePullPolicy: "Never", command: ["sh", "-c", "echo hello from $(hostname); exec sleep 3600"] }],
    },
  };
  await s.kubectl(["apply", "-f", "-"], { stdin: JSON.stringify(pod) });
  await s.k("wait", "--for=condition=Ready", "pod/hello", "--timeout=60s");
  expect(await s.k("logs", "hello")).toBe("hello from hello\n");
  expect(await s.k("exec", "hello", "--", "echo", "hi")).toBe("hi\n");
  const containers = Bun.spawnSync(["docker", "ps", "--filter", `label=kts.io/node=${agent.nodeName}`, "--filter", `label=${TEST_LABEL}=${RUN_ID}`, "--format", "{{.Label \"io.kubernetes.container.name\"}}"]).stdout.toString();
  expect(containers.trim().split("\n").sort()).toEqual(["POD", "main"]);
  await s.k("delete", "pod", "hello", "--wait", "--timeout=60s");
}, 90_000);
