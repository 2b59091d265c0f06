/**
 * Which Go package (and so which upstream definition name) each client-node model comes from.
 *
 * client-node's model names carry only a version ("V1Pod", "V1Deployment", "V1Scale"), so the
 * group is derived:
 *  1. Kinds: a model that a group-version's resource operations create, read or replace is a
 *     kind of that group-version; the model its collection GET returns is its List kind.
 *  2. apimachinery meta/v1: the models operations use that are not kinds (Status, DeleteOptions,
 *     APIResourceList, APIGroup, ...), the types of the kinds' `metadata` field (ObjectMeta,
 *     ListMeta), a few meta types no derivation reaches (META_ROOTS), and everything those reach.
 *  3. Everything else belongs to the group-versions whose kinds reach it. Core types are shared
 *     by other groups (apps reaches PodTemplateSpec), so when core/v1 is among several the type
 *     is core's; any other ambiguity stops the generator rather than guess. DEFINED_ELSEWHERE
 *     names the few types whose package reachability gets wrong.
 */
import type { Model } from "./client-node-models.ts";
import type { Operation } from "./client-node-apis.ts";

export interface GroupVersion {
  group: string;
  version: string;
}

export interface ModelHome {
  /** Upstream definition name: io.k8s.api.core.v1.Pod, io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta. */
  definition: string;
  /** Set for top-level kinds and their lists. */
  gvk?: { group: string; version: string; kind: string };
}

/** meta/v1 types that neither operations nor `metadata` fields reveal (used inside specs, or by watch streams). */
const META_ROOTS = ["V1LabelSelector", "V1Condition", "V1FieldSelectorRequirement", "V1GroupResource", "V1WatchEvent"];

/** Kinds used only as subresource bodies of other groups (deployments/scale, pods/eviction). */
const FOREIGN_SUBRESOURCE_KINDS: Record<string, GroupVersion> = {
  V1Scale: { group: "autoscaling", version: "v1" },
  V1Eviction: { group: "policy", version: "v1" },
};

/**
 * Types whose Go package differs from the only group-version that uses them: core/v1 defines the
 * topology selector types, but only storage.k8s.io's StorageClass refers to them.
 */
const DEFINED_ELSEWHERE: Record<string, GroupVersion> = {
  V1TopologySelectorTerm: { group: "", version: "v1" },
  V1TopologySelectorLabelRequirement: { group: "", version: "v1" },
};

const META_PACKAGE = "io.k8s.apimachinery.pkg.apis.meta.v1";

/** Go package prefix of a group; the Go package is the group's first DNS label except for these. */
const PACKAGE_EXCEPTIONS: Record<string, string> = {
  "": "io.k8s.api.core",
  "internal.apiserver.k8s.io": "io.k8s.api.apiserverinternal",
  "apiextensions.k8s.io": "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions",
  "apiregistration.k8s.io": "io.k8s.kube-aggregator.pkg.apis.apiregistration",
};

export function packageOf(gv: GroupVersion): string {
  const prefix = PACKAGE_EXCEPTIONS[gv.group] ?? `io.k8s.api.${gv.group.split(".")[0]}`;
  return `${prefix}.${gv.version}`;
}

/** "CoreV1Event" -> { prefix: "Core", version: "v1", name: "Event" }. */
export function splitModelName(model: string): { prefix?: string; version: string; name: string } | undefined {
  const m = /^([A-Z][a-z]+)?(V\d+(?:(?:alpha|beta)\d+)?)([A-Z]\w*)$/.exec(model);
  if (!m) return undefined;
  return { prefix: m[1], version: m[2]!.toLowerCase(), name: m[3]! };
}

/** Model names a TypeScript field type mentions ("Array<V1Container>" -> V1Container). */
export function referencedModels(tsType: string, models: Map<string, Model>): string[] {
  return (tsType.match(/[A-Z]\w*/g) ?? []).filter((t) => models.has(t));
}

interface ResourcePath {
  gv: GroupVersion;
  /** "collection", "item" or a subresource name. */
  target: string;
}

function parseResourcePath(path: string): ResourcePath | undefined {
  let gv: GroupVersion;
  let rest: string;
  const core = /^\/api\/(v1)\/(.+)$/.exec(path);
  const named = /^\/apis\/([a-z0-9.-]+)\/(v[a-z0-9]+)\/(.+)$/.exec(path);
  if (core) {
    gv = { group: "", version: core[1]! };
    rest = core[2]!;
  } else if (named) {
    gv = { group: named[1]!, version: named[2]! };
    rest = named[3]!;
  } else {
    return undefined;
  }
  let segs = rest.split("/");
  if (segs[0] === "namespaces" && segs[1] === "{namespace}" && segs.length > 2) segs = segs.slice(2);
  if (segs.length === 1) return { gv, target: "collection" };
  if (segs.length === 2 && segs[1] === "{name}") return { gv, target: "item" };
  if (segs.length === 3 && segs[1] === "{name}") return { gv, target: segs[2]! };
  return undefined;
}

/** Group-version of each API class, from the paths its operations use. */
function apiGroupVersions(ops: Operation[]): Map<string, GroupVersion> {
  const out = new Map<string, GroupVersion>();
  for (const op of ops) {
    const parsed = parseResourcePath(op.path);
    if (parsed && !out.has(op.api)) out.set(op.api, parsed.gv);
  }
  return out;
}

