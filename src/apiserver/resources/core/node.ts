/**
 * core/v1 nodes (stored as "minions", as upstream does): status defaults, taint and CIDR
 * validation, update rules, the `kubectl get nodes` Table and the spec.unschedulable selector.
 */
import type { V1Taint } from "@kubernetes/client-node";
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject, Wire } from "../../api/types.ts";
import type { ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { ALL_VERBS } from "../../registry/definition.ts";
import { field, FieldPath } from "../../validation/field.ts";
import { isCIDR, isIPv6, validateCIDR } from "../../validation/ip.ts";
import { validateLabelName } from "../../validation/labels.ts";
import { isValidLabelValue } from "../../validation/names.ts";
import { ageColumn, nameColumn } from "../printing.ts";
import { column } from "./columns.ts";
import { FIELD_DOCS } from "./field-docs.ts";
import { canonicalizeResourceList } from "./quantities.ts";
import { isFieldError, readQuantity, validateResourceQuantity } from "./resource-validation.ts";
import { TAINT_EFFECTS } from "./scheduling-validation.ts";
import { semanticEqual } from "./semantic.ts";
import { view, type Node } from "./types.ts";

const ROLE_PREFIX = "node-role.kubernetes.io/";
const ROLE_LABEL = "kubernetes.io/role";
const NODE_INFO_FIELDS = [
  "architecture",
  "bootID",
  "containerRuntimeVersion",
  "kernelVersion",
  "kubeProxyVersion",
  "kubeletVersion",
  "machineID",
  "operatingSystem",
  "osImage",
  "systemUUID",
] as const;

/**
 * upstream's SetDefaults_NodeStatus (allocatable from capacity), canonical quantities, and the
 * struct fields Go always writes: `spec: {}`, daemonEndpoints and every nodeInfo string.
 */
export function defaultNode(node: Node): void {
  node.spec ??= {};
  const status = (node.status ??= {});
  if (!status.allocatable && status.capacity) status.allocatable = { ...status.capacity };
  canonicalizeResourceList(status.capacity);
  canonicalizeResourceList(status.allocatable);
  const endpoints = (status.daemonEndpoints ??= {});
  // DaemonEndpoint's wire field is "Port", capitalized.
  endpoints.kubeletEndpoint ??= { Port: 0 };
  const info = (status.nodeInfo ??= {} as NonNullable<typeof status.nodeInfo>) as Record<string, unknown>;
  for (const key of NODE_INFO_FIELDS) info[key] ??= "";
}

export function validateNode(node: Node): FieldError[] {
  const errs = validateTaints(node.spec?.taints ?? []);
  errs.push(...validateNodeResources(node));
  errs.push(...validatePodCIDRs(node.spec?.podCIDRs ?? []));
  return errs;
}

/** Taints are reported under metadata.taints, as upstream does. */
function validateTaints(taints: Array<Wire<V1Taint>>): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  taints.forEach((t, i) => {
    const p = FieldPath.root("metadata").child("taints").index(i);
    errs.push(...validateLabelName(t.key, p.child("key")));
    const msgs = isValidLabelValue(t.value ?? "");
    if (msgs.length) errs.push(field.invalid(p.child("value"), t.value ?? "", msgs.join(";")));
    if (!t.effect) errs.push(field.required(p.child("effect")));
    else if (!TAINT_EFFECTS.includes(t.effect)) errs.push(field.notSupported(p.child("effect"), t.effect, TAINT_EFFECTS));
    const key = `${t.effect}\u0000${t.key}`;
    if (seen.has(key)) return void errs.push({ ...field.duplicate(p, t), detail: "taints must be unique by key and effect pair" });
    seen.add(key);
  });
  return errs;
}

function validateNodeResources(node: Node): FieldError[] {
  const errs: FieldError[] = [];
  for (const list of ["capacity", "allocatable"] as const) {
    for (const [name, value] of Object.entries(node.status?.[list] ?? {})) {
      const path = FieldPath.root("status").child(list, name);
      const q = readQuantity(value, path);
      errs.push(...(isFieldError(q) ? [q] : validateResourceQuantity(name, q, path)));
    }
  }
  return errs;
}

function validatePodCIDRs(cidrs: string[]): FieldError[] {
  const path = FieldPath.root("spec").child("podCIDRs");
  const errs = cidrs.flatMap((c, i) => validateCIDR(path.index(i), c));
  if (cidrs.length > 1 && cidrs.every(isCIDR)) {
    const families = cidrs.map((c) => isIPv6(c.split("/")[0]!));
    if (cidrs.length > 2 || families[0] === families[1]) errs.push(field.invalid(path, cidrs, "may specify no more than one CIDR for each IP family"));
    cidrs.forEach((c, i) => {
      if (cidrs.indexOf(c) < i) errs.push(field.duplicate(path.index(i), c));
    });
  }
  return errs;
}

