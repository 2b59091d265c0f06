/**
 * HorizontalPodAutoscalers (upstream pkg/registry/autoscaling/horizontalpodautoscaler): stored as
 * autoscaling/v2 and also served as autoscaling/v1 from the same objects through the v1<->v2
 * conversion. Both versions are defaulted, validated and printed as the v2 (internal) shape.
 */
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject } from "../../api/types.ts";
import type { ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { hpaColumns } from "./columns.ts";
import { asV1, asV2, hpaV1ToV2, hpaV2ToV1 } from "./convert.ts";
import { defaultHpaV2 } from "./defaults.ts";
import type { HpaV2 } from "./types.ts";
import { minReplicasLowerBound, validateHpaSpec, validateHpaStatus } from "./validation.ts";

/** The minReplicas lower bound of an object being updated, from the stored object (see minReplicasLowerBound). */
const updateBounds = new WeakMap<KubeObject, number>();

/** The strategy of one served version, given that version's view of an object as v2. */
function hpaStrategy(toV2: (obj: KubeObject) => HpaV2, emptyStatus: () => Record<string, number>, defaults: (obj: KubeObject) => void): Strategy {
  return {
    defaults,
    prepareForCreate(obj) {
      // A new autoscaler has no status; the controller fills it.
      obj.status = emptyStatus();
    },
    prepareForUpdate(obj, old) {
      updateBounds.set(obj, minReplicasLowerBound(toV2(old)));
    },
    validate: (obj): FieldError[] => validateHpaSpec(toV2(obj).spec ?? {}, updateBounds.get(obj) ?? 1),
    validateStatusUpdate: (obj) => validateHpaStatus(toV2(obj)),
  };
}

const common: Omit<ResourceDefinition, "version"> = {
  group: "autoscaling",
  kind: "HorizontalPodAutoscaler",
  plural: "horizontalpodautoscalers",
  singular: "horizontalpodautoscaler",
  shortNames: ["hpa"],
  categories: ["all"],
  namespaced: true,
  statusSubresource: true,
};

export const hpaV2Definition: ResourceDefinition = {
  ...common,
  version: "v2",
  printerColumns: hpaColumns(asV2),
  strategy: hpaStrategy(asV2, () => ({ desiredReplicas: 0 }), (obj) => defaultHpaV2(asV2(obj))),
};

/** A v1 object as the v2 object it converts to. */
const v1AsV2 = (obj: KubeObject) => hpaV1ToV2(asV1(obj));

export const hpaV1Definition: ResourceDefinition = {
  ...common,
  version: "v1",
  printerColumns: hpaColumns(v1AsV2),
  // autoscaling/v1's own default; everything else is v2's, applied on the way into storage.
  strategy: hpaStrategy(v1AsV2, () => ({ currentReplicas: 0, desiredReplicas: 0 }), (obj) => {
    const spec = (asV1(obj).spec ??= {});
    spec.minReplicas ??= 1;
  }),
  storageConversion: {
    toStored(obj) {
      const v2 = hpaV1ToV2(asV1(obj));
      defaultHpaV2(v2);
      return v2 as unknown as KubeObject;
    },
    fromStored: (obj) => hpaV2ToV1(asV2(obj)) as unknown as KubeObject,
  },
};
