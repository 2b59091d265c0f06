/**
 * The DefaultStorageClass admission plugin (upstream's plugin/pkg/admission/storage/storageclass/
 * setdefault): a new PersistentVolumeClaim that names no class (neither spec.storageClassName nor
 * the beta annotation; "" counts as a choice) gets the default StorageClass — the one annotated
 * storageclass.kubernetes.io/is-default-class=true, the newest when several are.
 */
import type { KubeObject } from "../api/types.ts";
import type { GenericStore } from "../registry/store.ts";
import type { AdmissionPlugin } from "./chain.ts";

export const DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";
const BETA_DEFAULT_CLASS_ANNOTATION = "storageclass.beta.kubernetes.io/is-default-class";
const BETA_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class";

export interface DefaultStorageClassOptions {
  storageClasses(): GenericStore | undefined;
}

function isDefault(sc: KubeObject): boolean {
  const a = sc.metadata?.annotations ?? {};
  return a[DEFAULT_CLASS_ANNOTATION] === "true" || a[BETA_DEFAULT_CLASS_ANNOTATION] === "true";
}

/** The default class: of several, the newest (then the first by name), as upstream's GetDefaultClass picks. */
export function pickDefaultClass(classes: KubeObject[]): KubeObject | undefined {
  const defaults = classes.filter(isDefault);
  defaults.sort((a, b) => {
    const ta = Date.parse(a.metadata?.creationTimestamp ?? "") || 0;
    const tb = Date.parse(b.metadata?.creationTimestamp ?? "") || 0;
    if (ta !== tb) return tb - ta;
    return (a.metadata?.name ?? "") < (b.metadata?.name ?? "") ? -1 : 1;
  });
  return defaults[0];
}

export function defaultStorageClass(opts: DefaultStorageClassOptions): AdmissionPlugin {
  return {
    name: "DefaultStorageClass",
    async mutate(req) {
      if (req.operation !== "CREATE" || req.ctx.subresource || req.def.group !== "" || req.def.plural !== "persistentvolumeclaims") return;
      const spec = (req.obj.spec ??= {}) as { storageClassName?: string | null };
      if (spec.storageClassName != null || req.obj.metadata?.annotations?.[BETA_CLASS_ANNOTATION] !== undefined) return;
      const store = opts.storageClasses();
      if (!store) return;
      const chosen = pickDefaultClass((await store.list("")).items);
      if (chosen?.metadata?.name) spec.storageClassName = chosen.metadata.name;
    },
  };
}