/** podCIDRs and providerID are set once; addresses are unique; externalID never changes. */
export function validateNodeUpdate(node: Node, old: Node): FieldError[] {
  const errs: FieldError[] = [];
  const seen: unknown[] = [];
  (node.status?.addresses ?? []).forEach((a, i) => {
    if (seen.some((s) => semanticEqual(s, a))) errs.push(field.duplicate(FieldPath.root("status").child("addresses").index(i), a));
    seen.push(a);
  });
  const oldCIDRs = old.spec?.podCIDRs ?? [];
  const cidrs = node.spec?.podCIDRs ?? [];
  const cidrMsg = 'node updates may not change podCIDR except from "" to valid';
  if (oldCIDRs.length && oldCIDRs.length !== cidrs.length) errs.push(field.forbidden("spec.podCIDRs", cidrMsg));
  else oldCIDRs.forEach((c, i) => c !== cidrs[i] && errs.push(field.forbidden("spec.podCIDRs", cidrMsg)));
  if (old.spec?.providerID && old.spec.providerID !== node.spec?.providerID) {
    errs.push(field.forbidden("spec.providerID", 'node updates may not change providerID except from "" to valid'));
  }
  if ((node.spec?.externalID ?? "") !== (old.spec?.externalID ?? "")) errs.push(field.forbidden("spec.externalID", "may not be updated"));
  return errs;
}

const strategy: Strategy = {
  defaults: (obj) => defaultNode(view<Node>(obj)),
  validate: (obj) => validateNode(view<Node>(obj)),
  validateUpdate: (obj, old) => validateNodeUpdate(view<Node>(obj), view<Node>(old)),
};

/** "Ready", "NotReady" or "Unknown", then ",SchedulingDisabled" for cordoned nodes. */
export function nodeStatusCell(node: Node): string {
  const ready = (node.status?.conditions ?? []).filter((c) => c.type === "Ready").at(-1);
  const status = ready ? [ready.status === "True" ? "Ready" : "NotReady"] : ["Unknown"];
  if (node.spec?.unschedulable) status.push("SchedulingDisabled");
  return status.join(",");
}

/** Roles from node-role.kubernetes.io/<role> labels and the legacy kubernetes.io/role label. */
export function nodeRolesCell(node: Node): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith(ROLE_PREFIX) && k.length > ROLE_PREFIX.length) roles.add(k.slice(ROLE_PREFIX.length));
    else if (k === ROLE_LABEL && v) roles.add(v);
  }
  return roles.size ? [...roles].sort().join(",") : "<none>";
}

const address = (node: Node, type: string) => node.status?.addresses?.find((a) => a.type === type)?.address ?? "<none>";
const info = (node: Node, key: "osImage" | "kernelVersion" | "containerRuntimeVersion") => node.status?.nodeInfo?.[key] || "<unknown>";

export const nodeDefinition: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "Node",
  plural: "nodes",
  singular: "node",
  shortNames: ["no"],
  namespaced: false,
  verbs: ALL_VERBS,
  storagePath: "minions",
  statusSubresource: true,
  nameRule: "subdomain",
  printerColumns: [
    nameColumn,
    column<Node>("Status", "The status of the node", nodeStatusCell),
    column<Node>("Roles", "The roles of the node", nodeRolesCell),
    ageColumn,
    column<Node>("Version", FIELD_DOCS["NodeSystemInfo.kubeletVersion"], (n) => n.status?.nodeInfo?.kubeletVersion ?? ""),
    column<Node>("Internal-IP", FIELD_DOCS["NodeStatus.addresses"], (n) => address(n, "InternalIP"), { priority: 1 }),
    column<Node>("External-IP", FIELD_DOCS["NodeStatus.addresses"], (n) => address(n, "ExternalIP"), { priority: 1 }),
    column<Node>("OS-Image", FIELD_DOCS["NodeSystemInfo.osImage"], (n) => info(n, "osImage"), { priority: 1 }),
    column<Node>("Kernel-Version", FIELD_DOCS["NodeSystemInfo.kernelVersion"], (n) => info(n, "kernelVersion"), { priority: 1 }),
    column<Node>("Container-Runtime", FIELD_DOCS["NodeSystemInfo.containerRuntimeVersion"], (n) => info(n, "containerRuntimeVersion"), { priority: 1 }),
  ],
  fieldSelectors: { "spec.unschedulable": (o: KubeObject) => String(view<Node>(o).spec?.unschedulable === true) },
  strategy,
  extraSubresources: [{ name: "proxy", kind: "NodeProxyOptions", verbs: ["create", "delete", "get", "patch", "update"] }],
};
