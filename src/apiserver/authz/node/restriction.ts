/**
 * NodeRestriction admission (upstream's plugin/pkg/admission/noderestriction): a node may only
 * change its own Node (without touching its taints or restricted labels), the status of pods
 * bound to it, its own Lease and CSINode, create mirror pods of its own and delete pods bound to
 * it, update only the status of claims, and ask tokens only for its pods. The Node authorizer
 * decides what a node may read; this plugin checks the objects of its writes.
 */
import type { KubeObject } from "../../api/types.ts";
import type { AdmissionPlugin, AdmissionRequest } from "../../admission/index.ts";
import type { GenericStore } from "../../registry/store.ts";
import type { Node, Pod } from "../../resources/core/types.ts";
import { ApiError, errors } from "../../api/errors.ts";
import { nodeIdentity } from "./authorizer.ts";
import { podReferences } from "./references.ts";

export const NODE_RESTRICTION = "NodeRestriction";
const MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror";
const NODE_LEASE_NAMESPACE = "kube-node-lease";
const RESTRICTED_NAMESPACE = "node-restriction.kubernetes.io";

/** Labels a kubelet may set on its Node (k8s.io/kubelet's IsKubeletLabel). */
const KUBELET_LABELS = new Set([
  "kubernetes.io/hostname",
  "topology.kubernetes.io/zone",
  "topology.kubernetes.io/region",
  "failure-domain.beta.kubernetes.io/zone",
  "failure-domain.beta.kubernetes.io/region",
  "beta.kubernetes.io/instance-type",
  "node.kubernetes.io/instance-type",
  "kubernetes.io/os",
  "kubernetes.io/arch",
  "beta.kubernetes.io/os",
  "beta.kubernetes.io/arch",
]);
const KUBELET_LABEL_NAMESPACES = ["kubelet.kubernetes.io", "node.kubernetes.io"];

const labelNamespace = (key: string) => (key.includes("/") ? key.slice(0, key.indexOf("/")) : "");
const within = (ns: string, domain: string) => ns === domain || ns.endsWith(`.${domain}`);

export function isKubeletLabel(key: string): boolean {
  if (KUBELET_LABELS.has(key)) return true;
  const ns = labelNamespace(key);
  return KUBELET_LABEL_NAMESPACES.some((d) => within(ns, d));
}

/** Labels a node may not add, change or remove: node-restriction ones and unknown kubernetes.io / k8s.io ones. */
export function forbiddenNodeLabels(modified: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const label of modified) {
    const ns = labelNamespace(label);
    if (within(ns, RESTRICTED_NAMESPACE)) out.add(label);
    if ((within(ns, "kubernetes.io") || within(ns, "k8s.io")) && !isKubeletLabel(label)) out.add(label);
  }
  return [...out].sort();
}

function modifiedLabels(a: Record<string, string> = {}, b: Record<string, string> = {}): string[] {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(a)) if (b[k] !== v) out.add(k);
  for (const [k, v] of Object.entries(b)) if (a[k] !== v) out.add(k);
  return [...out];
}

