/**
 * Real kubectl 1.32 against a real `kts server --disable-agent`: `kubectl cordon`, `drain` and
 * `uncordon`. Node objects have no agent behind them; the test binds pods to them and plays the
 * kubelet (pods Ready, graceful deletions finished). Drain evicts through pods/eviction, which
 * the disruption controller's PodDisruptionBudget status governs: a budget with no disruption
 * left makes drain retry on 429 until it gives up, and a new healthy pod elsewhere frees it.
 */
import { expect, test } from "bun:test";
import type { TestServer } from "../../testing/server.ts";
import { serverWithKubelet } from "./kubelet.ts";

let s: TestServer;
serverWithKubelet((server) => (s = server));

const node = (name: string) => ({ apiVersion: "v1", kind: "Node", metadata: { name, labels: { "kubernetes.io/hostname": name } } });
const pod = (name: string, nodeName: string, app: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, labels: { app } },
  spec: { nodeName, containers: [{ name: "c", image: "busybox:1" }] },
});

async function apply(...objects: object[]): Promise<void> {
  const r = await s.kubectl(["apply", "-f", "-"], { stdin: JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }) });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
}

async function until(what: string, cond: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await Bun.sleep(100);
  }
  throw new Error(`timed out waiting until ${what}`);
}

const jsonpath = (...args: string[]) => s.k("get", ...args.slice(0, -1), "-o", `jsonpath=${args.at(-1)}`);

test("cordon, drain with a PodDisruptionBudget (429 until a disruption is allowed), uncordon", async () => {
  await apply(node("n1"), node("n2"));
  await apply(pod("free", "n1", "free"), pod("guarded-a", "n1", "guarded"), pod("guarded-b", "n1", "guarded"), {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: "guarded" },
    spec: { minAvailable: 1, selector: { matchLabels: { app: "guarded" } } },
  });
  await until("the budget allows one disruption", async () => (await jsonpath("pdb", "guarded", "{.status.disruptionsAllowed}/{.status.currentHealthy}")) === "1/2");

  expect(await s.k("cordon", "n1")).toBe("node/n1 cordoned\n");
  expect(await jsonpath("node", "n1", "{.spec.unschedulable}")).toBe("true");
  await until("the unschedulable taint", async () => (await jsonpath("node", "n1", "{.spec.taints[*].key}")).includes("node.kubernetes.io/unschedulable"));

  // Only one guarded pod may go: drain evicts it and the free pod, then retries the other on 429.
  const blocked = await s.kubectl(["drain", "n1", "--force", "--timeout=7s"], { timeoutMs: 60_000 });
  expect(blocked.code).not.toBe(0);
  expect(blocked.stderr).toMatch(/error when evicting pods\/"guarded-[ab]" -n "default" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./);
  expect(blocked.stdout).toContain("node/n1 already cordoned");
  expect(blocked.stdout).toMatch(/evicting pod default\/free/);
  const left = (await jsonpath("pods", "--field-selector=spec.nodeName=n1", "{.items[*].metadata.name}")).split(" ").filter(Boolean);
  expect(left).toHaveLength(1);
  expect(left[0]).toStartWith("guarded-");

  // A healthy replacement elsewhere lets the budget allow the last eviction.
  await apply(pod("guarded-c", "n2", "guarded"));
  await until("a disruption is allowed again", async () => (await jsonpath("pdb", "guarded", "{.status.disruptionsAllowed}")) === "1");
  const drained = await s.kubectl(["drain", "n1", "--force", "--timeout=30s"], { timeoutMs: 60_000 });
  expect(drained.stderr).not.toContain("error");
  expect(drained.code).toBe(0);
  expect(drained.stdout).toContain("node/n1 drained");
  expect(await jsonpath("pods", "--field-selector=spec.nodeName=n1", "{.items[*].metadata.name}")).toBe("");
  expect(await jsonpath("pdb", "guarded", "{.status.currentHealthy}/{.status.desiredHealthy}/{.status.expectedPods}")).toMatch(/^1\/1\/1$/);

  expect(await s.k("uncordon", "n1")).toBe("node/n1 uncordoned\n");
  await until("the unschedulable taint is gone", async () => !(await jsonpath("node", "n1", "{.spec.taints[*].key}")).includes("node.kubernetes.io/unschedulable"));
  expect(await jsonpath("node", "n1", "{.spec.unschedulable}")).toBe("");
}, 120_000);
