/**
 * pods/<name>/ephemeralcontainers (upstream's EphemeralContainersREST and its strategy): GET
 * returns the pod; PUT and PATCH change nothing but spec.ephemeralContainers, which may only
 * grow: existing ephemeral containers can be neither removed nor changed. The result must still
 * be a valid pod (so no ports, probes, resources or lifecycle on an ephemeral container, and a
 * targetContainerName that exists). `kubectl debug` adds its container by a strategic merge patch
 * here; the node's agent then runs it.
 */
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject } from "../../api/types.ts";
import type { ExtraSubresource, SubresourceRequest } from "../../registry/definition.ts";
import { errors } from "../../api/errors.ts";
import { field, FieldPath } from "../../validation/field.ts";
import { defaultContainer } from "./pod-spec-defaults.ts";
import { validatePod } from "./pod-validation.ts";
import { differingPaths, semanticEqual } from "./semantic.ts";
import type { EphemeralContainer, Pod } from "./types.ts";

const MIRROR_POD = "kubernetes.io/config.mirror";
const PATH = FieldPath.root("spec").child("ephemeralContainers");

/** upstream's ValidatePodEphemeralContainersUpdate, part 2: only additions. */
export function ephemeralUpdateErrors(next: EphemeralContainer[], old: EphemeralContainer[]): FieldError[] {
  const errs: FieldError[] = [];
  const byName = new Map(next.map((c) => [c.name, c]));
  for (const before of old) {
    const now = byName.get(before.name);
    if (!now) errs.push(field.forbidden(PATH, `existing ephemeral containers ${JSON.stringify(before.name)} may not be removed\n`));
    else if (!semanticEqual(before, now)) {
      const diff = differingPaths(before, now).map((p) => `  ${p}`).join("\n");
      errs.push(field.forbidden(PATH.child(before.name), `existing ephemeral containers ${JSON.stringify(before.name)} may not be changed\n${diff}`));
    }
  }
  return errs;
}

/** The stored pod with only its ephemeral containers taken from `input`, validated. */
function withEphemeralContainers(current: KubeObject, input: KubeObject, name: string): KubeObject {
  if (input.kind && input.kind !== "Pod") throw errors.badRequest(`not a Pod object: ${input.kind}`);
  const old = current as unknown as Pod;
  const wanted = input.metadata?.resourceVersion;
  if (wanted && wanted !== old.metadata?.resourceVersion) throw errors.staleResourceVersion({ resource: "pods", name });
  if (input.metadata?.uid && input.metadata.uid !== old.metadata?.uid) {
    throw errors.conflict({ resource: "pods", name }, `Precondition failed: UID in precondition: ${input.metadata.uid}, UID in object meta: ${old.metadata?.uid ?? ""}`);
  }
  if (old.metadata?.annotations?.[MIRROR_POD] !== undefined) {
    throw errors.invalid({ kind: "Pod", name }, [field.forbidden("", "static pods do not support ephemeral containers")]);
  }
  const next = structuredClone(old);
  const ephemeral = structuredClone(((input as unknown as Pod).spec?.ephemeralContainers ?? []) as EphemeralContainer[]);
  for (const c of ephemeral) defaultContainer(c);
  next.spec = { ...next.spec!, ephemeralContainers: ephemeral.length > 0 ? ephemeral : undefined };
  const problems = [...validatePod(next), ...ephemeralUpdateErrors(ephemeral, old.spec?.ephemeralContainers ?? [])];
  if (problems.length > 0) throw errors.invalid({ kind: "Pod", name }, problems);
  return next as unknown as KubeObject;
}

function write(req: SubresourceRequest, compute: (current: KubeObject) => KubeObject): Promise<KubeObject> {
  return req.store.guaranteedUpdate(req.namespace, req.name, (current) => withEphemeralContainers(current, compute(current), req.name), { dryRun: req.dryRun });
}

export const ephemeralContainersSubresource: ExtraSubresource = {
  name: "ephemeralcontainers",
  kind: "Pod",
  verbs: ["get", "patch", "update"],
  get: (req) => req.store.get(req.namespace, req.name),
  update: (req, body) => {
    const bodyName = body.metadata?.name;
    if (bodyName && bodyName !== req.name) throw errors.badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${req.name})`);
    return write(req, () => body);
  },
  patch: (req, patched) => write(req, patched),
};
