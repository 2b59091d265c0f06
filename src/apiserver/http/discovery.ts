/**
 * API discovery, both forms kubectl 1.32 reads: aggregated (apidiscovery.k8s.io/v2 and v2beta1,
 * two requests for everything) and legacy (/api, /apis, then one list per group-version). Built
 * from the registry and rebuilt when it changes.
 */
import { createHash } from "node:crypto";
import type { ResourceDefinition, Verb } from "../registry/definition.ts";
import type { Registry } from "../registry/registry.ts";
import { ALL_VERBS } from "../registry/definition.ts";

/** Upstream's group order puts the core group and the oldest groups first. */
const GROUP_ORDER = ["", "apps", "events.k8s.io", "authentication.k8s.io", "authorization.k8s.io", "autoscaling", "batch", "certificates.k8s.io", "networking.k8s.io", "policy", "rbac.authorization.k8s.io", "storage.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io", "scheduling.k8s.io", "coordination.k8s.io", "node.k8s.io", "discovery.k8s.io", "flowcontrol.apiserver.k8s.io"];
const SUBRESOURCE_VERBS: Verb[] = ["get", "patch", "update"];

interface Built {
  aggregatedCore: Record<string, unknown>;
  aggregatedGroups: Record<string, unknown>;
  legacyApi: Record<string, unknown>;
  legacyGroups: Record<string, unknown>;
  groupVersions: Map<string, Record<string, unknown>>;
  groups: Map<string, Record<string, unknown>>;
}

export class Discovery {
  private built: Built | undefined;

  constructor(private readonly registry: Registry) {
    registry.onChange(() => (this.built = undefined));
  }

  private get data(): Built {
    return (this.built ??= build(this.registry.definitions()));
  }

  aggregated(core: boolean): Record<string, unknown> {
    return core ? this.data.aggregatedCore : this.data.aggregatedGroups;
  }

  legacyApi(): Record<string, unknown> {
    return this.data.legacyApi;
  }

  legacyGroups(): Record<string, unknown> {
    return this.data.legacyGroups;
  }

  /** APIResourceList for "v1" or "apps/v1". */
  resourceList(groupVersion: string): Record<string, unknown> | undefined {
    return this.data.groupVersions.get(groupVersion);
  }

  group(name: string): Record<string, unknown> | undefined {
    return this.data.groups.get(name);
  }
}

function groupRank(group: string): number {
  const i = GROUP_ORDER.indexOf(group);
  return i < 0 ? GROUP_ORDER.length : i;
}

function byGroupVersion(defs: ResourceDefinition[]): Map<string, Map<string, ResourceDefinition[]>> {
  const groups = new Map<string, Map<string, ResourceDefinition[]>>();
  const sorted = [...defs].sort((a, b) => groupRank(a.group) - groupRank(b.group) || a.group.localeCompare(b.group));
  for (const def of sorted) {
    const versions = groups.get(def.group) ?? new Map<string, ResourceDefinition[]>();
    groups.set(def.group, versions);
    const list = versions.get(def.version) ?? [];
    list.push(def);
    versions.set(def.version, list);
  }
  return groups;
}

