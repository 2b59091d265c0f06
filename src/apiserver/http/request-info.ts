/**
 * What a request is about, read from its path and method as upstream's RequestInfoFactory reads
 * it: /api/v1/namespaces/{ns}/{resource}/{name}/{subresource} and /apis/{group}/{version}/...
 */
import type { Verb } from "../registry/definition.ts";

export interface ResourceRequest {
  kind: "resource";
  verb: Verb;
  group: string;
  version: string;
  namespace: string;
  resource: string;
  name: string;
  subresource: string;
  /** Segments after the subresource (proxy paths). */
  rest: string[];
}

export interface NonResourceRequest {
  kind: "nonresource";
  path: string;
  verb: string;
}

export type RequestInfo = ResourceRequest | NonResourceRequest;

/** Namespace sub-resources that are not nested resource types. */
const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function parseRequestInfo(method: string, url: URL): RequestInfo {
  // Segments are percent-decoded, as Go's url.Path is upstream: "system%3Acoredns" names system:coredns.
  const parts = url.pathname.split("/").filter((p) => p !== "").map(decodeSegment);
  const httpVerb = method.toLowerCase();
  const nonResource: NonResourceRequest = { kind: "nonresource", path: url.pathname, verb: httpVerb };
  let rest: string[];
  let group = "";
  let version: string;
  if (parts[0] === "api" && parts.length >= 3) {
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === "apis" && parts.length >= 4) {
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else {
    return nonResource;
  }
  const q = url.searchParams;
  let watch = q.get("watch") === "true" || q.get("watch") === "1";
  // The deprecated /watch/ path prefix still works upstream.
  if (rest[0] === "watch") {
    watch = true;
    rest = rest.slice(1);
  }
  let namespace = "";
  if (rest[0] === "namespaces" && rest.length > 1) {
    namespace = rest[1]!;
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2]!)) rest = rest.slice(2);
  }
  const [resource = "", name = "", subresource = "", ...more] = rest;
  // /api/v1/namespaces/{name}[/status]: the namespace object itself.
  const isNamespaceItself = rest[0] === "namespaces" && rest.length > 1;
  if (isNamespaceItself) namespace = "";
  const verb = verbFor(httpVerb, name !== "", watch);
  if (!verb) return nonResource;
  return { kind: "resource", verb, group, version, namespace, resource, name, subresource, rest: more };
}

function verbFor(method: string, named: boolean, watch: boolean): Verb | undefined {
  switch (method) {
    case "get":
    case "head":
      if (watch) return "watch";
      return named ? "get" : "list";
    case "post":
      return "create";
    case "put":
      return "update";
    case "patch":
      return "patch";
    case "delete":
      return named ? "delete" : "deletecollection";
    default:
      return undefined;
  }
}
