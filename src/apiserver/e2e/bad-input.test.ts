/**
 * Bad input gets a clear Status with the right code, and the server keeps serving.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../../testing/server.ts";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  expect(await s.stop()).toBe(0);
});

async function rawPost(path: string, body: string | Uint8Array, contentType = "application/json"): Promise<{ code: number; status: Record<string, unknown> }> {
  const { readKubeconfig } = await import("../../pki/index.ts");
  const kc = readKubeconfig(s.kubeconfig);
  const res = await fetch(`${kc.server}${path}`, {
    method: "POST",
    body,
    headers: { "Content-Type": contentType },
    tls: { ca: kc.caPem, cert: kc.clientCertPem, key: kc.clientKeyPem },
  } as RequestInit);
  return { code: res.status, status: (await res.json()) as Record<string, unknown> };
}

test("bad YAML is refused by kubectl before it reaches the server, and the server keeps serving", async () => {
  const r = await s.kubectl(["apply", "-f", "-"], { stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n" });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain("error");
  expect((await s.kubectl(["get", "ns"])).code).toBe(0);
});

test("malformed JSON is 400 BadRequest", async () => {
  const r = await rawPost("/api/v1/namespaces/default/configmaps", "{not json");
  expect(r.code).toBe(400);
  expect(r.status).toMatchObject({ kind: "Status", status: "Failure", reason: "BadRequest", code: 400 });
});

test("an unknown kind is refused by kubectl with upstream's message", async () => {
  const r = await s.kubectl(["apply", "-f", "-"], { stdin: "apiVersion: v1\nkind: Gizmo\nmetadata: {name: x}\n" });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('no matches for kind "Gizmo" in version "v1"');
});

test("an invalid name is 422 Invalid with the field cause", async () => {
  const r = await s.kubectl(["create", "configmap", "Bad_Name", "--from-literal=a=b"]);
  expect(r.code).toBe(1);
  // kubectl's generators wrap the server's message: "failed to create configmap: <Status message>".
  expect(r.stderr).toContain('error: failed to create configmap: ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of');
  const fromFile = await s.kubectl(["create", "-f", "-"], { stdin: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "Bad_Name" } }) });
  expect(fromFile.stderr).toContain('The ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"');
});

test("a missing required field is 422 with its path", async () => {
  const r = await s.kubectl(["create", "-f", "-"], { stdin: JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "c" }] } }) });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('The Pod "p" is invalid: spec.containers[0].image: Required value');
});

test("wrong types are refused with 4xx, never a crash", async () => {
  const r = await rawPost("/api/v1/namespaces/default/configmaps", JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "typed" }, data: { a: 5 } }));
  expect(r.code).toBeGreaterThanOrEqual(400);
  expect(r.code).toBeLessThan(500);
  const d = await rawPost("/apis/apps/v1/namespaces/default/deployments", JSON.stringify({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "typed" }, spec: { replicas: "many" } }));
  expect(d.code).toBeGreaterThanOrEqual(400);
  expect(d.code).toBeLessThan(500);
});

test("a 4 MiB body is 413 RequestEntityTooLarge", async () => {
  const big = JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "big" }, data: { blob: "x".repeat(4 * 1024 * 1024) } });
  const r = await rawPost("/api/v1/namespaces/default/configmaps", big);
  expect(r.code).toBe(413);
  expect(r.status.reason).toBe("RequestEntityTooLarge");
});

test("deeply nested JSON is 400, not a crash", async () => {
  const deep = "{".repeat(1) + '"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":' + "[".repeat(100_000) + "]".repeat(100_000) + "}";
  const r = await rawPost("/api/v1/namespaces/default/configmaps", deep);
  expect(r.code).toBe(400);
  expect((await s.kubectl(["get", "ns", "default"])).code).toBe(0);
});

test("anonymous requests get 401 except health and version", async () => {
  const { readKubeconfig } = await import("../../pki/index.ts");
  const kc = readKubeconfig(s.kubeconfig);
  const get = (path: string) => fetch(`${kc.server}${path}`, { tls: { ca: kc.caPem } } as RequestInit);
  for (const path of ["/healthz", "/livez", "/readyz", "/version"]) expect((await get(path)).status).toBe(200);
  const denied = await get("/api/v1/namespaces");
  expect(denied.status).toBe(401);
  expect(await denied.json()).toMatchObject({ kind: "Status", reason: "Unauthorized", code: 401 });
});
