/**
 * Finding the workload an event concerns (upstream's resolveControllerRef and the "get owners of
 * an orphan" lookups each workload controller repeats): the owner a controller reference names,
 * if the cache still holds that very object, and the owners whose selector matches an orphan.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { Informer } from "../../client/index.ts";
import { labelSelectorFromObject, type LabelSelector } from "../../apiserver/selectors/index.ts";
import type { OwnerReference } from "./types.ts";

type SelectorObject = Parameters<typeof labelSelectorFromObject>[0];

/** A label selector object parsed, or undefined when it cannot be parsed (it selects nothing then). */
export function parseSelector(selector: SelectorObject): LabelSelector | undefined {
  try {
    return labelSelectorFromObject(selector);
  } catch {
    return undefined;
  }
}

/** The parsed spec.selector of a Deployment, StatefulSet, DaemonSet or ReplicaSet. */
export function specSelector(obj: KubeObject): LabelSelector | undefined {
  return parseSelector((obj.spec as { selector?: SelectorObject } | undefined)?.selector);
}

/** The cached owner of `kind` that `ref` names in `namespace`, if it is still the same object (same uid). */
export function resolveControllerRef(owners: Informer, kind: string, namespace: string, ref: OwnerReference | undefined): KubeObject | undefined {
  if (!ref || ref.kind !== kind) return undefined;
  const owner = owners.get(`${namespace}/${ref.name}`);
  return owner?.metadata?.uid === ref.uid ? owner : undefined;
}

/** The owners in the object's namespace whose selector matches its labels (they may adopt it). */
export function ownersSelecting(owners: Informer, obj: KubeObject, selectorOf: (owner: KubeObject) => LabelSelector | undefined = specSelector): KubeObject[] {
  return owners.listIn(obj.metadata?.namespace ?? "").filter((o) => selectorOf(o)?.matches(obj.metadata?.labels) ?? false);
}
