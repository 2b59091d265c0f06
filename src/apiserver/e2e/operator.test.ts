/**
 * An operator written with @kubernetes/client-node informers (testdata/greeting-operator.ts)
 * against a real `kts server`, driven by a real kubectl 1.32: a Greeting custom resource is
 * reconciled into a ConfigMap it owns; spec changes reach the ConfigMap, progress is reported
 * through the status subresource, a ConfigMap changed or deleted by hand is put back, and the
 * garbage collector removes the ConfigMap once its Greeting is deleted.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import type { V1ConfigMap } from "@kubernetes/client-node";
import type { KubeObject } from "../api/types.ts";
import { startTestServer, type TestServer } from "../../testing/server.ts";
import { spawnClientNode, type ClientNodeProcess } from "./client-node-process.ts";
import { applyCrds, crdManifest, until as pollUntil } from "./fixtures.ts";

setDefaultTimeout(60_000);

const TOKEN = "operator-test-token";
let s: TestServer;
let operator: ClientNodeProcess;
const lines: Array<{ action: string; key?: string; message?: string }> = [];
let stderr = "";

const greetingsCrd = crdManifest(
  { group: "demo.example.com", plural: "greetings", kind: "Greeting", names: "singular: greeting, shortNames: [gr]" },
  `
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    additionalPrinterColumns:
    - {name: Target, type: string, jsonPath: .spec.target}
    - {name: Phase, type: string, jsonPath: .status.phase}
    - {name: ConfigMap, type: string, jsonPath: .status.configMap}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [target]
            properties:
              salutation: {type: string, default: Hello}
              target: {type: string, minLength: 1}
          status:
            type: object
            properties:
              observedGeneration: {type: integer}
              configMap: {type: string}
              phase: {type: string, enum: [Pending, Ready]}
`,
);

const greeting = (name: string, namespace: string, spec: string) => `
apiVersion: demo.example.com/v1
kind: Greeting
metadata: {name: ${name}, namespace: ${namespace}}
spec: ${spec}
`;

beforeAll(async () => {
  s = await startTestServer(["--token", TOKEN]);
  await applyCrds(s, greetingsCrd);
  await s.k("create", "namespace", "shop");
  // One Greeting exists before the operator starts: its informer's initial list brings it.
  expect((await s.kubectl(["apply", "-f", "-"], { stdin: greeting("early", "default", "{target: operators}") })).code).toBe(0);
  operator = spawnClientNode(s, TOKEN, join(import.meta.dir, "testdata", "greeting-operator.ts"));
  void collectOutput(operator);
  await until(async () => lines.some((l) => l.action === "started"), "the operator started");
});

afterAll(async () => {
  operator?.kill("SIGTERM");
  const code = await operator?.exited;
  if (process.env.KTS_E2E_LOG) console.log(s.log(), stderr);
  expect(await s.stop()).toBe(0);
  expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
  if (process.env.KTS_E2E_LOG) console.log(lines);
  expect(lines.at(-1)?.action).toBe("stopped");
  // Every request the operator made succeeded, and its watches never broke.
  expect(lines.filter((l) => l.action === "error")).toEqual([]);
});

async function collectOutput(p: ClientNodeProcess): Promise<void> {
  const errText = new Response(p.stderr).text().then((t) => (stderr = t));
  let pending = "";
  for await (const chunk of p.stdout) {
    pending += new TextDecoder().decode(chunk);
    const complete = pending.split("\n");
    pending = complete.pop()!;
    for (const line of complete) if (line.trim()) lines.push(JSON.parse(line));
  }
  await errText;
}

/** Polls `check` for up to 20 s; a failure shows what the operator printed so far. */
function until(check: () => Promise<boolean>, what: string): Promise<void> {
  return pollUntil(() => `${what}\noperator: ${JSON.stringify(lines)}\n${stderr}`, check, 20_000);
}

async function getJson<T = KubeObject>(...args: string[]): Promise<T> {
  return JSON.parse(await s.k("get", ...args, "-o", "json")) as T;
}

async function configMap(name: string, namespace: string): Promise<V1ConfigMap | undefined> {
  const r = await s.kubectl(["get", "configmap", name, "-n", namespace, "-o", "json"]);
  return r.code === 0 ? (JSON.parse(r.stdout) as V1ConfigMap) : undefined;
}

type Greeting = KubeObject & { spec: { salutation: string; target: string }; status?: { observedGeneration: number; configMap: string; phase: string } };

test("a Greeting listed at the operator's start is reconciled into its ConfigMap", async () => {
  await until(async () => (await configMap("early-greeting", "default"))?.data?.message === "Hello, operators!", "early's ConfigMap");
});

