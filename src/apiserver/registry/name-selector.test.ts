import { afterAll, beforeAll, expect, test } from "bun:test";
import type { RequestContext } from "./definition.ts";
import { Registry } from "./registry.ts";
import { builtinDefinitions } from "../resources/index.ts";
import { tempStore } from "../../store/sqlite/testing.ts";
import { filtersFor } from "../http/filters.ts";

let backend: ReturnType<typeof tempStore>;
let registry: Registry;
beforeAll(() => {
  backend = tempStore();
  registry = new Registry(backend);
  for (const d of builtinDefinitions()) registry.add(d);
});
afterAll(() => backend.dispose());

const ctx = (namespace: string): RequestContext => ({ user: { username: "admin", groups: ["system:masters"] }, namespace, dryRun: false, now: Date.now() });

test("metadata.name=x across all namespaces lists and watches that name in every namespace", async () => {
  const cms = registry.lookup("", "v1", "configmaps")!;
  for (const ns of ["a", "b"]) for (const name of ["wanted", "other"]) await cms.create(ns, { apiVersion: "v1", kind: "ConfigMap", metadata: { name } }, ctx(ns));
  const filters = filtersFor(cms.def, "", "metadata.name=wanted");
  const list = await cms.list("", filters);
  expect(list.items.map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`)).toEqual(["a/wanted", "b/wanted"]);
  expect((await cms.list("a", filters)).items.map((o) => o.metadata?.name)).toEqual(["wanted"]);

  const abort = new AbortController();
  const events = cms.watch("", { ...filters, resourceVersion: list.metadata.resourceVersion }, abort.signal);
  await cms.delete("b", "other", ctx("b"), {});
  await cms.delete("b", "wanted", ctx("b"), {});
  const first = await events.next();
  abort.abort();
  expect(first.value).toMatchObject({ type: "DELETED", object: { metadata: { namespace: "b", name: "wanted" } } });
});
