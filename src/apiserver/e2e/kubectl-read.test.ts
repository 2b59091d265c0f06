/**
 * Real kubectl 1.32 against a real `kts server`: applying a manifest and every way of reading it.
 */
import { expect, test } from "bun:test";
import { serverForFile } from "./fixtures.ts";
import { API_CONTROLLERS_ONLY } from "../../testing/controllers.ts";

const { s } = serverForFile(API_CONTROLLERS_ONLY);

const MANIFEST = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: web, tier: front}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: nginx, image: "nginx:1.27", ports: [{containerPort: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop, labels: {app: web}}
data: {color: blue, size: large}
`;

test("apply -f of a multi-document manifest creates everything", async () => {
  const out = await s.kubectl(["apply", "-f", "-"], { stdin: MANIFEST });
  expect(out.stderr).toBe("");
  expect(out.stdout.trim().split("\n")).toEqual(["namespace/shop created", "deployment.apps/web created", "service/web created", "configmap/settings created"]);
  const again = await s.kubectl(["apply", "-f", "-"], { stdin: MANIFEST });
  expect(again.stdout).toContain("deployment.apps/web unchanged");
});

test("get prints upstream's columns, -o wide adds the wide ones", async () => {
  const table = await s.k("get", "deploy", "-n", "shop");
  expect(table).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+0\/2\s+0\s+0\s+\d+s\n$/);
  const wide = await s.k("get", "deploy", "-n", "shop", "-o", "wide");
  expect(wide).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR\n/);
  expect(wide).toContain("nginx:1.27");
  const svc = await s.k("get", "svc", "web", "-n", "shop");
  expect(svc).toMatch(/web\s+ClusterIP\s+10\.43\.\d+\.\d+\s+<none>\s+80\/TCP\s+\d+s/);
});

test("-o yaml, json, jsonpath, name and custom-columns", async () => {
  const obj = JSON.parse(await s.k("get", "deploy", "web", "-n", "shop", "-o", "json"));
  expect(obj).toMatchObject({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "shop", generation: 1 } });
  expect(obj.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
  expect(obj.spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } });
  const yaml = await s.k("get", "cm", "settings", "-n", "shop", "-o", "yaml");
  expect(yaml).toContain("color: blue");
  expect(await s.k("get", "cm", "settings", "-n", "shop", "-o", "jsonpath={.data.size}")).toBe("large");
  expect(await s.k("get", "deploy,svc", "-n", "shop", "-o", "name")).toBe("deployment.apps/web\nservice/web\n");
  const cols = await s.k("get", "deploy", "-n", "shop", "-o", "custom-columns=NAME:.metadata.name,REPLICAS:.spec.replicas");
  expect(cols).toBe("NAME   REPLICAS\nweb    2\n");
});

test("-A lists every namespace; -l filters; --show-labels shows labels", async () => {
  const all = await s.k("get", "cm", "-A");
  expect(all).toMatch(/^NAMESPACE\s+NAME\s+DATA\s+AGE\n/);
  expect(all).toMatch(/\nshop\s+settings\s+2\s+\d+s\n/);
  const svcs = await s.k("get", "svc", "-A");
  expect(svcs).toMatch(/\ndefault\s+kubernetes\s+ClusterIP\s+10\.43\.0\.1\s+<none>\s+443\/TCP/);
  expect(await s.k("get", "cm", "-n", "shop", "-l", "app=web", "-o", "name")).toBe("configmap/settings\n");
  expect(await s.k("get", "cm", "-n", "shop", "-l", "app!=web", "-o", "name")).toBe("");
  expect(await s.k("get", "cm", "-n", "shop", "-l", "app in (web,api)", "-o", "name")).toBe("configmap/settings\n");
  const labels = await s.k("get", "deploy", "-n", "shop", "--show-labels");
  expect(labels).toMatch(/LABELS\n.*app=web,tier=front\n/);
});

test("get -w streams changes", async () => {
  const watch = Bun.spawn([...(await watcherCmd()), "get", "cm", "-n", "shop", "-w", "--output-watch-events"], { stdout: "pipe", stderr: "pipe", env: { HOME: s.dataDir } });
  const lines: string[] = [];
  const listed = Promise.withResolvers<void>();
  const seen = (async () => {
    // kubectl's printer may flush one line in several writes: split the whole output, not each chunk.
    let text = "";
    for await (const chunk of watch.stdout) {
      text += new TextDecoder().decode(chunk);
      lines.splice(0, lines.length, ...text.split("\n").filter(Boolean));
      if (lines.some((l) => /^ADDED\s+settings/.test(l))) listed.resolve();
      if (lines.some((l) => l.includes("DELETED") && l.includes("watched"))) return;
    }
  })();
  // The watch is open once the initial list has been printed; then the changes must follow.
  await Promise.race([listed.promise, Bun.sleep(15_000)]);
  await Bun.sleep(300);
  await s.k("create", "configmap", "watched", "-n", "shop", "--from-literal=k=v");
  await s.k("delete", "configmap", "watched", "-n", "shop");
  await Promise.race([seen, Bun.sleep(10_000)]);
  watch.kill();
  expect(lines.some((l) => /^ADDED\s+settings/.test(l))).toBe(true);
  expect(lines.some((l) => /^ADDED\s+watched/.test(l))).toBe(true);
  expect(lines.some((l) => /^DELETED\s+watched/.test(l))).toBe(true);
});

async function watcherCmd(): Promise<string[]> {
  const { kubectlPath } = await import("../../testing/kubectl.ts");
  return [kubectlPath(), "--kubeconfig", s.kubeconfig, "--cache-dir", `${s.dataDir}/kube-cache`];
}

test("describe shows the object and its events", async () => {
  const out = await s.k("describe", "deploy", "web", "-n", "shop");
  expect(out).toMatch(/^Name:\s+web\nNamespace:\s+shop\n/);
  expect(out).toMatch(/Replicas:\s+2 desired/);
  expect(out).toContain("Events:");
});

test("api-resources, api-versions and version", async () => {
  const res = await s.k("api-resources");
  expect(res).toMatch(/^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND\n/);
  expect(res).toMatch(/\npods\s+po\s+v1\s+true\s+Pod\n/);
  expect(res).toMatch(/\ndeployments\s+deploy\s+apps\/v1\s+true\s+Deployment\n/);
  const versions = (await s.k("api-versions")).trim().split("\n");
  expect(versions).toContain("v1");
  expect(versions).toContain("apps/v1");
  expect(versions).toContain("batch/v1");
  const v = JSON.parse(await s.k("version", "-o", "json"));
  expect(v.serverVersion).toMatchObject({ major: "1", minor: "32" });
});

test("explain reads the served schemas", async () => {
  const out = await s.k("explain", "pod.spec.containers");
  expect(out).toMatch(/^KIND:\s+Pod\nVERSION:\s+v1\n/);
  expect(out).toMatch(/FIELD: containers <\[\]Container>/);
  expect(out).toContain("image\t<string>");
  const missing = await s.kubectl(["explain", "pod.spec.nope"]);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain('field "nope" does not exist');
});
