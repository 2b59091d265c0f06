/**
 * The strategy of a workload that owns pods through a label selector and a pod template
 * (ReplicaSet, Deployment, DaemonSet): upstream's strategies share the status handling, the
 * immutable selector and the pod-name warnings, and differ in defaults and spec validation.
 */
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject } from "../../api/types.ts";
import type { Strategy } from "../../registry/definition.ts";
import { FieldPath } from "../../validation/field.ts";
import { validateSelectorUnchanged } from "./label-selector.ts";
import { podNameWarnings } from "./pod-template.ts";
import { keepOldStatus, resetStatus } from "./status.ts";

interface Workload<S> {
  spec?: S;
}

export interface WorkloadStrategyParts<W extends Workload<S>, S> {
  /** The typed view of a stored object. */
  view: (obj: KubeObject) => W;
  defaults: (w: W) => void;
  validateSpec: (spec: S, path: FieldPath) => FieldError[];
  /** Runs after the status is reset on create. */
  afterCreateReset?: (w: W) => void;
  /** Runs after the old status is kept on update. */
  afterUpdateKeep?: (w: W, old: W) => void;
}

export function workloadStrategy<W extends Workload<S>, S extends { selector?: unknown }>(parts: WorkloadStrategyParts<W, S>): Strategy {
  const { view } = parts;
  return {
    defaults: (obj) => parts.defaults(view(obj)),
    prepareForCreate(obj) {
      resetStatus(obj);
      parts.afterCreateReset?.(view(obj));
    },
    prepareForUpdate(obj, old) {
      keepOldStatus(obj, old);
      parts.afterUpdateKeep?.(view(obj), view(old));
    },
    validate: (obj) => parts.validateSpec(view(obj).spec ?? ({} as S), FieldPath.root("spec")),
    validateUpdate: (obj, old) => validateSelectorUnchanged(view(obj), view(old)),
    warnings: (obj, old) => (old ? [] : podNameWarnings(obj.metadata?.name)),
  };
}
