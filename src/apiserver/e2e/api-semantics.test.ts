/**
 * The read semantics of the API against a real `kts server` over HTTPS, checked against
 * kube-apiserver 1.32: list pagination and continue tokens, resourceVersion on get/list/watch,
 * watch replay, initial events, timeouts, bookmarks, 410 after compaction, selector watches and
 * field selectors. Compaction is driven through the server's etcd API, so it happens exactly when
 * a test wants it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { KubeList, KubeObject } from "../api/types.ts";
import { EtcdClient } from "../../etcdapi/client.ts";
import { apiClient, type ApiClient, type WatchEvent } from "../../testing/api-client.ts";
import { startTestServer, type TestServer } from "../../testing/server.ts";
import { API_CONTROLLERS_ONLY } from "../../testing/controllers.ts";

let s: TestServer;
let api: ApiClient;
let etcd: EtcdClient;
beforeAll(async () => {
  // The one hook this suite needs: bookmarks every 300 ms instead of every minute.
  s = await startTestServer(["--etcd-listen", "127.0.0.1:0", ...API_CONTROLLERS_ONLY], { env: { KTS_WATCH_BOOKMARK_INTERVAL_MS: "300" } });
  api = apiClient(s.kubeconfig);
  const address = /etcd v3 API listening .*address=(\S+)/.exec(s.log())?.[1];
  if (!address) throw new Error(`no etcd address in the server log:\n${s.log()}`);
  etcd = new EtcdClient(address);
  for (const ns of ["paging", "rv", "watching", "selectors", "fields", "watchlist", "watchlist2"]) await api.send("POST", "/api/v1/namespaces", { metadata: { name: ns } });
});
afterAll(async () => {
  await etcd?.close();
  expect(await s.stop()).toBe(0);
});

const cm = (name: string, data: Record<string, string> = { k: "v" }, labels?: Record<string, string>): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, labels }, data });
const rvOf = (o: { metadata?: { resourceVersion?: string } }) => Number(o.metadata!.resourceVersion);
const names = (list: KubeList) => list.items.map((o) => o.metadata!.name);
/** A built-in object as a list item: typed lists carry no apiVersion/kind on items. */
const asItem = ({ apiVersion: _v, kind: _k, ...item }: KubeObject) => item;
const summary = (events: WatchEvent[]) => events.map((e) => `${e.type} ${e.object.metadata?.name}`);

/** Compacts the store at its current revision (every older revision is gone afterwards). */
async function compactNow(): Promise<number> {
  const list = await api.get<KubeList>("/api/v1/namespaces");
  const revision = rvOf(list);
  await etcd.compact({ revision, physical: true });
  return revision;
}

