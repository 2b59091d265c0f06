/**
 * Owner references between controllers and what they control (upstream's ControllerRefManager):
 * an object belongs to the controller its controller reference names. A controller adopts
 * orphans its selector matches (unless it is being deleted, checked against the API, not the
 * cache) and releases objects it owns that its selector no longer matches.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { LabelSelector } from "../../apiserver/selectors/index.ts";
import type { Client, ResourceRef } from "../../client/index.ts";
import type { OwnerReference } from "./types.ts";
import { isApiError } from "./types.ts";

export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  return controllerOf(obj)?.uid === owner.metadata?.uid;
}

export function newControllerRef(owner: KubeObject): OwnerReference {
  return { apiVersion: owner.apiVersion!, kind: owner.kind!, name: owner.metadata!.name!, uid: owner.metadata!.uid!, controller: true, blockOwnerDeletion: true };
}

export interface ClaimOptions {
  client: Client;
  /** The resource of the objects claimed (pods, replicasets, controllerrevisions). */
  ref: ResourceRef;
  owner: KubeObject;
  /** The owner's resource, to re-read it before adopting. */
  ownerRef: ResourceRef;
  selector: LabelSelector;
  /** Further conditions for ownership (a StatefulSet claims only pods named after it). */
  filter?(obj: KubeObject): boolean;
}

/**
 * The objects the owner controls after adopting matching orphans and releasing owned
 * non-matching ones. Objects another controller owns are left alone.
 */
export async function claim(candidates: KubeObject[], opts: ClaimOptions): Promise<KubeObject[]> {
  const { owner, selector } = opts;
  const matches = (o: KubeObject) => selector.matches(o.metadata?.labels) && (opts.filter?.(o) ?? true);
  const ownerDeleting = !!owner.metadata?.deletionTimestamp;
  const claimed: KubeObject[] = [];
  let canAdopt: Promise<boolean> | undefined;
  for (const obj of candidates) {
    const ref = controllerOf(obj);
    if (ref) {
      if (ref.uid !== owner.metadata?.uid) continue;
      if (matches(obj) || ownerDeleting) {
        claimed.push(obj);
        continue;
      }
      await release(opts, obj);
      continue;
    }
    if (ownerDeleting || !matches(obj) || obj.metadata?.deletionTimestamp) continue;
    canAdopt ??= ownerStillLive(opts);
    if (!(await canAdopt)) continue;
    const adopted = await adopt(opts, obj);
    if (adopted) claimed.push(adopted);
  }
  return claimed;
}

/** The owner as the API has it now: adopting for a deleted or replaced owner would leak objects. */
async function ownerStillLive(opts: ClaimOptions): Promise<boolean> {
  const { owner } = opts;
  try {
    const fresh = await opts.client.get(opts.ownerRef, owner.metadata?.namespace ?? "", owner.metadata!.name!);
    return fresh.metadata?.uid === owner.metadata?.uid && !fresh.metadata?.deletionTimestamp;
  } catch (err) {
    if (isApiError(err, 404)) return false;
    throw err;
  }
}

async function adopt(opts: ClaimOptions, obj: KubeObject): Promise<KubeObject | undefined> {
  const next = structuredClone(obj);
  next.metadata!.ownerReferences = [...(next.metadata!.ownerReferences ?? []), newControllerRef(opts.owner)];
  try {
    return await opts.client.update(opts.ref, obj.metadata?.namespace ?? "", next);
  } catch (err) {
    // Gone or changed meanwhile: the next sync sees its current state.
    if (isApiError(err, 404)) return undefined;
    throw err;
  }
}

async function release(opts: ClaimOptions, obj: KubeObject): Promise<void> {
  const next = structuredClone(obj);
  next.metadata!.ownerReferences = (next.metadata!.ownerReferences ?? []).filter((r) => r.uid !== opts.owner.metadata?.uid);
  try {
    await opts.client.update(opts.ref, obj.metadata?.namespace ?? "", next);
  } catch (err) {
    if (!isApiError(err, 404)) throw err;
  }
}
