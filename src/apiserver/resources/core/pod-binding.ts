/**
 * Binding a pod to a node (upstream's BindingREST in pkg/registry/core/pod/storage): the
 * scheduler POSTs a Binding to pods/<name>/binding or to the namespace's bindings collection,
 * and the pod gets spec.nodeName, the Binding's annotations and a PodScheduled=True condition.
 * The pod is written directly, without the pod update rules (which forbid changing nodeName).
 */
import type { V1Binding } from "@kubernetes/client-node";
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject, Wire } from "../../api/types.ts";
import type { ExtraSubresource, RequestContext, ResourceDefinition, ResourceLookup } from "../../registry/definition.ts";
import type { GenericStore } from "../../registry/store.ts";
import { errors, fieldErrorMessage } from "../../api/errors.ts";
import { PlainServerError } from "../../api/plain-error.ts";
import { rfc3339 } from "../../registry/object-meta.ts";
import { field } from "../../validation/field.ts";
import type { Pod } from "./types.ts";

type Binding = Wire<V1Binding>;
type PodCondition = NonNullable<NonNullable<Pod["status"]>["conditions"]>[number];

/** upstream's ValidatePodBinding. */
export function validateBinding(binding: Binding): FieldError[] {
  const errs: FieldError[] = [];
  const kind = binding.target?.kind ?? "";
  if (kind && kind !== "Node") errs.push(field.notSupported("target.kind", kind, ["Node", "<empty>"]));
  if (!binding.target?.name) errs.push(field.required("target.name"));
  return errs;
}

/** A field.ErrorList's ToAggregate() text: one error alone, several in brackets. */
function aggregate(errs: FieldError[]): string {
  const msgs = errs.map(fieldErrorMessage);
  return msgs.length === 1 ? msgs[0]! : `[${msgs.join(", ")}]`;
}

/** upstream's podutil.UpdatePodCondition for PodScheduled=True: the transition time moves only on a status change. */
function setScheduled(pod: Pod, now: string): void {
  const status = (pod.status ??= {});
  const conditions = (status.conditions ??= []);
  const next: PodCondition = { type: "PodScheduled", status: "True", lastProbeTime: null as unknown as string, lastTransitionTime: now };
  const i = conditions.findIndex((c) => c.type === "PodScheduled");
  if (i < 0) conditions.push(next);
  else {
    if (conditions[i]!.status === "True") next.lastTransitionTime = conditions[i]!.lastTransitionTime;
    conditions[i] = next;
  }
}

/** A storage precondition that failed, as upstream's InterpretUpdateError words it. */
function preconditionFailed(pods: GenericStore, namespace: string, name: string, what: string, wanted: string, actual: string | undefined): Error {
  const why = `Precondition failed: ${what} in precondition: ${wanted}, ${what} in object meta: ${actual ?? ""}`;
  return errors.conflict({ resource: "pods", name }, `StorageError: invalid object, Code: 4, Key: ${pods.key(namespace, name)}, ResourceVersion: 0, AdditionalErrorMsg: ${why}`);
}

/** Binds the pod the Binding names; answers the Status upstream answers. */
export async function bindPod(pods: GenericStore, namespace: string, body: KubeObject, ctx: RequestContext, dryRun: boolean, urlName?: string): Promise<KubeObject> {
  const binding = body as unknown as Binding;
  if (body.kind && body.kind !== "Binding") throw errors.badRequest(`not a Binding object: ${body.kind}`);
  const name = binding.metadata?.name ?? "";
  if (urlName !== undefined && name !== urlName) throw errors.badRequest("name in URL does not match name in Binding object");
  if (binding.metadata?.namespace && binding.metadata.namespace !== namespace) {
    throw errors.badRequest("the namespace of the provided object does not match the namespace sent on the request");
  }
  const problems = validateBinding(binding);
  if (problems.length > 0) throw new PlainServerError(aggregate(problems));
  if (!name) throw errors.badRequest("Name parameter required.");
  const { uid, resourceVersion } = binding.metadata ?? {};
  const node = binding.target!.name!;
  await pods.guaranteedUpdate(
    namespace,
    name,
    (current) => {
      const pod = current as unknown as Pod;
      if (uid && uid !== pod.metadata?.uid) throw preconditionFailed(pods, namespace, name, "UID", uid, pod.metadata?.uid);
      if (resourceVersion && resourceVersion !== pod.metadata?.resourceVersion) {
        throw preconditionFailed(pods, namespace, name, "ResourceVersion", resourceVersion, pod.metadata?.resourceVersion);
      }
      const target = { resource: "pods/binding", name };
      if (pod.metadata?.deletionTimestamp) throw errors.conflict(target, `pod ${name} is being deleted, cannot be assigned to a host`);
      if (pod.spec?.nodeName) throw errors.conflict(target, `pod ${name} is already assigned to node ${JSON.stringify(pod.spec.nodeName)}`);
      pod.spec = { ...pod.spec!, nodeName: node };
      const annotations = binding.metadata?.annotations;
      if (annotations && Object.keys(annotations).length > 0) pod.metadata = { ...pod.metadata, annotations: { ...pod.metadata?.annotations, ...annotations } };
      setScheduled(pod, rfc3339(ctx.now));
      return pod as unknown as KubeObject;
    },
    { dryRun },
  );
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 };
}

/** pods/<name>/binding. */
export const bindingSubresource: ExtraSubresource = {
  name: "binding",
  kind: "Binding",
  verbs: ["create"],
  create: async (req, body) => ({ object: await bindPod(req.store, req.namespace, body, req.ctx, req.dryRun, req.name) }),
};

function podStore(resources: ResourceLookup): GenericStore {
  const pods = resources.lookup("", "v1", "pods");
  if (!pods) throw errors.internal(new Error("pods are not served"));
  return pods;
}

/** POST /api/v1/namespaces/<ns>/bindings: the older form, naming the pod in the Binding itself. */
export const bindingDefinition: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "Binding",
  plural: "bindings",
  singular: "binding",
  namespaced: true,
  verbs: ["create"],
  virtual: { create: (obj, ctx, resources) => bindPod(podStore(resources), ctx.namespace, obj, ctx, ctx.dryRun) },
};