describe("list pagination", () => {
  test("limit and continue walk the list pinned to the first page's revision", async () => {
    for (const n of ["a", "b", "c", "d", "e"]) await api.send("POST", "/api/v1/namespaces/paging/configmaps", cm(`page-${n}`));
    const first = await api.get<KubeList>("/api/v1/namespaces/paging/configmaps?limit=2");
    expect(names(first)).toEqual(["page-a", "page-b"]);
    expect(first.metadata.remainingItemCount).toBe(3);
    expect(first.metadata.continue).toBeString();

    // Writes after the first page do not show up in later pages.
    await api.send("POST", "/api/v1/namespaces/paging/configmaps", cm("page-f"));
    await api.send("PUT", "/api/v1/namespaces/paging/configmaps/page-d", cm("page-d", { k: "changed" }));
    const second = await api.get<KubeList>(`/api/v1/namespaces/paging/configmaps?limit=2&continue=${first.metadata.continue}`);
    expect(names(second)).toEqual(["page-c", "page-d"]);
    expect(second.items[1]!.data).toEqual({ k: "v" });
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    expect(second.metadata.remainingItemCount).toBe(1);
    const third = await api.get<KubeList>(`/api/v1/namespaces/paging/configmaps?limit=2&continue=${second.metadata.continue}`);
    expect(names(third)).toEqual(["page-e"]);
    expect(third.metadata).toEqual({ resourceVersion: first.metadata.resourceVersion });
  });

  test("a selector list pages too, without remainingItemCount", async () => {
    for (const n of ["x1", "x2", "x3"]) await api.send("POST", "/api/v1/namespaces/paging/configmaps", cm(`sel-${n}`, {}, { pick: "yes" }));
    const first = await api.get<KubeList>("/api/v1/namespaces/paging/configmaps?limit=2&labelSelector=pick%3Dyes");
    expect(names(first)).toEqual(["sel-x1", "sel-x2"]);
    expect(first.metadata.remainingItemCount).toBeUndefined();
    const rest = await api.get<KubeList>(`/api/v1/namespaces/paging/configmaps?limit=2&labelSelector=pick%3Dyes&continue=${first.metadata.continue}`);
    expect(names(rest)).toEqual(["sel-x3"]);
  });

  test("continue with a resourceVersion, or a token that is not one, is 400", async () => {
    const first = await api.get<KubeList>("/api/v1/namespaces/paging/configmaps?limit=1");
    const both = await api.request(`/api/v1/namespaces/paging/configmaps?limit=1&continue=${first.metadata.continue}&resourceVersion=1`);
    expect(both.status).toBe(400);
    expect(both.json()).toMatchObject({ reason: "BadRequest", message: "specifying resource version is not allowed when using continue" });
    const junk = await api.request("/api/v1/namespaces/paging/configmaps?limit=1&continue=bm90LWEtdG9rZW4");
    expect(junk.status).toBe(400);
    expect(junk.json()).toMatchObject({ reason: "BadRequest" });
  });

  test("after compaction a continue is 410 Expired, with a token for the rest at the latest revision", async () => {
    const first = await api.get<KubeList>("/api/v1/namespaces/paging/configmaps?limit=3");
    expect(names(first)).toEqual(["page-a", "page-b", "page-c"]);
    await api.send("POST", "/api/v1/namespaces/paging/configmaps", cm("page-g"));
    await compactNow();
    const expired = await api.request(`/api/v1/namespaces/paging/configmaps?limit=3&continue=${first.metadata.continue}`);
    expect(expired.status).toBe(410);
    const status = expired.json<{ metadata: { continue?: string } }>();
    expect(status).toMatchObject({
      kind: "Status",
      apiVersion: "v1",
      status: "Failure",
      reason: "Expired",
      code: 410,
      message:
        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
    });
    const token = status.metadata.continue!;
    expect(JSON.parse(Buffer.from(token, "base64url").toString())).toMatchObject({ v: "meta.k8s.io/v1", rv: -1 });
    const rest = await api.get<KubeList>(`/api/v1/namespaces/paging/configmaps?limit=10&continue=${token}`);
    expect(names(rest)).toEqual(["page-d", "page-e", "page-f", "page-g", "sel-x1", "sel-x2", "sel-x3"]);
    expect(rest.items[0]!.data).toEqual({ k: "changed" });
  });
});

