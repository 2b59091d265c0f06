/**
 * The HTTPS Client against a real `kts server`: the same contract the in-process client keeps,
 * with client-certificate and bearer credentials, errors as ApiError, and streamed watches.
 */
import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { ApiError } from "../../apiserver/api/errors.ts";
import { readKubeconfig } from "../../pki/index.ts";
import { startTestServer, type TestServer } from "../../testing/server.ts";
import { Informer } from "../index.ts";
import { HttpClient } from "./index.ts";

// Real processes on a machine that may be busy: generous deadlines (nothing here waits on purpose).
setDefaultTimeout(60_000);

const CONFIGMAPS = { group: "", version: "v1", resource: "configmaps" };
const NODES = { group: "", version: "v1", resource: "nodes" };
const TOKEN = "http-client-test-token";

let s: TestServer;
let client: HttpClient;

beforeAll(async () => {
  s = await startTestServer(["--token", TOKEN]);
  const kc = readKubeconfig(s.kubeconfig);
  client = new HttpClient({ server: kc.server, caPem: kc.caPem, certPem: kc.clientCertPem, keyPem: kc.clientKeyPem });
});
afterAll(async () => {
  await s?.stop();
});

async function apiError(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error("expected an ApiError");
}

const cm = (name: string, data: Record<string, string> = {}, labels: Record<string, string> = {}) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, labels }, data });

describe("requests", () => {
  test("create, get, update, patch (merge, strategic, JSON), list with selectors and paging, delete", async () => {
    const created = await client.create(CONFIGMAPS, "default", cm("one", { a: "1" }, { app: "x" }));
    expect(created.metadata?.uid).toBeString();
    await client.create(CONFIGMAPS, "default", cm("two", {}, { app: "x" }));
    await client.create(CONFIGMAPS, "default", cm("three", {}, { app: "y" }));
    const got = await client.get(CONFIGMAPS, "default", "one");
    expect(got.data).toEqual({ a: "1" });
    const updated = await client.update(CONFIGMAPS, "default", { ...got, data: { a: "2" } });
    expect(updated.data).toEqual({ a: "2" });
    expect((await client.patch(CONFIGMAPS, "default", "one", "application/merge-patch+json", { data: { b: "3" } })).data).toEqual({ a: "2", b: "3" });
    expect((await client.patch(CONFIGMAPS, "default", "one", "application/strategic-merge-patch+json", { data: { c: "4" } })).data).toEqual({ a: "2", b: "3", c: "4" });
    expect((await client.patch(CONFIGMAPS, "default", "one", "application/json-patch+json", [{ op: "remove", path: "/data/a" }])).data).toEqual({ b: "3", c: "4" });
    const xs = await client.list(CONFIGMAPS, "default", { labelSelector: "app=x" });
    expect(xs.items.map((i) => i.metadata?.name).sort()).toEqual(["one", "two"]);
    const page = await client.list(CONFIGMAPS, "default", { labelSelector: "app", limit: 2 });
    expect(page.items.length).toBe(2);
    const rest = await client.list(CONFIGMAPS, "default", { labelSelector: "app", limit: 2, continue: page.metadata.continue });
    expect(rest.items.length).toBe(1);
    // Types deleted at once answer a Status (upstream's default); pods and the like answer the object.
    const deleted = await client.delete(CONFIGMAPS, "default", "three");
    expect(deleted).toMatchObject({ kind: "Status", status: "Success", details: { name: "three", kind: "configmaps" } });
  });

  test("errors are ApiErrors with the Status's code, reason, message and details", async () => {
    const missing = await apiError(client.get(CONFIGMAPS, "default", "nope"));
    expect([missing.code, missing.reason, missing.message]).toEqual([404, "NotFound", 'configmaps "nope" not found']);
    expect(missing.details).toMatchObject({ name: "nope", kind: "configmaps" });
    const twice = await apiError(client.create(CONFIGMAPS, "default", cm("one")));
    expect([twice.code, twice.reason]).toEqual([409, "AlreadyExists"]);
    const invalid = await apiError(client.create(CONFIGMAPS, "default", cm("Bad_Name")));
    expect([invalid.code, invalid.reason]).toEqual([422, "Invalid"]);
    expect(invalid.details?.causes?.[0]?.field).toBe("metadata.name");
    const stale = await apiError(client.update(CONFIGMAPS, "default", { ...cm("one"), metadata: { name: "one", resourceVersion: "1" } }));
    expect(stale.code).toBe(409);
  });

  test("subresources: node status through /status", async () => {
    await client.create(NODES, "", { apiVersion: "v1", kind: "Node", metadata: { name: "http-node" } });
    const node = await client.get(NODES, "", "http-node");
    const next = await client.update(NODES, "", { ...node, status: { ...(node.status as object), capacity: { pods: "7" } } }, { subresource: "status" });
    expect((next.status as { capacity?: Record<string, string> }).capacity?.pods).toBe("7");
    await client.delete(NODES, "", "http-node");
  });

  test("bearer tokens authenticate; a wrong one is a 401", async () => {
    const kc = readKubeconfig(s.kubeconfig);
    const admin = new HttpClient({ server: kc.server, caPem: kc.caPem, bearerToken: TOKEN });
    expect((await admin.get(CONFIGMAPS, "default", "one")).metadata?.name).toBe("one");
    const wrong = new HttpClient({ server: kc.server, caPem: kc.caPem, bearerToken: "wrong" });
    const err = await apiError(wrong.get(CONFIGMAPS, "default", "one"));
    expect([err.code, err.reason]).toEqual([401, "Unauthorized"]);
    // Even public paths refuse a credential that is presented but wrong.
    expect((await apiError(wrong.version())).code).toBe(401);
    expect((await new HttpClient({ server: kc.server, caPem: kc.caPem }).version()).gitVersion).toMatch(/^v1\.\d+/);
  });

  test("resources() reads aggregated discovery", async () => {
    const served = await client.resources();
    expect(served.find((r) => r.resource === "pods")).toMatchObject({ group: "", version: "v1", kind: "Pod", namespaced: true });
    expect(served.find((r) => r.resource === "certificatesigningrequests")).toMatchObject({ group: "certificates.k8s.io", namespaced: false });
    expect(served.find((r) => r.resource === "nodes")?.verbs).toContain("watch");
  });
});

