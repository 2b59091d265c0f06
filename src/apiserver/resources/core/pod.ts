/**
 * core/v1 pods: defaults, create/update rules and validation as upstream's pod strategy, the
 * `kubectl get pods` Table, field selectors and graceful deletion.
 */
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject } from "../../api/types.ts";
import type { PrinterColumn, ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { ALL_VERBS } from "../../registry/definition.ts";
import { isDNS1123Label } from "../../validation/names.ts";
import { ageColumn, nameColumn } from "../printing.ts";
import { column, orNone } from "./columns.ts";
import { FIELD_DOCS } from "./field-docs.ts";
import { bindingSubresource } from "./pod-binding.ts";
import { preparePodForCreate } from "./pod-create.ts";
import { defaultPod } from "./pod-defaults.ts";
import { evictionSubresource } from "./pod-eviction.ts";
import { ephemeralContainersSubresource } from "./pod-ephemeral.ts";
import { podCells, readinessGatesCell, type PodCells } from "./pod-status.ts";
import { validatePod, validatePodCreate, validatePodUpdate } from "./pod-validation.ts";
import { view, type Pod } from "./types.ts";

/** Objects seen by prepareForUpdate: `validate` runs on creates and updates, create-only rules must skip these. */
const updating = new WeakSet<KubeObject>();

const strategy: Strategy = {
  defaults: (obj) => defaultPod(view<Pod>(obj)),
  prepareForCreate: (obj) => preparePodForCreate(view<Pod>(obj)),
  prepareForUpdate: (obj) => {
    updating.add(obj);
  },
  validate(obj): FieldError[] {
    const pod = view<Pod>(obj);
    return updating.has(obj) ? validatePod(pod) : [...validatePod(pod), ...validatePodCreate(pod)];
  },
  validateUpdate: (obj, old) => validatePodUpdate(view<Pod>(obj), view<Pod>(old)),
  warnings: (obj, old) => (old ? [] : podCreateWarnings(view<Pod>(obj))),
};

/** upstream's WarningsOnCreate: the name becomes the pod's hostname, so a DNS label is recommended. */
function podCreateWarnings(pod: Pod): string[] {
  const msgs = isDNS1123Label(pod.metadata?.name ?? "");
  return msgs.length ? [`metadata.name: this is used in the Pod's hostname, which can result in surprising behavior; a DNS label is recommended: [${msgs.join(" ")}]`] : [];
}

/** The three status cells are computed together; columns ask one at a time. */
const cellCache = new WeakMap<KubeObject, { now: number; cells: PodCells }>();
function cells(obj: KubeObject, now: number): PodCells {
  const hit = cellCache.get(obj);
  if (hit && hit.now === now) return hit.cells;
  const computed = podCells(view<Pod>(obj), now);
  cellCache.set(obj, { now, cells: computed });
  return computed;
}

const printerColumns: PrinterColumn[] = [
  nameColumn,
  column<KubeObject>("Ready", "The aggregate readiness state of this pod for accepting traffic.", (o, now) => cells(o, now).ready),
  column<KubeObject>("Status", "The aggregate status of the containers in this pod.", (o, now) => cells(o, now).status),
  column<KubeObject>(
    "Restarts",
    "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
    (o, now) => cells(o, now).restarts,
  ),
  ageColumn,
  column<Pod>("IP", FIELD_DOCS["PodStatus.podIP"], (p) => orNone(p.status?.podIPs?.[0]?.ip), { priority: 1 }),
  column<Pod>("Node", FIELD_DOCS["PodSpec.nodeName"], (p) => orNone(p.spec?.nodeName), { priority: 1 }),
  column<Pod>("Nominated Node", FIELD_DOCS["PodStatus.nominatedNodeName"], (p) => orNone(p.status?.nominatedNodeName), { priority: 1 }),
  column<Pod>("Readiness Gates", FIELD_DOCS["PodSpec.readinessGates"], readinessGatesCell, { priority: 1 }),
];

const pod = (obj: KubeObject) => view<Pod>(obj);

/**
 * Seconds a deleted pod is given to stop (upstream's CheckGracefulDelete): the request's value or
 * the pod's terminationGracePeriodSeconds; at once when never scheduled or already finished.
 */
function gracefulDeletion(obj: KubeObject, requested: number | undefined): number {
  const p = pod(obj);
  let period = requested ?? p.spec?.terminationGracePeriodSeconds ?? 0;
  if (!p.spec?.nodeName) period = 0;
  if (p.status?.phase === "Failed" || p.status?.phase === "Succeeded") period = 0;
  return period < 0 ? 1 : period;
}

export const podDefinition: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "Pod",
  plural: "pods",
  singular: "pod",
  shortNames: ["po"],
  categories: ["all"],
  namespaced: true,
  returnDeletedObject: true,
  verbs: ALL_VERBS,
  statusSubresource: true,
  nameRule: "subdomain",
  printerColumns,
  fieldSelectors: {
    "spec.nodeName": (o) => pod(o).spec?.nodeName ?? "",
    "spec.restartPolicy": (o) => pod(o).spec?.restartPolicy ?? "",
    "spec.schedulerName": (o) => pod(o).spec?.schedulerName ?? "",
    "spec.serviceAccountName": (o) => pod(o).spec?.serviceAccountName ?? "",
    "spec.hostNetwork": (o) => String(pod(o).spec?.hostNetwork === true),
    "status.phase": (o) => pod(o).status?.phase ?? "",
    "status.podIP": (o) => pod(o).status?.podIPs?.[0]?.ip ?? "",
    "status.nominatedNodeName": (o) => pod(o).status?.nominatedNodeName ?? "",
  },
  strategy,
  gracefulDeletion,
  extraSubresources: [
    { name: "attach", kind: "PodAttachOptions", verbs: ["create", "get"] },
    bindingSubresource,
    ephemeralContainersSubresource,
    evictionSubresource,
    { name: "exec", kind: "PodExecOptions", verbs: ["create", "get"] },
    { name: "log", kind: "Pod", verbs: ["get"] },
    { name: "portforward", kind: "PodPortForwardOptions", verbs: ["create", "get"] },
    { name: "proxy", kind: "PodProxyOptions", verbs: ["create", "delete", "get", "patch", "update"] },
  ],
};
