/**
 * The query and path parameters of Kubernetes API operations. kubectl reads one of them: it
 * sends `fieldValidation` only after finding it among a PATCH operation's parameters (its
 * query_param_verifier_v3). The descriptions are ours.
 */

export type ParamType = "string" | "integer" | "boolean";

export interface ParamSpec {
  in: "path" | "query";
  type: ParamType;
  description: string;
  required?: boolean;
}

export const PARAMS = {
  name: { in: "path", type: "string", required: true, description: "The object's name." },
  namespace: { in: "path", type: "string", required: true, description: "The namespace the object lives in." },
  path: { in: "path", type: "string", required: true, description: "The path to forward the request to." },
  pretty: { in: "query", type: "string", description: "If 'true', indent the JSON output." },
  allowWatchBookmarks: { in: "query", type: "boolean", description: "Ask for BOOKMARK events in a watch; the server may send them at any time, or never." },
  continue: { in: "query", type: "string", description: "The continue token from the previous page of a paginated list." },
  fieldSelector: { in: "query", type: "string", description: "Only objects whose fields match this selector (metadata.name=x, ...)." },
  labelSelector: { in: "query", type: "string", description: "Only objects whose labels match this selector." },
  limit: { in: "query", type: "integer", description: "At most this many objects; metadata.continue then fetches the rest." },
  resourceVersion: { in: "query", type: "string", description: "Which version of the data the read may be served from; see resourceVersionMatch." },
  resourceVersionMatch: { in: "query", type: "string", description: "How resourceVersion applies to a list: Exact or NotOlderThan." },
  sendInitialEvents: { in: "query", type: "boolean", description: "Start a watch with ADDED events for the current objects, then a BOOKMARK." },
  timeoutSeconds: { in: "query", type: "integer", description: "End the list or watch after this many seconds." },
  watch: { in: "query", type: "boolean", description: "Stream changes to the objects instead of listing them." },
  dryRun: { in: "query", type: "string", description: "All: validate and admit the request, but store nothing." },
  fieldManager: { in: "query", type: "string", description: "The name of the actor making the change, recorded in managedFields." },
  fieldValidation: {
    in: "query",
    type: "string",
    description: "What to do with unknown or duplicate fields in the body: Ignore them, Warn about them (Warning headers), or fail the request (Strict).",
  },
  force: { in: "query", type: "boolean", description: "Apply requests only: take over fields other managers own instead of failing with a conflict." },
  gracePeriodSeconds: { in: "query", type: "integer", description: "Seconds to wait before the object is deleted; 0 deletes at once." },
  orphanDependents: { in: "query", type: "boolean", description: "Deprecated; use propagationPolicy. Whether dependents are orphaned." },
  propagationPolicy: { in: "query", type: "string", description: "What happens to dependents: Orphan, Background or Foreground." },
  ignoreStoreReadErrorWithClusterBreakingPotential: {
    in: "query",
    type: "boolean",
    description: "Delete an object whose stored data cannot be read. Dangerous: the object's cleanup does not run.",
  },
} satisfies Record<string, ParamSpec>;

export type ParamName = keyof typeof PARAMS;

export const LIST_PARAMS: ParamName[] = [
  "allowWatchBookmarks",
  "continue",
  "fieldSelector",
  "labelSelector",
  "limit",
  "resourceVersion",
  "resourceVersionMatch",
  "sendInitialEvents",
  "timeoutSeconds",
  "watch",
];
export const WRITE_PARAMS: ParamName[] = ["dryRun", "fieldManager", "fieldValidation"];
export const PATCH_PARAMS: ParamName[] = [...WRITE_PARAMS, "force"];
export const DELETE_PARAMS: ParamName[] = ["dryRun", "gracePeriodSeconds", "ignoreStoreReadErrorWithClusterBreakingPotential", "orphanDependents", "propagationPolicy"];
export const DELETE_COLLECTION_PARAMS: ParamName[] = [...DELETE_PARAMS, ...LIST_PARAMS.filter((p) => p !== "watch" && p !== "allowWatchBookmarks")];
