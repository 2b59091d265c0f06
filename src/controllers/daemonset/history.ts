/**
 * A DaemonSet's ControllerRevisions (upstream's daemon/update.go history part): the revision
 * whose data is the current template (made when missing, renumbered to be the newest), named
 * <ds>-<hash of the template> with that hash as the pods' controller-revision-hash; old ones
 * beyond revisionHistoryLimit that no pod uses are deleted.
 */
import type { Client } from "../../client/index.ts";
import type { ControllerRevision, DaemonSet, Pod } from "../common/types.ts";
import { isControlledBy } from "../common/controller-ref.ts";
import { deepEqual } from "../common/equal.ts";
import { computeHash } from "../common/hash.ts";
import { CONTROLLER_REVISION_HASH, newRevision, renumberRevision, revisionName, sortRevisions, templatePatch } from "../common/history.ts";
import { writeStatus } from "../common/status-writer.ts";
import { CONTROLLER_REVISIONS, DAEMONSETS, isApiError } from "../common/types.ts";

export const matchesTemplate = (ds: DaemonSet, rev: ControllerRevision): boolean => deepEqual(rev.data, templatePatch(ds.spec?.template));

/** constructHistory: the current revision (its hash labels new pods) and the old ones. */
export async function currentRevision(client: Client, ds: DaemonSet, revisions: ControllerRevision[]): Promise<{ current: ControllerRevision; old: ControllerRevision[] }> {
  const ns = ds.metadata?.namespace ?? "";
  const current: ControllerRevision[] = [];
  const old: ControllerRevision[] = [];
  for (let rev of revisions) {
    // A revision without the hash label gets its name as the label (never recomputed: no collisions).
    if (!rev.metadata?.labels?.[CONTROLLER_REVISION_HASH]) {
      const copy = structuredClone(rev);
      copy.metadata!.labels = { ...copy.metadata!.labels, [CONTROLLER_REVISION_HASH]: copy.metadata!.name! };
      rev = (await client.update(CONTROLLER_REVISIONS, ns, copy)) as ControllerRevision;
    }
    (matchesTemplate(ds, rev) ? current : old).push(rev);
  }
  const next = old.reduce((m, r) => Math.max(m, r.revision ?? 0), 0) + 1;
  if (current.length === 0) return { current: await snapshot(client, ds, next), old };
  // Duplicates of the current template: keep the newest.
  sortRevisions(current);
  const keep = current.pop()!;
  for (const dup of current) await deleteRevision(client, ns, dup.metadata!.name!);
  return { current: (keep.revision ?? 0) < next ? await renumberRevision(client, keep, next) : keep, old };
}

/** Stores the template as a revision; a name taken by other data is a collision (the count goes up, the sync retries). */
async function snapshot(client: Client, ds: DaemonSet, revision: number): Promise<ControllerRevision> {
  const ns = ds.metadata?.namespace ?? "";
  const hash = computeHash(ds.spec?.template, ds.status?.collisionCount ?? undefined);
  const rev = newRevision(ds, ds.spec?.template, revision, hash, revisionName(ds.metadata!.name!, hash));
  try {
    return (await client.create(CONTROLLER_REVISIONS, ns, rev)) as ControllerRevision;
  } catch (err) {
    if (!isApiError(err, 409)) throw err;
    const existing = (await client.get(CONTROLLER_REVISIONS, ns, rev.metadata!.name!)) as ControllerRevision;
    if (matchesTemplate(ds, existing) && isControlledBy(existing, ds)) return existing;
    const status = { ...structuredClone(ds.status ?? {}), collisionCount: (ds.status?.collisionCount ?? 0) + 1 };
    await writeStatus(client, DAEMONSETS, ds, status);
    throw new Error(`found a hash collision for DaemonSet ${ns}/${ds.metadata?.name}: collisionCount is now ${status.collisionCount}`);
  }
}

async function deleteRevision(client: Client, ns: string, name: string): Promise<void> {
  try {
    await client.delete(CONTROLLER_REVISIONS, ns, name);
  } catch (err) {
    if (!isApiError(err, 404)) throw err;
  }
}

/** cleanupHistory: old revisions beyond the limit, oldest first, unless a pod still runs them. */
export async function cleanupHistory(client: Client, ds: DaemonSet, old: ControllerRevision[], pods: Pod[]): Promise<void> {
  let toKill = old.length - (ds.spec?.revisionHistoryLimit ?? 10);
  if (toKill <= 0) return;
  const live = new Set(pods.map((p) => p.metadata?.labels?.[CONTROLLER_REVISION_HASH]));
  for (const rev of sortRevisions([...old])) {
    if (toKill <= 0) break;
    if (live.has(rev.metadata?.labels?.[CONTROLLER_REVISION_HASH])) continue;
    await deleteRevision(client, ds.metadata?.namespace ?? "", rev.metadata!.name!);
    toKill--;
  }
}