describe("resourceVersion", () => {
  let created: KubeObject;
  let updated: KubeObject;
  beforeAll(async () => {
    created = await api.send("POST", "/api/v1/namespaces/rv/configmaps", cm("versioned", { k: "one" }));
    updated = await api.send("PUT", "/api/v1/namespaces/rv/configmaps/versioned", cm("versioned", { k: "two" }));
  });

  test("get: unset, 0 and N (not older than N) all answer the latest state", async () => {
    for (const rv of ["", "0", String(rvOf(created))]) {
      const got = await api.get(`/api/v1/namespaces/rv/configmaps/versioned${rv ? `?resourceVersion=${rv}` : ""}`);
      expect(got).toEqual(updated);
    }
  });

  test("list: NotOlderThan answers the latest state; Exact answers the state at that revision", async () => {
    for (const q of ["", "?resourceVersion=0", `?resourceVersion=${rvOf(created)}`, `?resourceVersion=${rvOf(created)}&resourceVersionMatch=NotOlderThan`]) {
      const list = await api.get<KubeList>(`/api/v1/namespaces/rv/configmaps${q}`);
      expect(list.items).toEqual([asItem(updated)]);
      expect(rvOf(list)).toBeGreaterThanOrEqual(rvOf(updated));
    }
    const exact = await api.get<KubeList>(`/api/v1/namespaces/rv/configmaps?resourceVersion=${rvOf(created)}&resourceVersionMatch=Exact`);
    expect(exact.items).toEqual([asItem(created)]);
    expect(exact.metadata.resourceVersion).toBe(created.metadata!.resourceVersion);
    const single = await api.get<KubeList>(`/api/v1/namespaces/rv/configmaps?fieldSelector=metadata.name%3Dversioned&resourceVersion=${rvOf(created)}&resourceVersionMatch=Exact`);
    expect(single.items).toEqual([asItem(created)]);
  });

  test("a resourceVersion beyond the store is 504 Too large resource version", async () => {
    const current = rvOf(await api.get<KubeList>("/api/v1/namespaces/rv/configmaps"));
    const future = current + 1000;
    for (const path of [`/api/v1/namespaces/rv/configmaps/versioned?resourceVersion=${future}`, `/api/v1/namespaces/rv/configmaps?resourceVersion=${future}`]) {
      const r = await api.request(path);
      expect(r.status).toBe(504);
      expect(r.headers.get("retry-after")).toBe("1");
      const body = r.json();
      expect(body).toEqual({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: expect.stringMatching(new RegExp(`^Timeout: Too large resource version: ${future}, current: \\d+$`)),
        reason: "Timeout",
        details: { causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }], retryAfterSeconds: 1 },
        code: 504,
      });
      expect(Number(/current: (\d+)/.exec(String(body.message))![1])).toBeGreaterThanOrEqual(current);
    }
  });

  test("list options are validated as upstream's ValidateListOptions (422 ListOptions)", async () => {
    const cases: Array<[string, string]> = [
      ["resourceVersionMatch=Exact", 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided'],
      ["resourceVersion=5&resourceVersionMatch=Sometimes", 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Unsupported value: "Sometimes": supported values: "Exact", "NotOlderThan", ""'],
      ["resourceVersion=0&resourceVersionMatch=Exact", 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"'],
    ];
    for (const [query, message] of cases) {
      const r = await api.request(`/api/v1/namespaces/rv/configmaps?${query}`);
      expect({ query, status: r.status, body: r.json() }).toMatchObject({ query, status: 422, body: { reason: "Invalid", message, details: { group: "meta.k8s.io", kind: "ListOptions" } } });
    }
  });

  test("an exact list at a compacted revision is 410 Expired", async () => {
    const old = rvOf(created);
    await compactNow();
    const r = await api.request(`/api/v1/namespaces/rv/configmaps?resourceVersion=${old}&resourceVersionMatch=Exact`);
    expect(r.status).toBe(410);
    expect(r.json()).toMatchObject({ reason: "Expired", code: 410, message: "The resourceVersion for the provided list is too old." });
    // NotOlderThan is still fine: the latest state is not older.
    expect((await api.get<KubeList>(`/api/v1/namespaces/rv/configmaps?resourceVersion=${old}`)).items).toEqual([asItem(updated)]);
  });
});

describe("watch", () => {
  test("from a resourceVersion replays exactly the changes after it", async () => {
    const a = await api.send("POST", "/api/v1/namespaces/watching/configmaps", cm("replay-a"));
    const a2 = await api.send("PUT", "/api/v1/namespaces/watching/configmaps/replay-a", cm("replay-a", { k: "v2" }));
    const b = await api.send("POST", "/api/v1/namespaces/watching/configmaps", cm("replay-b"));
    await api.send("DELETE", "/api/v1/namespaces/watching/configmaps/replay-a");
    const w = await api.watch(`/api/v1/namespaces/watching/configmaps?watch=true&resourceVersion=${rvOf(a)}&timeoutSeconds=1`);
    expect(w.status).toBe(200);
    expect(w.headers.get("content-type")).toBe("application/json");
    const events = await w.rest(5000);
    expect(summary(events)).toEqual(["MODIFIED replay-a", "ADDED replay-b", "DELETED replay-a"]);
    expect(events[0]!.object).toEqual(a2);
    expect(events[1]!.object).toEqual(b);
    // A deletion carries the last state, at the deleting revision.
    expect(events[2]!.object.data).toEqual({ k: "v2" });
    expect(rvOf(events[2]!.object)).toBeGreaterThan(rvOf(b));
  });

  test('with resourceVersion "" or "0" the current objects come first as ADDED, then changes', async () => {
    await api.send("POST", "/api/v1/namespaces/watching/configmaps", cm("initial-1"));
    for (const rv of ["", "0"]) {
      const w = await api.watch(`/api/v1/namespaces/watching/configmaps?watch=1${rv ? `&resourceVersion=${rv}` : ""}`);
      const initial = [await w.next(), await w.next()];
      expect(summary(initial as WatchEvent[])).toEqual(["ADDED initial-1", "ADDED replay-b"]);
      await api.send("PUT", "/api/v1/namespaces/watching/configmaps/initial-1", cm("initial-1", { k: `after-${rv || "unset"}` }));
      const change = await w.next();
      expect(change).toMatchObject({ type: "MODIFIED", object: { metadata: { name: "initial-1" }, data: { k: `after-${rv || "unset"}` } } });
      w.close();
    }
  });

  test("timeoutSeconds ends the stream", async () => {
    const started = Date.now();
    const w = await api.watch(`/api/v1/namespaces/watching/configmaps?watch=1&resourceVersion=${rvOf(await api.get<KubeList>("/api/v1/namespaces/watching/configmaps"))}&timeoutSeconds=1`);
    expect(await w.rest(4000)).toEqual([]);
    expect(w.ended()).toBe(true);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(3000);
  });

  test("allowWatchBookmarks yields BOOKMARK events with the current resourceVersion; without it, none", async () => {
    const list = await api.get<KubeList>("/api/v1/namespaces/watching/configmaps");
    const w = await api.watch(`/api/v1/namespaces/watching/configmaps?watch=1&allowWatchBookmarks=true&resourceVersion=${list.metadata.resourceVersion}`);
    const bookmark = await w.next(3000);
    w.close();
    expect(bookmark).toEqual({ type: "BOOKMARK", object: { kind: "ConfigMap", apiVersion: "v1", metadata: { resourceVersion: expect.stringMatching(/^\d+$/) } } });
    expect(rvOf(bookmark!.object)).toBeGreaterThanOrEqual(rvOf(list));
    const plain = await api.watch(`/api/v1/namespaces/watching/configmaps?watch=1&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=2`);
    expect(await plain.rest(4000)).toEqual([]);
  });

  test("from a future resourceVersion, the watch waits for it", async () => {
    const now = rvOf(await api.get<KubeList>("/api/v1/namespaces/watching/configmaps"));
    const w = await api.watch(`/api/v1/namespaces/watching/configmaps?watch=1&resourceVersion=${now + 2}&timeoutSeconds=3`);
    expect(w.status).toBe(200);
    for (const n of ["future-1", "future-2", "future-3"]) await api.send("POST", "/api/v1/namespaces/watching/configmaps", cm(n));
    const events = await w.rest(5000);
    expect(events.every((e) => e.type === "ADDED" && rvOf(e.object) > now + 2)).toBe(true);
    expect(summary(events)).not.toContain("ADDED future-1");
    expect(summary(events)).toContain("ADDED future-3");
  });

  test('from a compacted resourceVersion: one ERROR event, 410 Expired "too old resource version: X (Y)"', async () => {
    const old = rvOf(await api.send("POST", "/api/v1/namespaces/watching/configmaps", cm("before-compaction")));
    await api.send("PUT", "/api/v1/namespaces/watching/configmaps/before-compaction", cm("before-compaction", { k: "2" }));
    await api.send("PUT", "/api/v1/namespaces/watching/configmaps/before-compaction", cm("before-compaction", { k: "3" }));
    const compacted = await compactNow();
    const w = await api.watch(`/api/v1/namespaces/watching/configmaps?watch=1&resourceVersion=${old}`);
    expect(w.status).toBe(200);
    const events = await w.rest(5000);
    expect(events).toEqual([
      {
        type: "ERROR",
        object: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: `too old resource version: ${old} (${compacted})`, reason: "Expired", code: 410 },
      },
    ]);
    expect(w.ended()).toBe(true);
  });

  test("a label selector watch: leaving the selector is DELETED (the last matching state), entering is ADDED", async () => {
    const start = rvOf(await api.get<KubeList>("/api/v1/namespaces/selectors/configmaps"));
    const w = await api.watch(`/api/v1/namespaces/selectors/configmaps?watch=1&labelSelector=tier%3Dfront&resourceVersion=${start}`);
    const put = (labels: Record<string, string>, k: string) => api.send("PUT", "/api/v1/namespaces/selectors/configmaps/mover", cm("mover", { k }, labels));
    await api.send("POST", "/api/v1/namespaces/selectors/configmaps", cm("mover", { k: "0" }, { tier: "front" }));
    await put({ tier: "front" }, "1");
    const left = await put({ tier: "back" }, "2");
    await put({ tier: "back" }, "3");
    await put({ tier: "front" }, "4");
    await api.send("POST", "/api/v1/namespaces/selectors/configmaps", cm("never", {}, { tier: "back" }));
    await api.send("DELETE", "/api/v1/namespaces/selectors/configmaps/mover");
    const events = [];
    for (let i = 0; i < 5; i++) events.push((await w.next())!);
    expect(await w.next(500)).toBeUndefined();
    w.close();
    expect(events.map((e) => `${e.type} ${(e.object.data as { k?: string } | undefined)?.k}`)).toEqual(["ADDED 0", "MODIFIED 1", "DELETED 1", "ADDED 4", "DELETED 4"]);
    expect(events[2]!.object.metadata!.labels).toEqual({ tier: "front" });
    expect(events[2]!.object.metadata!.resourceVersion).toBe(left.metadata!.resourceVersion);
  });

  test("sendInitialEvents=true (WatchList): the current objects as ADDED, a BOOKMARK annotated k8s.io/initial-events-end at the list's version, then changes", async () => {
    await api.send("POST", "/api/v1/namespaces/watchlist/configmaps", cm("first"));
    await api.send("POST", "/api/v1/namespaces/watchlist/configmaps", cm("second"));
    const listed = rvOf(await api.get<KubeList>("/api/v1/namespaces/watchlist/configmaps"));
    const w = await api.watch("/api/v1/namespaces/watchlist/configmaps?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true");
    const events: WatchEvent[] = [];
    for (let ev = await w.next(); ev; ev = ev.type === "BOOKMARK" ? undefined : await w.next()) events.push(ev);
    await api.send("POST", "/api/v1/namespaces/watchlist/configmaps", cm("third"));
    const after = await w.next();
    w.close();
    expect(summary(events)).toEqual(["ADDED first", "ADDED second", "BOOKMARK undefined"]);
    expect(events.at(-1)!.object.metadata).toEqual({ resourceVersion: String(listed), annotations: { "k8s.io/initial-events-end": "true" } });
    expect(summary([after!])).toEqual(["ADDED third"]);
  });

  test("sendInitialEvents=false starts at the latest version with no initial objects", async () => {
    await api.send("POST", "/api/v1/namespaces/watchlist2/configmaps", cm("old"));
    const w = await api.watch("/api/v1/namespaces/watchlist2/configmaps?watch=1&sendInitialEvents=false&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true");
    await api.send("POST", "/api/v1/namespaces/watchlist2/configmaps", cm("new"));
    expect(summary([(await w.next())!])).toEqual(["ADDED new"]);
    w.close();
  });

  test("WatchList options are validated as upstream's ValidateListOptions does", async () => {
    const invalid = async (path: string) => {
      const res = await api.request(path);
      expect(res.status).toBe(422);
      return res.json<{ details: { causes: Array<{ field: string; message: string }> } }>().details.causes.map((c) => `${c.field}: ${c.message}`);
    };
    expect(await invalid("/api/v1/namespaces/watchlist/configmaps?sendInitialEvents=true")).toEqual(["sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list"]);
    expect(await invalid("/api/v1/namespaces/watchlist/configmaps?watch=1&sendInitialEvents=true")).toEqual(["resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"]);
    expect(await invalid("/api/v1/namespaces/watchlist/configmaps?watch=1&resourceVersionMatch=NotOlderThan&resourceVersion=1")).toEqual(["resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"]);
  });

  test("fieldSelector metadata.name narrows a watch to one object", async () => {
    const start = rvOf(await api.get<KubeList>("/api/v1/namespaces/selectors/configmaps"));
    const w = await api.watch(`/api/v1/namespaces/selectors/configmaps?watch=1&fieldSelector=metadata.name%3Donly-me&resourceVersion=${start}&timeoutSeconds=1`);
    await api.send("POST", "/api/v1/namespaces/selectors/configmaps", cm("not-me"));
    await api.send("POST", "/api/v1/namespaces/selectors/configmaps", cm("only-me"));
    expect(summary(await w.rest(4000))).toEqual(["ADDED only-me"]);
  });
});

