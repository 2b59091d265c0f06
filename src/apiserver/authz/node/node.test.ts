import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import type { Attributes } from "../../http/authz.ts";
import type { AdmissionRequest } from "../../admission/index.ts";
import type { ResourceDefinition, UserInfo } from "../../registry/definition.ts";
import { ApiError } from "../../api/errors.ts";
import { nodeRules } from "../../resources/rbac/index.ts";
import { NodeAuthorizer } from "./authorizer.ts";
import { NodeGraph } from "./graph.ts";
import { checkNodeTokenRequest, forbiddenNodeLabels, nodeRestriction } from "./restriction.ts";

const n1: UserInfo = { username: "system:node:n1", groups: ["system:nodes", "system:authenticated"] };
const at = (verb: string, resource: string, extra: Partial<Attributes> = {}): Attributes => ({ user: n1, verb, group: "", resource, namespace: "default", ...extra });

function pod(name: string, node: string | undefined, spec: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default", uid: `uid-${name}` }, spec: { nodeName: node, serviceAccountName: "default", containers: [], ...spec } } as KubeObject;
}

describe("node authorizer", () => {
  const graph = new NodeGraph();
  graph.setPod(
    pod("web", "n1", {
      imagePullSecrets: [{ name: "pull" }],
      containers: [{ name: "c", envFrom: [{ configMapRef: { name: "env" } }], env: [{ name: "X", valueFrom: { secretKeyRef: { name: "env-secret", key: "k" } } }] }],
      volumes: [{ name: "v", secret: { secretName: "vol" } }, { name: "data", persistentVolumeClaim: { claimName: "data" } }, { name: "p", projected: { sources: [{ configMap: { name: "proj" } }] } }],
    }),
  );
  graph.setPod(pod("other", "n2", { volumes: [{ name: "v", secret: { secretName: "theirs" } }] }));
  graph.setPod(pod("pending", undefined, { volumes: [{ name: "v", secret: { secretName: "unscheduled" } }] }));
  graph.setPv({ apiVersion: "v1", kind: "PersistentVolume", metadata: { name: "pv1" }, spec: { claimRef: { namespace: "default", name: "data" }, csi: { driver: "d", volumeHandle: "h", nodePublishSecretRef: { name: "csi-secret", namespace: "kube-system" } } } } as KubeObject);
  const authz = new NodeAuthorizer(graph, nodeRules());

  test("a node reads the Secrets and ConfigMaps its pods use, not others", () => {
    for (const s of ["pull", "env-secret", "vol"]) expect(authz.decide(at("get", "secrets", { name: s })).allowed).toBe(true);
    for (const c of ["env", "proj"]) expect(authz.decide(at("get", "configmaps", { name: c })).allowed).toBe(true);
    expect(authz.decide(at("get", "secrets", { name: "theirs" }))).toEqual({ allowed: false, reason: "no relationship found between node 'n1' and this object" });
    expect(authz.decide(at("get", "secrets", { name: "unscheduled" })).allowed).toBe(false);
    expect(authz.decide(at("list", "secrets")).reason).toBe("No Object name found");
    expect(authz.decide(at("list", "secrets", { name: "vol" })).allowed).toBe(true);
    expect(authz.decide(at("update", "secrets", { name: "vol" })).reason).toBe("can only read resources of this type");
  });

  test("claims, their volumes and the volumes' secrets; the pod's service account token", () => {
    expect(authz.decide(at("get", "persistentvolumeclaims", { name: "data" })).allowed).toBe(true);
    expect(authz.decide(at("get", "persistentvolumes", { namespace: undefined, name: "pv1" })).allowed).toBe(true);
    expect(authz.decide(at("get", "secrets", { namespace: "kube-system", name: "csi-secret" })).allowed).toBe(true);
    expect(authz.decide(at("create", "serviceaccounts", { name: "default", subresource: "token" })).allowed).toBe(true);
    expect(authz.decide(at("create", "serviceaccounts", { namespace: "kube-system", name: "default", subresource: "token" })).allowed).toBe(false);
  });

  test("a pod moving away or going takes its objects' access with it", () => {
    const g = new NodeGraph();
    const a = new NodeAuthorizer(g, nodeRules());
    g.setPod(pod("p", "n1", { volumes: [{ name: "v", secret: { secretName: "s" } }] }));
    g.setPod(pod("q", "n1", { volumes: [{ name: "v", secret: { secretName: "s" } }] }));
    g.deletePod(pod("p", "n1"));
    expect(a.decide(at("get", "secrets", { name: "s" })).allowed).toBe(true);
    g.deletePod(pod("q", "n1"));
    expect(a.decide(at("get", "secrets", { name: "s" })).allowed).toBe(false);
  });

  test("leases only in kube-node-lease under the node's name; the kubelet's other rules; non-nodes get no opinion", () => {
    expect(authz.decide(at("update", "leases", { group: "coordination.k8s.io", namespace: "kube-node-lease", name: "n1" })).allowed).toBe(true);
    expect(authz.decide(at("update", "leases", { group: "coordination.k8s.io", namespace: "kube-node-lease", name: "n2" })).allowed).toBe(false);
    expect(authz.decide(at("create", "leases", { group: "coordination.k8s.io", namespace: "default" })).allowed).toBe(false);
    expect(authz.decide(at("patch", "nodes", { namespace: undefined, name: "n1", subresource: "status" })).allowed).toBe(true);
    expect(authz.decide(at("list", "pods")).allowed).toBe(true);
    expect(authz.decide(at("delete", "services", { name: "x" })).allowed).toBe(false);
    expect(authz.decide({ ...at("get", "secrets", { name: "vol" }), user: { username: "system:node:n1", groups: ["system:authenticated"] } })).toEqual({ allowed: false, reason: "" });
  });
});

