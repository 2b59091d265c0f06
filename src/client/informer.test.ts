import { afterEach, expect, test } from "bun:test";
import { join } from "node:path";
import type { KubeObject } from "../apiserver/api/types.ts";
import { LocalClient } from "../apiserver/local-client.ts";
import { Registry } from "../apiserver/registry/registry.ts";
import { builtinDefinitions } from "../apiserver/resources/index.ts";
import { SqliteBackend } from "../store/index.ts";
import { tempDir } from "../store/sqlite/testing.ts";
import { Informer } from "./informer.ts";
import type { Client } from "./types.ts";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function setup() {
  const t = tempDir();
  const backend = SqliteBackend.open({ path: join(t.dir, "state.db") });
  const registry = new Registry(backend);
  for (const d of builtinDefinitions()) registry.add(d);
  cleanups.push(async () => {
    await backend.close();
    t.cleanup();
  });
  return { backend, client: new LocalClient(registry) };
}

const CM = { group: "", version: "v1", resource: "configmaps" };
const cm = (name: string, data: Record<string, string> = {}): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data });

async function until(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!cond() && Date.now() < deadline) await Bun.sleep(10);
  expect(cond()).toBe(true);
}

test("lists what exists, then follows creates, updates and deletes", async () => {
  const { client } = setup();
  await client.create(CM, "default", cm("before"));
  const events: string[] = [];
  const inf = new Informer(client, CM, { namespace: "default" }).on({
    add: (o) => events.push(`add ${o.metadata?.name}`),
    update: (_, o) => events.push(`update ${o.metadata?.name}`),
    delete: (o) => events.push(`delete ${o.metadata?.name}`),
  });
  cleanups.push(() => inf.stop());
  await inf.start();
  expect(events).toEqual(["add before"]);
  await client.create(CM, "default", cm("after"));
  await client.patch(CM, "default", "after", "application/merge-patch+json", { data: { a: "1" } });
  await client.delete(CM, "default", "before");
  await until(() => events.length === 4);
  expect(events).toEqual(["add before", "add after", "update after", "delete before"]);
  expect(inf.list().map((o) => o.metadata?.name)).toEqual(["after"]);
  expect(inf.get("default/after")?.data).toEqual({ a: "1" });
});

/**
 * A scripted client: each list returns the next snapshot; each watch yields the next batch of
 * events. Only list and watch are used by an informer (the real client is tested above).
 */
function scriptedClient(lists: KubeObject[][], watches: Array<Array<{ type: "ADDED" | "ERROR"; object: KubeObject }>>): Client {
  let l = 0;
  let w = 0;
  const unused = () => Promise.reject(new Error("not scripted"));
  return {
    list: async () => ({ apiVersion: "v1", kind: "ConfigMapList", metadata: { resourceVersion: String(10 + l) }, items: lists[Math.min(l++, lists.length - 1)]! }),
    async *watch(_ref, _ns, _opts, signal) {
      const batch = watches[w++];
      if (!batch) {
        await new Promise((r) => signal.addEventListener("abort", r, { once: true }));
        return;
      }
      for (const ev of batch) yield ev;
    },
    get: unused,
    create: unused,
    update: unused,
    patch: unused,
    delete: unused,
    resources: async () => [],
  };
}

test("a 410 in the watch makes it list again and report what vanished meanwhile", async () => {
  const expired = { type: "ERROR" as const, object: { kind: "Status", apiVersion: "v1", code: 410, reason: "Expired" } as KubeObject };
  const client = scriptedClient([[cm("keep"), cm("gone")], [cm("keep"), cm("new")]], [[expired]]);
  const seen: string[] = [];
  const inf = new Informer(client, CM).on({ add: (o) => seen.push(`add ${o.metadata?.name}`), delete: (o) => seen.push(`delete ${o.metadata?.name}`) });
  cleanups.push(() => inf.stop());
  await inf.start();
  await until(() => seen.length === 4);
  expect(seen).toEqual(["add keep", "add gone", "add new", "delete gone"]);
  expect(inf.list().map((o) => o.metadata?.name).sort()).toEqual(["keep", "new"]);
});

test("a transform shapes what is cached and handed to handlers", async () => {
  const { client } = setup();
  await client.create(CM, "default", cm("listed", { big: "x".repeat(100) }));
  const seen: KubeObject[] = [];
  const inf = new Informer(client, CM, { namespace: "default", transform: (o) => ({ metadata: o.metadata }) }).on({ add: (o) => seen.push(o) });
  cleanups.push(() => inf.stop());
  await inf.start();
  await client.create(CM, "default", cm("watched", { big: "y" }));
  await until(() => seen.length === 2);
  expect(seen.map((o) => Object.keys(o))).toEqual([["metadata"], ["metadata"]]);
  expect(inf.get("default/watched")).toEqual({ metadata: expect.objectContaining({ name: "watched" }) });
});

test("indexes by namespace and owner UID follow adds, updates and deletes", async () => {
  const { client } = setup();
  const inf = new Informer(client, CM);
  inf.addIndex("byData", (o) => Object.keys((o.data as Record<string, string>) ?? {}));
  cleanups.push(() => inf.stop());
  const owned = (name: string, uid: string): KubeObject => ({ ...cm(name), metadata: { name, ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "o", uid }] } });
  await client.create(CM, "a", owned("one", "u1"));
  await client.create(CM, "b", owned("two", "u1"));
  await inf.start();
  const names = (objs: KubeObject[]) => objs.map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`).sort();
  expect(names(inf.byIndex("ownerUid", "u1"))).toEqual(["a/one", "b/two"]);
  expect(names(inf.listIn("a"))).toEqual(["a/one"]);
  await client.patch(CM, "b", "two", "application/merge-patch+json", { metadata: { ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "o", uid: "u2" }] }, data: { k: "v" } });
  await until(() => inf.byIndex("ownerUid", "u2").length === 1);
  expect(names(inf.byIndex("ownerUid", "u1"))).toEqual(["a/one"]);
  expect(names(inf.byIndex("byData", "k"))).toEqual(["b/two"]);
  await client.delete(CM, "a", "one");
  await until(() => inf.byIndex("ownerUid", "u1").length === 0);
  expect(inf.listIn("a")).toEqual([]);
  expect(() => inf.byIndex("nope", "x")).toThrow('has no index "nope"');
});

test("handlers added after the cache is filled get an add for each cached object; off() removes them", async () => {
  const { client } = setup();
  await client.create(CM, "default", cm("early"));
  const inf = new Informer(client, CM);
  cleanups.push(() => inf.stop());
  await inf.start();
  const seen: string[] = [];
  const h = { add: (o: KubeObject) => seen.push(`add ${o.metadata?.name}`) };
  inf.on(h);
  expect(seen).toEqual(["add early"]);
  inf.off(h);
  await client.create(CM, "default", cm("late"));
  await until(() => inf.list().length === 2);
  expect(seen).toEqual(["add early"]);
});
