/**
 * ControllerRevisions (upstream's controller/history): immutable snapshots of a StatefulSet's
 * or DaemonSet's pod template, numbered by `revision`. `data` is a strategic merge patch that
 * replaces spec.template, so `kubectl rollout undo` can apply a revision as it is.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { Client } from "../../client/index.ts";
import type { ControllerRevision, PodTemplateSpec } from "./types.ts";
import { newControllerRef } from "./controller-ref.ts";
import { deepEqual } from "./equal.ts";
import { hashRevisionData } from "./hash.ts";
import { CONTROLLER_REVISIONS, isApiError, timeOf } from "./types.ts";

export const CONTROLLER_REVISION_HASH = "controller-revision-hash";

/** The revision data of an object: {"spec":{"template":{…,"$patch":"replace"}}} (getPatch). */
export function templatePatch(template: PodTemplateSpec | undefined): Record<string, unknown> {
  return { spec: { template: { ...structuredClone(template ?? {}), $patch: "replace" } } };
}

/** The template a revision holds. */
export function revisionTemplate(rev: ControllerRevision): PodTemplateSpec {
  const data = (rev.data ?? {}) as { spec?: { template?: Record<string, unknown> } };
  const { $patch: _directive, ...template } = structuredClone(data.spec?.template ?? {});
  return template as PodTemplateSpec;
}

/** ControllerRevisionName: prefix (cut to 223 characters) and hash. */
export function revisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`;
}

/** By revision number, then age, then name. */
export function sortRevisions(revs: ControllerRevision[]): ControllerRevision[] {
  return revs.sort(
    (a, b) =>
      (a.revision ?? 0) - (b.revision ?? 0) ||
      timeOf(a.metadata?.creationTimestamp) - timeOf(b.metadata?.creationTimestamp) ||
      (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""),
  );
}

export function equalRevision(a: ControllerRevision | undefined, b: ControllerRevision | undefined): boolean {
  if (!a || !b) return a === b;
  return deepEqual(a.data, b.data);
}

export function nextRevision(sorted: ControllerRevision[]): number {
  return sorted.length === 0 ? 1 : (sorted[sorted.length - 1]!.revision ?? 0) + 1;
}

/** A revision of `owner` (not yet stored): its template labels plus the hash label, controlled by it. */
export function newRevision(owner: KubeObject, template: PodTemplateSpec | undefined, revision: number, hash: string, name: string): ControllerRevision {
  return {
    apiVersion: "apps/v1",
    kind: "ControllerRevision",
    metadata: {
      name,
      namespace: owner.metadata?.namespace,
      labels: { ...template?.metadata?.labels, [CONTROLLER_REVISION_HASH]: hash },
      ...(owner.metadata?.annotations ? { annotations: { ...owner.metadata.annotations } } : {}),
      ownerReferences: [newControllerRef(owner)],
    },
    data: templatePatch(template),
    revision,
  };
}

/**
 * Stores a revision named after the hash of its data (CreateControllerRevision). A revision of
 * that name with the same data is returned as is; different data is a collision: the count goes
 * up and the next hash is tried. `collisionCount.value` is what the owner's status must record.
 */
export async function createRevision(client: Client, owner: KubeObject, template: PodTemplateSpec | undefined, revision: number, collisionCount: { value: number }): Promise<ControllerRevision> {
  const ns = owner.metadata?.namespace ?? "";
  for (;;) {
    const data = templatePatch(template);
    const hash = hashRevisionData(data, collisionCount.value);
    const rev = newRevision(owner, template, revision, hash, revisionName(owner.metadata!.name!, hash));
    try {
      return (await client.create(CONTROLLER_REVISIONS, ns, rev)) as ControllerRevision;
    } catch (err) {
      if (!isApiError(err, 409)) throw err;
      const existing = (await client.get(CONTROLLER_REVISIONS, ns, rev.metadata!.name!)) as ControllerRevision;
      if (deepEqual(existing.data, rev.data)) return existing;
      collisionCount.value++;
    }
  }
}

/** Gives an existing revision a new number (a rollback to it). */
export async function renumberRevision(client: Client, rev: ControllerRevision, revision: number): Promise<ControllerRevision> {
  if (rev.revision === revision) return rev;
  const next = structuredClone(rev);
  next.revision = revision;
  return (await client.update(CONTROLLER_REVISIONS, rev.metadata?.namespace ?? "", next)) as ControllerRevision;
}
