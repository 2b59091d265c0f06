/**
 * Real kubectl 1.32 against a real `kts server --disable-agent`: rollout status, history and undo
 * of a StatefulSet and a DaemonSet (ControllerRevisions), with Node objects no agent backs and
 * the test playing the kubelet.
 */
import { expect, test } from "bun:test";
import type { TestServer } from "../../testing/server.ts";
import { rolloutStatus, serverWithKubelet } from "./kubelet.ts";

let s: TestServer;
serverWithKubelet((server) => (s = server));

const status = (what: string) => rolloutStatus(s, what);
const apply = (yaml: string) => s.kubectl(["apply", "-f", "-"], { stdin: yaml });

test("StatefulSet: ordered pods web-0..2, rollout status, history and undo", async () => {
  const r0 = await apply(`
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  replicas: 3
  serviceName: web
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: "busybox:1"}]}
`);
  expect(r0.stdout).toBe("statefulset.apps/web created\n");
  let r = await status("statefulset/web");
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  // apps/v1 defaults the partition to 0, so kubectl reports a partitioned roll out (upstream too).
  expect(r.stdout).toEndWith("partitioned roll out complete: 3 new pods have been updated...\n");
  expect(await s.k("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[*].metadata.name}")).toBe("web-0 web-1 web-2");

  await s.k("set", "image", "statefulset/web", "c=busybox:2");
  r = await status("statefulset/web");
  expect(r.code).toBe(0);
  expect(await s.k("rollout", "history", "statefulset/web")).toMatch(/^statefulset\.apps\/web \nREVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);

  expect(await s.k("rollout", "undo", "statefulset/web")).toBe("statefulset.apps/web rolled back\n");
  r = await status("statefulset/web");
  expect(r.code).toBe(0);
  expect(await s.k("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[*].spec.containers[0].image}")).toBe("busybox:1 busybox:1 busybox:1");
  expect(await s.k("get", "sts", "web")).toMatch(/\nweb\s+3\/3\s+/);
});

test("DaemonSet: a pod on each node including a tainted one it tolerates, rollout status, undo", async () => {
  const nodes = ["one", "two", "tainted"].map(
    (n) => `apiVersion: v1
kind: Node
metadata: {name: ds-${n}}
spec: ${n === "tainted" ? "{taints: [{key: dedicated, value: infra, effect: NoSchedule}]}" : "{}"}
`,
  );
  expect((await apply(nodes.join("---\n"))).code).toBe(0);
  const r0 = await apply(`
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      tolerations: [{key: dedicated, operator: Equal, value: infra, effect: NoSchedule}]
      containers: [{name: c, image: "busybox:1"}]
`);
  expect(r0.stdout).toBe("daemonset.apps/agent created\n");
  let r = await status("daemonset/agent");
  expect(r.code).toBe(0);
  expect(r.stdout).toEndWith('daemon set "agent" successfully rolled out\n');
  const targets = await s.k("get", "pods", "-l", "app=agent", "-o", "jsonpath={range .items[*]}{.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].values[0]}{\"\\n\"}{end}");
  expect(targets.trim().split("\n").sort()).toEqual(["ds-one", "ds-tainted", "ds-two"]);
  expect(await s.k("get", "ds", "agent")).toMatch(/\nagent\s+3\s+3\s+3\s+3\s+3\s+/);

  await s.k("set", "image", "daemonset/agent", "c=busybox:2");
  r = await status("daemonset/agent");
  expect(r.code).toBe(0);
  expect(await s.k("rollout", "undo", "daemonset/agent")).toBe("daemonset.apps/agent rolled back\n");
  r = await status("daemonset/agent");
  expect(r.code).toBe(0);
  const images = await s.k("get", "pods", "-l", "app=agent", "-o", "jsonpath={range .items[*]}{.spec.containers[0].image}{\"\\n\"}{end}");
  expect(images.trim().split("\n").filter((i) => i === "busybox:1").length).toBe(3);
});