function forbidden(req: AdmissionRequest, why: string): ApiError {
  const name = req.obj.metadata?.name ?? req.old?.metadata?.name;
  return errors.forbidden({ group: req.def.group, resource: req.def.plural, name }, why);
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export interface NodeRestrictionOptions {
  nodes(): GenericStore | undefined;
}

export function nodeRestriction(opts: NodeRestrictionOptions): AdmissionPlugin {
  async function admitPodCreate(req: AdmissionRequest, node: string): Promise<void> {
    const pod = req.obj as Pod;
    if (pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] === undefined) throw forbidden(req, `pod does not have "${MIRROR_POD_ANNOTATION}" annotation, node "${node}" can only create mirror pods`);
    if (pod.spec?.nodeName !== node) throw forbidden(req, `node "${node}" can only create pods with spec.nodeName set to itself`);
    const owners = pod.metadata?.ownerReferences ?? [];
    if (owners.length > 1) throw forbidden(req, `node "${node}" can only create pods with a single owner reference set to itself`);
    const owner = owners[0];
    if (!owner || owner.apiVersion !== "v1" || owner.kind !== "Node" || owner.name !== node) throw forbidden(req, `node "${node}" can only create pods with an owner reference set to itself`);
    if (!owner.controller) throw forbidden(req, `node "${node}" can only create pods with a controller owner reference set to itself`);
    if (owner.blockOwnerDeletion) throw forbidden(req, `node "${node}" must not set blockOwnerDeletion on an owner reference`);
    const nodeObj = (await opts.nodes()?.get("", node)) as Node | undefined;
    if (nodeObj && owner.uid !== nodeObj.metadata?.uid) throw forbidden(req, `node ${node} UID mismatch: expected ${owner.uid} got ${nodeObj.metadata?.uid}`);
    if (pod.spec?.serviceAccountName) throw forbidden(req, `node "${node}" can not create pods that reference a service account`);
    const refs = podReferences(pod);
    if (refs.secrets.length > 0) throw forbidden(req, `node "${node}" can not create pods that reference secrets`);
    if (refs.configMaps.length > 0) throw forbidden(req, `node "${node}" can not create pods that reference configmaps`);
    if ((pod.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim)) throw forbidden(req, `node "${node}" can not create pods that reference persistentvolumeclaims`);
  }

  async function admitPod(req: AdmissionRequest, node: string): Promise<void> {
    const sub = req.ctx.subresource ?? "";
    if (sub === "status") {
      if (req.operation !== "UPDATE") throw forbidden(req, `unexpected operation "${req.operation}"`);
      const old = req.old as Pod;
      if (old.spec?.nodeName !== node) throw forbidden(req, `node "${node}" can only update pod status for pods with spec.nodeName set to itself`);
      if (!sameJson(old.metadata?.labels ?? {}, req.obj.metadata?.labels ?? {})) throw forbidden(req, `node "${node}" cannot update labels through pod status`);
      return;
    }
    if (sub === "eviction") return;
    if (sub !== "") throw forbidden(req, `unexpected pod subresource "${sub}", only 'status' and 'eviction' are allowed`);
    if (req.operation === "CREATE") return admitPodCreate(req, node);
    if (req.operation === "DELETE") {
      if ((req.obj as Pod).spec?.nodeName !== node) throw forbidden(req, `node "${node}" can only delete pods with spec.nodeName set to itself`);
      return;
    }
    throw forbidden(req, `unexpected operation "${req.operation}", node "${node}" can only create and delete mirror pods`);
  }

  function admitNode(req: AdmissionRequest, node: string): void {
    const requested = req.obj.metadata?.name ?? "";
    if (requested !== node) throw forbidden(req, `node "${node}" is not allowed to modify node "${requested}"`);
    const obj = req.obj as Node;
    if (req.operation === "CREATE") {
      if ((obj.spec as { configSource?: unknown } | undefined)?.configSource) throw forbidden(req, `node "${node}" is not allowed to create pods with a non-nil configSource`);
      const bad = forbiddenNodeLabels(Object.keys(obj.metadata?.labels ?? {}));
      if (bad.length > 0) throw forbidden(req, `node "${node}" is not allowed to set the following labels: ${bad.join(", ")}`);
    }
    if (req.operation === "UPDATE") {
      const old = req.old as Node;
      const source = (obj.spec as { configSource?: unknown } | undefined)?.configSource;
      if (source && !sameJson(source, (old.spec as { configSource?: unknown } | undefined)?.configSource)) throw forbidden(req, `node "${node}" is not allowed to update configSource to a new non-nil configSource`);
      if (!sameJson(obj.spec?.taints ?? [], old.spec?.taints ?? [])) throw forbidden(req, `node "${node}" is not allowed to modify taints`);
      const bad = forbiddenNodeLabels(modifiedLabels(obj.metadata?.labels, old.metadata?.labels));
      if (bad.length > 0) throw forbidden(req, `is not allowed to modify labels: ${bad.join(", ")}`);
    }
  }

  function admitNamedOwn(req: AdmissionRequest, node: string, what: string): void {
    if (req.obj.metadata?.name !== node) throw forbidden(req, `can only access ${what} with the same name as the requesting node`);
  }

  return {
    name: NODE_RESTRICTION,
    async validate(req) {
      const id = nodeIdentity(req.ctx.user);
      if (!id.isNode) return;
      if (!id.nodeName) throw forbidden(req, `could not determine node from user "${req.ctx.user.username}"`);
      const node = id.nodeName;
      switch (`${req.def.group}/${req.def.plural}`) {
        case "/pods":
          return admitPod(req, node);
        case "/nodes":
          return admitNode(req, node);
        case "/persistentvolumeclaims":
          if (req.ctx.subresource !== "status") throw forbidden(req, "may only update PVC status");
          if (req.operation !== "UPDATE") throw forbidden(req, `unexpected operation "${req.operation}"`);
          return admitClaimStatus(req, node);
        case "coordination.k8s.io/leases":
          if (req.obj.metadata?.namespace !== NODE_LEASE_NAMESPACE && req.ctx.namespace !== NODE_LEASE_NAMESPACE) throw forbidden(req, `can only access leases in the "${NODE_LEASE_NAMESPACE}" system namespace`);
          return admitNamedOwn(req, node, "node lease");
        case "storage.k8s.io/csinodes":
          return admitNamedOwn(req, node, "CSINode");
      }
    },
  };
}

/** A node may change a claim's status capacity and conditions, nothing else. */
function admitClaimStatus(req: AdmissionRequest, node: string): void {
  const strip = (o: KubeObject | undefined) => {
    const c = structuredClone(o ?? {}) as KubeObject & { status?: Record<string, unknown> };
    if (c.metadata) {
      delete c.metadata.resourceVersion;
      delete c.metadata.managedFields;
    }
    if (c.status) {
      delete c.status.capacity;
      delete c.status.conditions;
      delete c.status.allocatedResourceStatuses;
      delete c.status.allocatedResources;
    }
    return c;
  };
  if (!sameJson(strip(req.obj), strip(req.old))) throw forbidden(req, `node "${node}" is not allowed to update fields other than status.capacity and status.conditions`);
}

/**
 * A node's TokenRequest must be bound to a pod of its own (NodeRestriction's service account
 * check); the TokenRequest handler calls this with the pod it found.
 */
export function checkNodeTokenRequest(nodeName: string, ref: { apiVersion?: string; kind?: string; name?: string; uid?: string } | undefined, pod: Pod | undefined): string | undefined {
  if (!ref || ref.apiVersion !== "v1" || ref.kind !== "Pod" || !ref.name) return "node requested token not bound to a pod";
  if (!ref.uid) return "node requested token with a pod binding without a uid";
  if (!pod) return undefined;
  if (ref.uid !== pod.metadata?.uid) return `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`;
  if (pod.spec?.nodeName !== nodeName) return "node requested token bound to a pod scheduled on a different node";
  return undefined;
}
