/**
 * The auto-deploy directory on a real kts server (no agent): the bundled coredns manifest written
 * with its placeholders filled and applied with server-side apply, a user's manifest applied and
 * re-applied when it changes, `.skip` files, a deleted bundled file restored at the next start,
 * and `--disable coredns` deleting what was deployed (and nothing the user made).
 */
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startTestServer, type TestServer } from "../testing/server.ts";
import { parseDisabled } from "./index.ts";

setDefaultTimeout(90_000);

let s: TestServer | undefined;
afterAll(async () => {
  await s?.stop();
});

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await Bun.sleep(200);
  }
}

const exists = async (...args: string[]) => (await s!.kubectl(["get", ...args])).code === 0;

test("--disable takes k3s's component names, repeated or comma-separated", () => {
  expect(parseDisabled(["coredns,servicelb", "traefik", "coredns"])).toEqual(["coredns", "servicelb", "traefik"]);
  expect(() => parseDisabled(["dns"])).toThrow("--disable dns: not a packaged component");
});

test("bundled and user manifests are applied at start and when they change; .skip and --disable", async () => {
  s = await startTestServer([], { packaged: true });
  const dir = join(s.dataDir, "server", "manifests");
  // The bundled coredns manifest, filled in and applied.
  await until("the coredns Deployment exists", () => exists("-n", "kube-system", "deployment/coredns"));
  const text = readFileSync(join(dir, "coredns.yaml"), "utf8");
  expect(text).toContain('clusterIP: "10.43.0.10"');
  expect(text).toMatch(/image: "kts\.local\/kts:\d+\.\d+\.\d+"/);
  expect(text).not.toContain("%{");
  expect((await s.k("get", "-n", "kube-system", "svc/kube-dns", "-o", "jsonpath={.spec.clusterIP} {.metadata.labels.k8s-app}")).trim()).toBe("10.43.0.10 kube-dns");
  expect((await s.k("get", "-n", "kube-system", "deploy/coredns", "-o", "jsonpath={.spec.template.spec.containers[0].args}"))).toBe('["dns","--cluster-domain","cluster.local"]');
  expect(await s.k("get", "-n", "kube-system", "deploy/coredns", "-o", "jsonpath={.metadata.managedFields[?(@.operation=='Apply')].manager} {.metadata.annotations.kts\\.io/addon}")).toBe("kts-deploy coredns");
  for (const obj of ["clusterrole/system:coredns", "clusterrolebinding/system:coredns", "-n kube-system serviceaccount/coredns"]) expect(await exists(...obj.split(" "))).toBe(true);

  // A user's manifest, without a namespace: kube-system, as k3s. Changed: applied again.
  const cm = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: user-config\ndata:\n  v: "${v}"\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: user-ns\n`;
  writeFileSync(join(dir, "user.yaml"), cm("1"));
  await until("the user's ConfigMap exists", () => exists("-n", "kube-system", "configmap/user-config"));
  expect(await exists("namespace/user-ns")).toBe(true);
  writeFileSync(join(dir, "user.yaml"), cm("2"));
  await until("the ConfigMap is updated", async () => (await s!.k("get", "-n", "kube-system", "cm/user-config", "-o", "jsonpath={.data.v}")) === "2");
  // With a .skip file, changes are not applied.
  writeFileSync(join(dir, "user.yaml.skip"), "");
  writeFileSync(join(dir, "user.yaml"), cm("3"));
  writeFileSync(join(dir, "other.json"), JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "marker", namespace: "default" } }));
  await until("a later file is applied", () => exists("-n", "default", "configmap/marker"));
  expect(await s.k("get", "-n", "kube-system", "cm/user-config", "-o", "jsonpath={.data.v}")).toBe("2");
  // Objects the user made under a bundled name are not the addon's: --disable leaves them.
  await s.k("create", "configmap", "coredns-custom", "-n", "kube-system");

  // A deleted bundled file is written again at the next start; --disable removes file and objects.
  rmSync(join(dir, "coredns.yaml"));
  await s.stop({ keepData: true });
  s = await startTestServer([], { packaged: true, dataDir: s.dataDir });
  await until("coredns.yaml is back", async () => existsSync(join(dir, "coredns.yaml")));
  await s.stop({ keepData: true });
  s = await startTestServer(["--disable", "coredns,servicelb"], { packaged: true, dataDir: s.dataDir });
  // servicelb is a controller, not a manifest: --disable turns it off.
  expect(s.log()).toMatch(/server ready .*controllers=/);
  expect(s.log()).not.toContain("service-lb-controller");
  await until("the coredns Deployment is deleted", async () => !(await exists("-n", "kube-system", "deployment/coredns")));
  for (const obj of ["-n kube-system service/kube-dns", "clusterrole/system:coredns", "-n kube-system serviceaccount/coredns"]) expect(await exists(...obj.split(" "))).toBe(false);
  expect(existsSync(join(dir, "coredns.yaml"))).toBe(false);
  expect(await exists("-n", "kube-system", "configmap/coredns-custom")).toBe(true);
  expect(await exists("-n", "kube-system", "configmap/user-config")).toBe(true);
});