export function assignHomes(models: Map<string, Model>, ops: Operation[]): Map<string, ModelHome> {
  const homes = new Map<string, ModelHome>();
  const gvOfModel = new Map<string, GroupVersion>();
  const sameGv = (a: GroupVersion, b: GroupVersion) => a.group === b.group && a.version === b.version;

  const claim = (model: string, gv: GroupVersion, why: string) => {
    const parts = splitModelName(model);
    if (!parts || !models.has(model)) throw new Error(`${why}: ${model} is not a versioned model`);
    if (parts.version !== gv.version) throw new Error(`${why}: ${model} is not of version ${gv.version}`);
    const known = gvOfModel.get(model);
    if (known && !sameGv(known, gv)) throw new Error(`${why}: ${model} claimed by ${known.group}/${known.version} and ${gv.group}/${gv.version}`);
    gvOfModel.set(model, gv);
    homes.set(model, { definition: `${packageOf(gv)}.${parts.name}`, gvk: { ...gv, kind: parts.name } });
  };

  // 1. Kinds, from the resource operations of each group-version.
  const subresourceModels = new Set<string>();
  for (const op of ops) {
    const parsed = parseResourcePath(op.path);
    if (!parsed) continue;
    const { gv, target } = parsed;
    const why = `${op.api}.${op.method}`;
    if (target === "collection") {
      if (op.http === "POST" && op.bodyModel) claim(op.bodyModel, gv, why);
      if (op.http === "GET" && op.responseModel) claim(op.responseModel, gv, why);
    } else if (target === "item") {
      if (op.http === "PUT" && op.bodyModel) claim(op.bodyModel, gv, why);
      if (op.http === "GET" && op.responseModel) claim(op.responseModel, gv, why);
    } else {
      for (const m of [op.bodyModel, op.responseModel]) if (m && models.has(m)) subresourceModels.add(m);
    }
  }

  // Subresource bodies that are kinds of other groups: by their group prefix, or the table.
  const apiGvs = apiGroupVersions(ops);
  for (const model of subresourceModels) {
    if (gvOfModel.has(model)) continue;
    const parts = splitModelName(model);
    const prefixed = parts?.prefix ? [...apiGvs].find(([api, gv]) => api.startsWith(parts.prefix!) && gv.version === parts.version) : undefined;
    const gv = prefixed?.[1] ?? FOREIGN_SUBRESOURCE_KINDS[model];
    if (!gv) throw new Error(`subresource model ${model}: unknown group; add it to FOREIGN_SUBRESOURCE_KINDS`);
    claim(model, gv, `subresource ${model}`);
  }

  // 2. apimachinery meta/v1 and version.Info.
  const metaSeeds = new Set<string>(META_ROOTS.filter((m) => models.has(m)));
  for (const op of ops) {
    for (const m of [op.bodyModel, op.responseModel]) if (m && models.has(m) && !gvOfModel.has(m)) metaSeeds.add(m);
  }
  for (const model of gvOfModel.keys()) {
    const meta = models.get(model)!.fields.find((f) => f.jsonName === "metadata");
    if (meta) for (const m of referencedModels(meta.tsType, models)) metaSeeds.add(m);
  }
  const queue = [...metaSeeds];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (homes.has(name)) {
      if (gvOfModel.has(name)) throw new Error(`meta type reaches kind ${name}`);
      continue;
    }
    if (name === "VersionInfo") {
      homes.set(name, { definition: "io.k8s.apimachinery.pkg.version.Info" });
      continue;
    }
    const parts = splitModelName(name);
    if (!parts || parts.version !== "v1") throw new Error(`meta type ${name} is not a v1 model`);
    homes.set(name, { definition: `${META_PACKAGE}.${parts.name}` });
    for (const f of models.get(name)!.fields) queue.push(...referencedModels(f.tsType, models));
  }
  for (const [name, kind] of [["V1Status", "Status"], ["V1APIResourceList", "APIResourceList"], ["V1APIGroup", "APIGroup"], ["V1APIGroupList", "APIGroupList"], ["V1APIVersions", "APIVersions"]] as const) {
    const home = homes.get(name);
    if (home) home.gvk = { group: "", version: "v1", kind };
  }

  // 3. The rest, by which group-versions' kinds reach them.
  const reachedBy = new Map<string, GroupVersion[]>();
  for (const [kind, gv] of gvOfModel) {
    const seen = new Set<string>();
    const stack = [kind];
    while (stack.length > 0) {
      const name = stack.pop()!;
      for (const f of models.get(name)!.fields) {
        for (const ref of referencedModels(f.tsType, models)) {
          if (homes.has(ref) || seen.has(ref)) continue;
          seen.add(ref);
          stack.push(ref);
          const list = reachedBy.get(ref) ?? [];
          if (!list.some((x) => sameGv(x, gv))) list.push(gv);
          reachedBy.set(ref, list);
        }
      }
    }
  }
  const ambiguous: string[] = [];
  for (const [name, gvs] of reachedBy) {
    const parts = splitModelName(name)!;
    let candidates = gvs.filter((gv) => gv.version === parts.version);
    if (parts.prefix) candidates = candidates.filter((gv) => [...apiGvs].some(([api, g]) => api.startsWith(parts.prefix!) && sameGv(g, gv)));
    const core = candidates.find((gv) => gv.group === "");
    const gv = DEFINED_ELSEWHERE[name] ?? (candidates.length === 1 ? candidates[0] : core);
    if (!gv) {
      ambiguous.push(`${name}: ${gvs.map((x) => `${x.group}/${x.version}`).join(", ")}`);
      continue;
    }
    homes.set(name, { definition: `${packageOf(gv)}.${parts.name}` });
  }
  if (ambiguous.length > 0) throw new Error(`cannot tell the group of:\n  ${ambiguous.join("\n  ")}`);

  // List kinds are named after their items; check the derivation agrees.
  for (const [name, home] of homes) {
    if (!home.gvk || !name.endsWith("List")) continue;
    const item = homes.get(name.slice(0, -4));
    if (item?.gvk && item.gvk.group !== home.gvk.group) throw new Error(`${name} and its items are in different groups`);
  }
  return homes;
}