test("a new Greeting gets a ConfigMap it owns as controller; its status says so", async () => {
  expect(await s.kubectl(["apply", "-f", "-"], { stdin: greeting("hello", "shop", "{target: world}") })).toMatchObject({ code: 0, stdout: "greeting.demo.example.com/hello created\n" });
  const hello = await getJson<Greeting>("greeting", "hello", "-n", "shop");
  // The schema's default filled in the salutation.
  expect(hello.spec).toEqual({ salutation: "Hello", target: "world" });
  await until(async () => (await configMap("hello-greeting", "shop")) !== undefined, "hello's ConfigMap");
  const cm = (await configMap("hello-greeting", "shop"))!;
  expect(cm.data).toEqual({ message: "Hello, world!" });
  expect(cm.metadata?.ownerReferences).toEqual([{ apiVersion: "demo.example.com/v1", kind: "Greeting", name: "hello", uid: hello.metadata!.uid!, controller: true, blockOwnerDeletion: true }]);
  expect(cm.metadata?.labels).toEqual({ "app.kubernetes.io/managed-by": "greeting-operator", greeting: "hello" });

  await until(async () => (await getJson<Greeting>("greeting", "hello", "-n", "shop")).status?.phase === "Ready", "hello's status");
  const ready = JSON.parse(await s.k("get", "greeting", "hello", "-n", "shop", "-o", "json", "--show-managed-fields")) as Greeting;
  expect(ready.status).toEqual({ observedGeneration: 1, configMap: "hello-greeting", phase: "Ready" });
  // Status writes do not move the generation; they are recorded for the operator's manager, under the status subresource.
  expect(ready.metadata!.generation).toBe(1);
  expect(ready.metadata!.managedFields).toContainEqual(
    expect.objectContaining({ manager: "greeting-operator", operation: "Update", subresource: "status", fieldsV1: { "f:status": { ".": {}, "f:configMap": {}, "f:observedGeneration": {}, "f:phase": {} } } }),
  );
  // Columns of its own replace the default Age column, as upstream's CRD printer has it.
  expect(await s.k("get", "gr", "-n", "shop")).toMatch(/^NAME\s+TARGET\s+PHASE\s+CONFIGMAP\nhello\s+world\s+Ready\s+hello-greeting\n$/);
});

test("a spec change reaches the ConfigMap, and the status follows the generation", async () => {
  expect(await s.k("patch", "greeting", "hello", "-n", "shop", "--type=merge", "-p", '{"spec":{"salutation":"Bonjour"}}')).toBe("greeting.demo.example.com/hello patched\n");
  await until(async () => (await configMap("hello-greeting", "shop"))?.data?.message === "Bonjour, world!", "the ConfigMap updated");
  await until(async () => (await getJson<Greeting>("greeting", "hello", "-n", "shop")).status?.observedGeneration === 2, "observedGeneration 2");
});

test("a ConfigMap changed or deleted by hand is put back", async () => {
  const before = (await configMap("hello-greeting", "shop"))!;
  await s.k("patch", "configmap", "hello-greeting", "-n", "shop", "--type=merge", "-p", '{"data":{"message":"tampered"}}');
  await until(async () => (await configMap("hello-greeting", "shop"))?.data?.message === "Bonjour, world!", "the ConfigMap restored");
  expect(await s.k("delete", "configmap", "hello-greeting", "-n", "shop")).toBe('configmap "hello-greeting" deleted\n');
  await until(async () => (await configMap("hello-greeting", "shop"))?.data?.message === "Bonjour, world!", "the ConfigMap recreated");
  expect((await configMap("hello-greeting", "shop"))!.metadata!.uid).not.toBe(before.metadata!.uid);
});

test("deleting the Greeting: the garbage collector removes its ConfigMap", async () => {
  expect(await s.k("delete", "greeting", "hello", "-n", "shop")).toBe('greeting.demo.example.com "hello" deleted\n');
  await until(async () => (await configMap("hello-greeting", "shop")) === undefined, "hello's ConfigMap collected");
  await until(async () => lines.some((l) => l.action === "deleted" && l.key === "shop/hello"), "the operator saw the delete");
  // The other Greeting's ConfigMap is untouched.
  expect((await configMap("early-greeting", "default"))?.data).toEqual({ message: "Hello, operators!" });
});

test("foreground deletion of a Greeting waits for its ConfigMap (blockOwnerDeletion)", async () => {
  expect(await s.k("delete", "greeting", "early", "--cascade=foreground", "--timeout=30s")).toBe('greeting.demo.example.com "early" deleted\n');
  expect(await configMap("early-greeting", "default")).toBeUndefined();
});