const def = (group: string, plural: string) => ({ group, plural, version: "v1", kind: "X", namespaced: true, singular: "x" }) as ResourceDefinition;
const req = (over: Partial<AdmissionRequest> & { def: ResourceDefinition; obj: KubeObject }): AdmissionRequest => ({
  operation: "UPDATE",
  old: undefined,
  ctx: { user: n1, namespace: "", dryRun: false, now: 0 },
  state: new Map(),
  reinvocation: false,
  ...over,
});

describe("NodeRestriction", () => {
  const plugin = nodeRestriction({ nodes: () => undefined });
  const refused = async (r: AdmissionRequest) => {
    const err = await plugin.validate!(r).then(
      () => undefined,
      (e: unknown) => e,
    );
    return err instanceof ApiError ? err.message : undefined;
  };
  const node = (name: string, labels: Record<string, string> = {}, taints: unknown[] = []) => ({ apiVersion: "v1", kind: "Node", metadata: { name, labels }, spec: { taints } }) as KubeObject;

  test("a node changes only its own Node, not its taints or restricted labels", async () => {
    expect(await refused(req({ def: def("", "nodes"), obj: node("n2"), old: node("n2") }))).toBe('nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"');
    expect(await refused(req({ def: def("", "nodes"), obj: node("n1", { a: "b" }), old: node("n1") }))).toBeUndefined();
    expect(await refused(req({ def: def("", "nodes"), obj: node("n1", {}, [{ key: "k", effect: "NoSchedule" }]), old: node("n1") }))).toBe('nodes "n1" is forbidden: node "n1" is not allowed to modify taints');
    expect(await refused(req({ operation: "CREATE", def: def("", "nodes"), obj: node("n1", { "node-role.kubernetes.io/control-plane": "true", "kubernetes.io/hostname": "n1" }) }))).toBe(
      'nodes "n1" is forbidden: node "n1" is not allowed to set the following labels: node-role.kubernetes.io/control-plane',
    );
    expect(forbiddenNodeLabels(["node.kubernetes.io/instance-type", "kubelet.kubernetes.io/x", "foo.node-restriction.kubernetes.io/a", "example.com/x"])).toEqual(["foo.node-restriction.kubernetes.io/a"]);
  });

  test("pod status only for its own pods; deleting only pods bound to it; creating only mirror pods", async () => {
    const status = (nodeName: string) => req({ def: def("", "pods"), obj: pod("p", nodeName), old: pod("p", nodeName), ctx: { user: n1, namespace: "default", dryRun: false, now: 0, subresource: "status" } });
    expect(await refused(status("n1"))).toBeUndefined();
    expect(await refused(status("n2"))).toBe('pods "p" is forbidden: node "n1" can only update pod status for pods with spec.nodeName set to itself');
    expect(await refused(req({ operation: "DELETE", def: def("", "pods"), obj: pod("p", "n2") }))).toBe('pods "p" is forbidden: node "n1" can only delete pods with spec.nodeName set to itself');
    expect(await refused(req({ operation: "CREATE", def: def("", "pods"), obj: pod("p", "n1") }))).toContain("can only create mirror pods");
  });

  test("tokens only for its own pods", () => {
    expect(checkNodeTokenRequest("n1", undefined, undefined)).toBe("node requested token not bound to a pod");
    expect(checkNodeTokenRequest("n1", { apiVersion: "v1", kind: "Pod", name: "p", uid: "uid-p" }, pod("p", "n2") as never)).toBe("node requested token bound to a pod scheduled on a different node");
    expect(checkNodeTokenRequest("n1", { apiVersion: "v1", kind: "Pod", name: "p", uid: "uid-p" }, pod("p", "n1") as never)).toBeUndefined();
  });

  test("other users are not restricted", async () => {
    expect(await refused(req({ def: def("", "nodes"), obj: node("n2"), old: node("n2"), ctx: { user: { username: "admin", groups: [] }, namespace: "", dryRun: false, now: 0 } }))).toBeUndefined();
  });
});