/** Kubernetes version priority: v1 > v1beta2 > v1beta1 > v1alpha1 (GA, then beta, then alpha). */
export function versionPriority(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [0, 0, 0];
    const stage = m[2] === "alpha" ? 1 : m[2] === "beta" ? 2 : 3;
    return [stage, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [sa, ma, na] = parse(a);
  const [sb, mb, nb] = parse(b);
  return sb! - sa! || mb! - ma! || nb! - na!;
}

function verbsOf(def: ResourceDefinition): Verb[] {
  return (def.verbs ?? ALL_VERBS).slice().sort();
}

function subresourcesOf(def: ResourceDefinition): Array<{ name: string; group: string; version: string; kind: string; verbs: Verb[] }> {
  const subs = [];
  if (def.statusSubresource) subs.push({ name: "status", group: def.group, version: def.version, kind: def.kind, verbs: SUBRESOURCE_VERBS });
  if (def.scale) subs.push({ name: "scale", group: "autoscaling", version: "v1", kind: "Scale", verbs: SUBRESOURCE_VERBS });
  for (const s of def.extraSubresources ?? []) subs.push({ name: s.name, group: s.group ?? "", version: s.version ?? "v1", kind: s.kind, verbs: s.verbs });
  return subs;
}

function aggregatedResource(def: ResourceDefinition): Record<string, unknown> {
  const r: Record<string, unknown> = {
    resource: def.plural,
    responseKind: { group: def.group, version: def.version, kind: def.kind },
    scope: def.namespaced ? "Namespaced" : "Cluster",
    singularResource: def.singular,
    verbs: verbsOf(def),
  };
  if (def.shortNames?.length) r.shortNames = def.shortNames;
  if (def.categories?.length) r.categories = def.categories;
  const subs = subresourcesOf(def);
  if (subs.length) {
    r.subresources = subs.map((s) => ({ subresource: s.name, responseKind: { group: s.group, version: s.version, kind: s.kind }, verbs: s.verbs }));
  }
  return r;
}

function storageVersionHash(def: ResourceDefinition): string {
  return createHash("sha256").update(`${def.group}/${def.version}/${def.kind}`).digest("base64").slice(0, 11);
}

function legacyResources(defs: ResourceDefinition[]): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const def of [...defs].sort((a, b) => a.plural.localeCompare(b.plural))) {
    const r: Record<string, unknown> = { name: def.plural, singularName: def.singular, namespaced: def.namespaced, kind: def.kind, verbs: verbsOf(def) };
    if (def.shortNames?.length) r.shortNames = def.shortNames;
    if (def.categories?.length) r.categories = def.categories;
    r.storageVersionHash = storageVersionHash(def);
    out.push(r);
    for (const s of subresourcesOf(def)) {
      const sub: Record<string, unknown> = { name: `${def.plural}/${s.name}`, singularName: "", namespaced: def.namespaced, kind: s.kind, verbs: s.verbs };
      if (s.group !== def.group || s.version !== def.version) Object.assign(sub, { group: s.group, version: s.version });
      out.push(sub);
    }
  }
  return out;
}

function build(defs: ResourceDefinition[]): Built {
  const groups = byGroupVersion(defs);
  const aggregatedItems: Array<Record<string, unknown>> = [];
  let aggregatedCore: Record<string, unknown> = { kind: "APIGroupDiscoveryList", apiVersion: "apidiscovery.k8s.io/v2", metadata: {}, items: [] };
  const legacyGroupsList: Array<Record<string, unknown>> = [];
  const groupVersions = new Map<string, Record<string, unknown>>();
  const groupDocs = new Map<string, Record<string, unknown>>();
  for (const [group, versions] of groups) {
    const ordered = [...versions.keys()].sort(versionPriority);
    const item = {
      metadata: { name: group, creationTimestamp: null },
      versions: ordered.map((v) => ({ version: v, resources: versions.get(v)!.map(aggregatedResource), freshness: "Current" })),
    };
    for (const v of ordered) {
      const gv = group ? `${group}/${v}` : v;
      groupVersions.set(gv, { kind: "APIResourceList", apiVersion: "v1", groupVersion: gv, resources: legacyResources(versions.get(v)!) });
    }
    if (group === "") {
      aggregatedCore = { kind: "APIGroupDiscoveryList", apiVersion: "apidiscovery.k8s.io/v2", metadata: {}, items: [item] };
      continue;
    }
    aggregatedItems.push(item);
    const gvs = ordered.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
    const doc = { name: group, versions: gvs, preferredVersion: gvs[0] };
    legacyGroupsList.push(doc);
    groupDocs.set(group, { kind: "APIGroup", apiVersion: "v1", ...doc });
  }
  return {
    aggregatedCore,
    aggregatedGroups: { kind: "APIGroupDiscoveryList", apiVersion: "apidiscovery.k8s.io/v2", metadata: {}, items: aggregatedItems },
    legacyApi: { kind: "APIVersions", versions: [...(groups.get("")?.keys() ?? ["v1"])] },
    legacyGroups: { kind: "APIGroupList", apiVersion: "v1", groups: legacyGroupsList },
    groupVersions,
    groups: groupDocs,
  };
}
