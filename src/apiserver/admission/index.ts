/** Admission: the plugin chain and the plugins kts runs, in upstream's order. */
import type { Admission, GenericStore } from "../registry/store.ts";
import { chainAdmission } from "./chain.ts";
import { namespaceLifecycle } from "./namespace-lifecycle.ts";
import { priorityAdmission } from "./priority.ts";
import { defaultTolerationSeconds } from "./default-toleration-seconds.ts";

export { chainAdmission, type AdmissionOperation, type AdmissionPlugin, type AdmissionRequest } from "./chain.ts";
export { IMMORTAL_NAMESPACES, namespaceLifecycle } from "./namespace-lifecycle.ts";
export { priorityAdmission } from "./priority.ts";
export { defaultTolerationSeconds } from "./default-toleration-seconds.ts";

export interface AdmissionDeps {
  /** The served resources, looked up when a request arrives. */
  lookup(group: string, version: string, plural: string): GenericStore | undefined;
}

/** The admission chain of a kts API server. */
export function defaultAdmission(deps: AdmissionDeps): Admission {
  return chainAdmission([
    namespaceLifecycle({ namespaces: () => deps.lookup("", "v1", "namespaces") }),
    priorityAdmission({ priorityClasses: () => deps.lookup("scheduling.k8s.io", "v1", "priorityclasses") }),
    defaultTolerationSeconds(),
  ]);
}
