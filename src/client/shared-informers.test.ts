import { afterEach, expect, test } from "bun:test";
import { join } from "node:path";
import { LocalClient } from "../apiserver/local-client.ts";
import { Registry } from "../apiserver/registry/registry.ts";
import { builtinDefinitions } from "../apiserver/resources/index.ts";
import { SqliteBackend } from "../store/index.ts";
import { tempDir } from "../store/sqlite/testing.ts";
import { SharedInformerFactory } from "./shared-informers.ts";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const CM = { group: "", version: "v1", resource: "configmaps" };
const PODS = { group: "", version: "v1", resource: "pods" };

test("one informer per resource and scope, whoever asks; stop stops them all", async () => {
  const t = tempDir();
  const backend = SqliteBackend.open({ path: join(t.dir, "state.db") });
  const registry = new Registry(backend);
  for (const d of builtinDefinitions()) registry.add(d);
  cleanups.push(async () => {
    await backend.close();
    t.cleanup();
  });
  const client = new LocalClient(registry);
  let lists = 0;
  const counting = Object.assign(Object.create(client) as LocalClient, {
    list: (...args: Parameters<LocalClient["list"]>) => {
      lists++;
      return client.list(...args);
    },
  });
  const factory = new SharedInformerFactory(counting);
  const a = factory.informer(CM);
  const b = factory.informer(CM, {}, { extra: (o) => [o.metadata?.name ?? ""] });
  const scoped = factory.informer(CM, { namespace: "x" });
  factory.informer(PODS);
  expect(a).toBe(b);
  expect(scoped).not.toBe(a);
  await client.create(CM, "x", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } });
  await factory.start();
  expect(lists).toBe(3);
  expect(a.byIndex("extra", "c").length).toBe(1);
  factory.stop();
  expect(() => factory.informer(PODS, { labelSelector: "a=b" })).toThrow("stopped");
});
