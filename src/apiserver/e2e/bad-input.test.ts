/**
 * Bad input gets a clear Status with the right code, and the server keeps serving.
 */
import { expect, test } from "bun:test";
import { serverForFile } from "./fixtures.ts";

const { s } = serverForFile();

async function raw(method: string, path: string, body: string | Uint8Array, contentType: string): Promise<{ code: number; status: Record<string, unknown> }> {
  const { readKubeconfig } = await import("../../pki/index.ts");
  const kc = readKubeconfig(s.kubeconfig);
  const res = await fetch(`${kc.server}${path}`, {
    method,
    body,
    headers: { "Content-Type": contentType },
    tls: { ca: kc.caPem, cert: kc.clientCertPem, key: kc.clientKeyPem },
  } as RequestInit);
  return { code: res.status, status: (await res.json()) as Record<string, unknown> };
}

function rawPost(path: string, body: string | Uint8Array, contentType = "application/json"): Promise<{ code: number; status: Record<string, unknown> }> {
  return raw("POST", path, body, contentType);
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
  expect(r.code).toBe(400);
  expect(r.status).toMatchObject({
    reason: "BadRequest",
    message: 'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string',
  });
  const d = await rawPost("/apis/apps/v1/namespaces/default/deployments", JSON.stringify({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "typed" }, spec: { replicas: "many" } }));
  expect(d.code).toBe(400);
  expect(d.status.message).toBe('Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
  // Whatever fieldValidation says, and before unknown fields are looked at.
  const ignored = await rawPost("/api/v1/namespaces/default/configmaps?fieldValidation=Ignore", '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"typed"},"bogus":1,"data":{"a":"x"},"binaryData":{"b":"!!"}}');
  expect(ignored.code).toBe(400);
  expect(ignored.status.message).toBe('ConfigMap in version "v1" cannot be handled as a ConfigMap: illegal base64 data at input byte 0');
  // The literal decides for int fields: 1.0 is not an int32 to Go.
  const literal = await rawPost("/apis/apps/v1/namespaces/default/deployments", '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"typed"},"spec":{"replicas":1.0}}');
  expect(literal.status.message).toBe('Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number 1.0 into Go struct field DeploymentSpec.spec.replicas of type int32');
  const yaml = await rawPost("/api/v1/namespaces/default/pods", "apiVersion: v1\nkind: Pod\nmetadata: {name: typed}\nspec:\n  containers:\n  - name: c\n    image: i\n    resources: {limits: {cpu: 1x}}\n", "application/yaml");
  expect(yaml.code).toBe(400);
  expect(yaml.status.message).toBe(`Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
  const kind = await rawPost("/api/v1/namespaces/default/configmaps", '{"apiVersion":"v1","kind":5,"metadata":{"name":"typed"}}');
  expect(kind.code).toBe(400);
  expect(kind.status.message).toBe(
    'the object provided is unrecognized (must be of type ConfigMap): couldn\'t get version/kind; json parse error: json: cannot unmarshal number into Go struct field .kind of type string ({"apiVersion":"v1","kind":5,"m ...)',
  );
  expect((await s.kubectl(["get", "configmap", "typed"])).code).toBe(1);
});

test("a patch that leaves the object ill-typed is 422 on the field \"patch\"", async () => {
  expect((await s.kubectl(["create", "configmap", "typed-patch", "--from-literal=a=b"])).code).toBe(0);
  const path = "/api/v1/namespaces/default/configmaps/typed-patch";
  const merge = await raw("PATCH", path, '{"data":{"a":5}}', "application/merge-patch+json");
  expect(merge.code).toBe(422);
  expect(merge.status.reason).toBe("Invalid");
  expect(merge.status.message).toStartWith(' "" is invalid: patch: Invalid value: "{');
  expect(merge.status.message).toEndWith('": json: cannot unmarshal number into Go struct field ConfigMap.data of type string');
  expect(merge.status.details).toMatchObject({ causes: [{ reason: "FieldValueInvalid", field: "patch" }] });
  // A strategic merge patch is converted from a map, so the converter words it, and shows the patch.
  const strategic = await raw("PATCH", path, '{"data":{"a":5}}', "application/strategic-merge-patch+json");
  expect(strategic.code).toBe(422);
  expect(strategic.status.message).toBe(' "" is invalid: patch: Invalid value: "map[data:map[a:5]]": cannot convert int64 to string');
  const json = await raw("PATCH", path, '[{"op":"replace","path":"/data/a","value":true}]', "application/json-patch+json");
  expect(json.code).toBe(422);
  expect(json.status.message).toEndWith('": json: cannot unmarshal bool into Go struct field ConfigMap.data of type string');
  const after = await s.kubectl(["get", "configmap", "typed-patch", "-o", "jsonpath={.data.a}"]);
  expect(after.stdout).toBe("b");
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