describe("field selectors", () => {
  beforeAll(async () => {
    const pod = (name: string, nodeName?: string) => ({ apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { nodeName, containers: [{ name: "c", image: "busybox" }] } });
    await api.send("POST", "/api/v1/namespaces/fields/pods", pod("on-node", "node-a"));
    await api.send("POST", "/api/v1/namespaces/fields/pods", pod("unscheduled"));
    for (const [name, type] of [["plain", "Opaque"], ["tls", "kubernetes.io/tls"]] as const) {
      const data = type === "kubernetes.io/tls" ? { "tls.crt": "", "tls.key": "" } : {};
      await api.send("POST", "/api/v1/namespaces/fields/secrets", { apiVersion: "v1", kind: "Secret", metadata: { name }, type, data });
    }
    for (const target of ["p1", "p2"]) {
      await api.send("POST", "/api/v1/namespaces/fields/events", { apiVersion: "v1", kind: "Event", metadata: { name: `ev-${target}` }, involvedObject: { kind: "Pod", name: target, namespace: "fields" }, reason: "Tested", message: "m", type: "Normal" });
    }
  });

  const listed = async (path: string) => names(await api.get<KubeList>(path));

  test("pods: spec.nodeName and status.phase", async () => {
    expect(await listed("/api/v1/namespaces/fields/pods?fieldSelector=spec.nodeName%3Dnode-a")).toEqual(["on-node"]);
    expect(await listed("/api/v1/namespaces/fields/pods?fieldSelector=spec.nodeName%3D")).toEqual(["unscheduled"]);
    expect(await listed("/api/v1/namespaces/fields/pods?fieldSelector=spec.nodeName!%3Dnode-a")).toEqual(["unscheduled"]);
    expect(await listed("/api/v1/namespaces/fields/pods?fieldSelector=status.phase%3DPending")).toEqual(["on-node", "unscheduled"]);
    expect(await listed("/api/v1/namespaces/fields/pods?fieldSelector=status.phase%3DRunning")).toEqual([]);
    expect(await listed("/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-a,metadata.namespace%3Dfields")).toEqual(["on-node"]);
  });

  test("events: involvedObject.name; secrets: type; any type: metadata.name", async () => {
    expect(await listed("/api/v1/namespaces/fields/events?fieldSelector=involvedObject.name%3Dp2")).toEqual(["ev-p2"]);
    expect(await listed("/api/v1/namespaces/fields/secrets?fieldSelector=type%3Dkubernetes.io%2Ftls")).toEqual(["tls"]);
    expect(await listed("/api/v1/namespaces/fields/secrets?fieldSelector=metadata.name%3Dplain")).toEqual(["plain"]);
  });

  test("an unsupported field is 400 field label not supported", async () => {
    for (const [path, label] of [
      ["/api/v1/namespaces/fields/configmaps?fieldSelector=data.k%3Dv", "data.k"],
      ["/api/v1/namespaces/fields/pods?fieldSelector=spec.containers%3Dx", "spec.containers"],
      ["/api/v1/namespaces/fields/secrets?watch=1&fieldSelector=kind%3DSecret", "kind"],
    ]) {
      const r = await api.request(path!);
      expect({ path, status: r.status, body: r.json() }).toMatchObject({ path, status: 400, body: { kind: "Status", reason: "BadRequest", code: 400, message: `field label not supported: ${label}` } });
    }
  });
});
