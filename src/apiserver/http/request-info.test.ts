import { expect, test } from "bun:test";
import { parseRequestInfo } from "./request-info.ts";

const info = (method: string, path: string) => parseRequestInfo(method, new URL(`https://h${path}`));

test.each([
  ["GET", "/api/v1/namespaces/default/pods", { verb: "list", group: "", version: "v1", namespace: "default", resource: "pods", name: "" }],
  ["GET", "/api/v1/namespaces/default/pods/p1", { verb: "get", namespace: "default", resource: "pods", name: "p1", subresource: "" }],
  ["GET", "/api/v1/namespaces/default/pods/p1/log", { verb: "get", resource: "pods", name: "p1", subresource: "log" }],
  ["GET", "/api/v1/pods?watch=true", { verb: "watch", namespace: "", resource: "pods" }],
  ["GET", "/api/v1/watch/namespaces/kube-system/pods", { verb: "watch", namespace: "kube-system", resource: "pods" }],
  ["GET", "/api/v1/namespaces/foo", { verb: "get", namespace: "", resource: "namespaces", name: "foo" }],
  ["PUT", "/api/v1/namespaces/foo/finalize", { verb: "update", namespace: "", resource: "namespaces", name: "foo", subresource: "finalize" }],
  ["PATCH", "/apis/apps/v1/namespaces/default/deployments/web/scale", { verb: "patch", group: "apps", resource: "deployments", name: "web", subresource: "scale" }],
  ["DELETE", "/apis/batch/v1/namespaces/default/jobs", { verb: "deletecollection", group: "batch", resource: "jobs" }],
  ["POST", "/api/v1/nodes", { verb: "create", resource: "nodes", namespace: "" }],
  ["PATCH", "/apis/rbac.authorization.k8s.io/v1/clusterroles/system%3Acoredns", { verb: "patch", resource: "clusterroles", name: "system:coredns" }],
] as const)("%s %s", (method, path, want) => {
  expect(info(method, path)).toMatchObject({ kind: "resource", ...want });
});

test("non-resource paths", () => {
  for (const path of ["/version", "/healthz", "/api", "/apis", "/api/v1", "/apis/apps", "/apis/apps/v1", "/openapi/v3"]) {
    expect(info("GET", path).kind).toBe("nonresource");
  }
});
