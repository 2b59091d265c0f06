/**
 * What the two Event definitions (core/v1 and events.k8s.io/v1) share: one stored resource with
 * kube-apiserver's event TTL, and field selectors over the core/v1 shape under each version's
 * own spelling (upstream's field label conversions).
 */
import type { KubeObject } from "../../api/types.ts";
import type { ResourceDefinition } from "../../registry/definition.ts";
import type { CoreEvent } from "./convert.ts";

/** Names, storage and lifetime of events in either version. */
export const EVENT_RESOURCE = {
  kind: "Event",
  plural: "events",
  singular: "event",
  shortNames: ["ev"],
  namespaced: true,
  storagePath: "events",
  // kube-apiserver's default --event-ttl.
  ttlSeconds: 3600,
  // Events own nothing; the garbage collector ignores them.
  garbageCollectionPolicy: "Unsupported",
  allowCreateOnUpdate: true,
} satisfies Partial<ResourceDefinition>;

const INVOLVED_FIELDS = ["kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"] as const;

/**
 * The field selectors of one version: `<objectField>.*` are the involved object's fields,
 * `reporterField` the reporting component; `source` is the deprecated source component, or the
 * reporter of new-style events.
 */
export function eventFieldSelectors(
  asCore: (obj: KubeObject) => CoreEvent,
  objectField: "involvedObject" | "regarding",
  reporterField: "reportingComponent" | "reportingController",
): NonNullable<ResourceDefinition["fieldSelectors"]> {
  const selectors: NonNullable<ResourceDefinition["fieldSelectors"]> = {};
  for (const key of INVOLVED_FIELDS) selectors[`${objectField}.${key}`] = (obj) => asCore(obj).involvedObject?.[key] ?? "";
  selectors.reason = (obj) => asCore(obj).reason ?? "";
  selectors[reporterField] = (obj) => asCore(obj).reportingComponent ?? "";
  selectors.source = (obj) => asCore(obj).source?.component || asCore(obj).reportingComponent || "";
  selectors.type = (obj) => asCore(obj).type ?? "";
  return selectors;
}