describe("watch", () => {
  test("streams events from a resourceVersion until aborted", async () => {
    const list = await client.list(CONFIGMAPS, "default");
    const abort = new AbortController();
    const seen: string[] = [];
    const done = (async () => {
      for await (const ev of client.watch(CONFIGMAPS, "default", { resourceVersion: list.metadata.resourceVersion, labelSelector: "w=1" }, abort.signal)) {
        seen.push(`${ev.type} ${ev.object.metadata?.name}`);
        if (seen.length === 3) abort.abort();
      }
    })();
    await client.create(CONFIGMAPS, "default", cm("w1", {}, { w: "1" }));
    await client.create(CONFIGMAPS, "default", cm("ignored", {}, { w: "2" }));
    await client.patch(CONFIGMAPS, "default", "w1", "application/merge-patch+json", { data: { x: "y" } });
    await client.delete(CONFIGMAPS, "default", "w1");
    await done;
    expect(seen).toEqual(["ADDED w1", "MODIFIED w1", "DELETED w1"]);
  });

  test("an informer runs over it", async () => {
    const informer = new Informer(client, CONFIGMAPS, { namespace: "default", labelSelector: "inf=1" });
    const events: string[] = [];
    informer.on({ add: (o) => events.push(`add ${o.metadata?.name}`), delete: (o) => events.push(`delete ${o.metadata?.name}`) });
    await client.create(CONFIGMAPS, "default", cm("before", {}, { inf: "1" }));
    await informer.start();
    await client.create(CONFIGMAPS, "default", cm("after", {}, { inf: "1" }));
    await client.delete(CONFIGMAPS, "default", "before");
    const deadline = Date.now() + 10_000;
    while (events.length < 3 && Date.now() < deadline) await Bun.sleep(20);
    informer.stop();
    expect(events).toEqual(["add before", "add after", "delete before"]);
    expect(informer.list().map((o) => o.metadata?.name)).toEqual(["after"]);
  });
});
