/**
 * Real kubectl 1.32 against a real `kts server`: every way of changing objects.
 */
import { expect, test } from "bun:test";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { serverForFile } from "./fixtures.ts";

const { s } = serverForFile();

const deployment = (replicas: number, extra = "") => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, labels: {app: api}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: main
        image: "busybox:1.36"
        command: [sleep, "3600"]${extra}
`;

test("create -f, and a duplicate gets AlreadyExists", async () => {
  expect(await s.kubectl(["create", "-f", "-"], { stdin: deployment(1) })).toMatchObject({ code: 0, stdout: "deployment.apps/api created\n" });
  const dup = await s.kubectl(["create", "-f", "-"], { stdin: deployment(1) });
  expect(dup.code).toBe(1);
  expect(dup.stderr).toContain('Error from server (AlreadyExists): error when creating "STDIN": deployments.apps "api" already exists');
});

test("the create generators: configmap, secret generic, deployment, service", async () => {
  expect(await s.k("create", "configmap", "gen-cm", "--from-literal=a=1", "--from-literal=b=2")).toBe("configmap/gen-cm created\n");
  expect(JSON.parse(await s.k("get", "cm", "gen-cm", "-o", "json")).data).toEqual({ a: "1", b: "2" });
  expect(await s.k("create", "secret", "generic", "gen-secret", "--from-literal=password=hunter2")).toBe("secret/gen-secret created\n");
  const secret = JSON.parse(await s.k("get", "secret", "gen-secret", "-o", "json"));
  expect(secret.type).toBe("Opaque");
  expect(Buffer.from(secret.data.password, "base64").toString()).toBe("hunter2");
  expect(await s.k("create", "deployment", "gen-deploy", "--image=nginx:1.27", "--replicas=3", "--port=80")).toBe("deployment.apps/gen-deploy created\n");
  const dep = JSON.parse(await s.k("get", "deploy", "gen-deploy", "-o", "json"));
  expect(dep.spec.replicas).toBe(3);
  expect(dep.spec.template.spec.containers[0]).toMatchObject({ name: "nginx", image: "nginx:1.27", ports: [{ containerPort: 80, protocol: "TCP" }] });
  expect(await s.k("create", "service", "clusterip", "gen-svc", "--tcp=80:8080")).toBe("service/gen-svc created\n");
  const svc = JSON.parse(await s.k("get", "svc", "gen-svc", "-o", "json"));
  expect(svc.spec.ports[0]).toMatchObject({ port: 80, targetPort: 8080, protocol: "TCP", name: "80-8080" });
  expect(svc.spec.clusterIP).toMatch(/^10\.43\./);
});

test("replace with a stale resourceVersion is a Conflict; a fresh one works", async () => {
  const obj = JSON.parse(await s.k("get", "cm", "gen-cm", "-o", "json"));
  obj.data.a = "changed";
  const fresh = await s.kubectl(["replace", "-f", "-"], { stdin: JSON.stringify(obj) });
  expect(fresh).toMatchObject({ code: 0, stdout: "configmap/gen-cm replaced\n" });
  obj.data.a = "again";
  const stale = await s.kubectl(["replace", "-f", "-"], { stdin: JSON.stringify(obj) });
  expect(stale.code).toBe(1);
  expect(stale.stderr).toContain('Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on configmaps "gen-cm": the object has been modified; please apply your changes to the latest version and try again');
});

test("edit with KUBE_EDITOR", async () => {
  const editor = join(s.dataDir, "editor.sh");
  writeFileSync(editor, `#!/bin/sh\nsed -i 's/replicas: 1/replicas: 4/' "$1"\n`);
  chmodSync(editor, 0o755);
  const r = await s.kubectl(["edit", "deploy", "api"], { env: { KUBE_EDITOR: editor } });
  expect(r).toMatchObject({ code: 0, stdout: "deployment.apps/api edited\n" });
  expect(await s.k("get", "deploy", "api", "-o", "jsonpath={.spec.replicas} {.metadata.generation}")).toBe("4 2");
});

test("patch: strategic (default), merge and json with test", async () => {
  expect(await s.k("patch", "deploy", "api", "-p", '{"spec":{"template":{"spec":{"containers":[{"name":"main","image":"busybox:1.37"}]}}}}')).toBe("deployment.apps/api patched\n");
  const containers = JSON.parse(await s.k("get", "deploy", "api", "-o", "jsonpath={.spec.template.spec.containers}"));
  expect(containers).toHaveLength(1);
  expect(containers[0]).toMatchObject({ name: "main", image: "busybox:1.37", command: ["sleep", "3600"] });
  expect(await s.k("patch", "cm", "gen-cm", "--type=merge", "-p", '{"data":{"b":null,"c":"3"}}')).toBe("configmap/gen-cm patched\n");
  expect(JSON.parse(await s.k("get", "cm", "gen-cm", "-o", "jsonpath={.data}"))).toEqual({ a: "changed", c: "3" });
  expect(await s.k("patch", "cm", "gen-cm", "--type=json", "-p", '[{"op":"test","path":"/data/c","value":"3"},{"op":"replace","path":"/data/c","value":"4"}]')).toBe(
    "configmap/gen-cm patched\n",
  );
  const failed = await s.kubectl(["patch", "cm", "gen-cm", "--type=json", "-p", '[{"op":"test","path":"/data/c","value":"nope"}]']);
  expect(failed.code).toBe(1);
  expect(failed.stderr).toContain("The request is invalid");
  expect(await s.k("patch", "cm", "gen-cm", "--type=merge", "-p", '{"data":{"c":"4"}}')).toBe("configmap/gen-cm patched (no change)\n");
});

