import { describe, expect, test } from "bun:test";
import { builtinDefinitions } from "./definitions.ts";
import { builtinPatchExtensions, extensionsFromTable } from "./patch-extensions.ts";
import type { Schema } from "./schema.ts";

describe("patch metadata on definitions", () => {
  test("built-in kinds' merge keys land on the definitions that declare the fields", () => {
    expect(builtinPatchExtensions("io.k8s.api.core.v1.PodSpec", "containers")).toEqual({ "x-kubernetes-patch-merge-key": "name", "x-kubernetes-patch-strategy": "merge" });
    expect(builtinPatchExtensions("io.k8s.api.core.v1.PodSpec", "volumes")).toEqual({ "x-kubernetes-patch-merge-key": "name", "x-kubernetes-patch-strategy": "merge,retainKeys" });
    expect(builtinPatchExtensions("io.k8s.api.core.v1.Container", "env")).toEqual({ "x-kubernetes-patch-merge-key": "name", "x-kubernetes-patch-strategy": "merge" });
    expect(builtinPatchExtensions("io.k8s.api.core.v1.Container", "ports")).toEqual({ "x-kubernetes-patch-merge-key": "containerPort", "x-kubernetes-patch-strategy": "merge" });
    expect(builtinPatchExtensions("io.k8s.api.core.v1.ServiceSpec", "ports")).toEqual({ "x-kubernetes-patch-merge-key": "port", "x-kubernetes-patch-strategy": "merge" });
    expect(builtinPatchExtensions("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "finalizers")).toEqual({ "x-kubernetes-patch-strategy": "merge" });
    expect(builtinPatchExtensions("io.k8s.api.apps.v1.DeploymentSpec", "strategy")).toEqual({ "x-kubernetes-patch-strategy": "retainKeys" });
    expect(builtinPatchExtensions("io.k8s.api.core.v1.Container", "image")).toBeUndefined();
  });

  test("paths walk through refs, list items and map values, and stop at fields the schema lacks", () => {
    const ref = (n: string): Schema => ({ $ref: `#/definitions/${n}` });
    const definitions: Record<string, Schema> = {
      Root: { properties: { list: { type: "array", items: ref("Item") }, map: { type: "object", additionalProperties: ref("Item") }, one: ref("Item") } },
      Item: { properties: { keys: { type: "array" } } },
    };
    const out = new Map<string, Partial<Record<`x-${string}`, unknown>>>();
    extensionsFromTable("Root", { "list.keys": { strategy: "merge", mergeKey: "k" }, "missing.keys": { strategy: "merge" }, "one.nope": { strategy: "merge" } }, definitions, out);
    expect([...out.keys()]).toEqual(["Item\u0000keys"]);
    extensionsFromTable("Root", { "map.keys": { strategy: "replace" } }, definitions, out);
    expect(out.get("Item\u0000keys")).toEqual({ "x-kubernetes-patch-strategy": "replace" });
  });

  test("dozens of fields across the built-in kinds get patch metadata", () => {
    const { definitions } = builtinDefinitions();
    let found = 0;
    for (const [name, def] of Object.entries(definitions)) {
      for (const prop of Object.keys(def.properties ?? {})) if (builtinPatchExtensions(name, prop)) found++;
    }
    expect(found).toBeGreaterThan(30);
  });
});