test("label, annotate and scale", async () => {
  expect(await s.k("label", "deploy", "api", "env=prod")).toBe("deployment.apps/api labeled\n");
  expect(await s.k("annotate", "deploy", "api", "owner=team-a")).toBe("deployment.apps/api annotated\n");
  expect(await s.k("label", "deploy", "api", "env-")).toBe("deployment.apps/api unlabeled\n");
  const meta = JSON.parse(await s.k("get", "deploy", "api", "-o", "jsonpath={.metadata}"));
  expect(meta.labels).toEqual({ app: "api" });
  expect(meta.annotations.owner).toBe("team-a");
  expect(await s.k("scale", "deploy", "api", "--replicas=2")).toBe("deployment.apps/api scaled\n");
  expect(await s.k("scale", "deploy", "api", "--current-replicas=2", "--replicas=3")).toBe("deployment.apps/api scaled\n");
  const wrong = await s.kubectl(["scale", "deploy", "api", "--current-replicas=9", "--replicas=1"]);
  expect(wrong.code).toBe(1);
  expect(await s.k("get", "deploy", "api", "-o", "jsonpath={.spec.replicas}")).toBe("3");
});

test("re-apply after removing a field removes it (three-way merge)", async () => {
  const withEnv = deployment(1, `\n        env: [{name: MODE, value: debug}, {name: LEVEL, value: "3"}]`);
  await s.kubectl(["delete", "deploy", "api"]);
  expect((await s.kubectl(["apply", "-f", "-"], { stdin: withEnv })).stdout).toBe("deployment.apps/api created\n");
  const withoutLevel = deployment(1, `\n        env: [{name: MODE, value: debug}]`);
  expect((await s.kubectl(["apply", "-f", "-"], { stdin: withoutLevel })).stdout).toBe("deployment.apps/api configured\n");
  const env = JSON.parse(await s.k("get", "deploy", "api", "-o", "jsonpath={.spec.template.spec.containers[0].env}"));
  expect(env).toEqual([{ name: "MODE", value: "debug" }]);
});

test("diff shows what apply would change", async () => {
  const r = await s.kubectl(["diff", "-f", "-"], { stdin: deployment(5, `\n        env: [{name: MODE, value: debug}]`) });
  expect(r.code).toBe(1); // 1 = differences found
  expect(r.stdout).toMatch(/-\s+replicas: 1\n\+\s+replicas: 5/);
});

test("wait for a condition, a jsonpath and a deletion", async () => {
  await s.k("run", "waiter", "--image=busybox:1.36", "--restart=Never", "--", "sleep", "60");
  const waiting = s.kubectl(["wait", "--for=condition=Ready", "pod/waiter", "--timeout=20s"]);
  await Bun.sleep(1000);
  await s.k("patch", "pod", "waiter", "--subresource=status", "--type=merge", "-p", '{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}');
  expect(await waiting).toMatchObject({ code: 0, stdout: "pod/waiter condition met\n" });
  expect(await s.k("wait", "--for=jsonpath={.status.phase}=Running", "pod/waiter", "--timeout=10s")).toBe("pod/waiter condition met\n");
  const deletion = s.kubectl(["wait", "--for=delete", "pod/waiter", "--timeout=20s"]);
  await Bun.sleep(500);
  await s.k("delete", "pod", "waiter", "--wait=false");
  expect((await deletion).code).toBe(0);
});

test("delete with --cascade, -l and --wait", async () => {
  for (const cascade of ["background", "foreground", "orphan"]) {
    await s.k("create", "deployment", `d-${cascade}`, "--image=nginx:1.27");
    const r = await s.kubectl(["delete", "deploy", `d-${cascade}`, `--cascade=${cascade}`, "--wait", "--timeout=20s"]);
    expect(r).toMatchObject({ code: 0, stdout: `deployment.apps "d-${cascade}" deleted\n` });
  }
  await s.k("create", "configmap", "l1", "--from-literal=x=1");
  await s.k("create", "configmap", "l2", "--from-literal=x=1");
  await s.k("label", "cm", "l1", "l2", "batch=old");
  expect(await s.k("delete", "cm", "-l", "batch=old")).toBe('configmap "l1" deleted\nconfigmap "l2" deleted\n');
  expect(await s.k("get", "cm", "-l", "batch=old", "-o", "name")).toBe("");
});
