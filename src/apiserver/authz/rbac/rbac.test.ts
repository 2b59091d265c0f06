import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import type { UserInfo } from "../../registry/definition.ts";
import type { Attributes } from "../../http/authz.ts";
import { bootstrapRbac } from "../../resources/rbac/index.ts";
import { RbacAuthorizer } from "./authorizer.ts";
import { escalationError } from "./escalation.ts";
import { PolicyIndex } from "./policy-index.ts";
import { compactRules, compactString, ruleAllows, uncoveredRules } from "./rules.ts";

const alice: UserInfo = { username: "alice", groups: ["dev", "system:authenticated"] };
const res = (verb: string, resource: string, extra: Partial<Attributes> = {}): Attributes => ({ user: alice, verb, group: "", resource, namespace: "default", ...extra });

describe("rule matching", () => {
  test("verbs, groups, resources, subresources and names, with wildcards", () => {
    const rule = { verbs: ["get", "list"], apiGroups: [""], resources: ["pods", "pods/log"] };
    expect(ruleAllows(res("get", "pods"), rule)).toBe(true);
    expect(ruleAllows(res("delete", "pods"), rule)).toBe(false);
    expect(ruleAllows(res("get", "pods", { subresource: "log" }), rule)).toBe(true);
    expect(ruleAllows(res("get", "pods", { subresource: "exec" }), rule)).toBe(false);
    expect(ruleAllows(res("get", "pods", { group: "apps" }), rule)).toBe(false);
    expect(ruleAllows(res("get", "deployments", { group: "apps", subresource: "scale" }), { verbs: ["get"], apiGroups: ["*"], resources: ["*/scale"] })).toBe(true);
    expect(ruleAllows(res("get", "deployments", { group: "apps" }), { verbs: ["get"], apiGroups: ["*"], resources: ["*/scale"] })).toBe(false);
    expect(ruleAllows(res("get", "pods", { subresource: "log" }), { verbs: ["*"], apiGroups: ["*"], resources: ["*"] })).toBe(true);
    const named = { verbs: ["get"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["a"] };
    expect(ruleAllows(res("get", "configmaps", { name: "a" }), named)).toBe(true);
    expect(ruleAllows(res("get", "configmaps", { name: "b" }), named)).toBe(false);
    expect(ruleAllows(res("list", "configmaps"), { ...named, verbs: ["list"] })).toBe(false);
  });

  test("non-resource URLs: exact, and a trailing * as a prefix", () => {
    const rule = { verbs: ["get"], nonResourceURLs: ["/healthz", "/apis/*"] };
    expect(ruleAllows({ user: alice, verb: "get", path: "/healthz" }, rule)).toBe(true);
    expect(ruleAllows({ user: alice, verb: "get", path: "/healthz/etcd" }, rule)).toBe(false);
    expect(ruleAllows({ user: alice, verb: "get", path: "/apis/apps/v1" }, rule)).toBe(true);
    expect(ruleAllows({ user: alice, verb: "post", path: "/apis/apps" }, rule)).toBe(false);
  });

  test("covers: broken down per group, resource, verb and name; */sub covers any subresource", () => {
    const owned = [{ verbs: ["get", "list"], apiGroups: [""], resources: ["pods", "*/status"] }];
    expect(uncoveredRules(owned, [{ verbs: ["get"], apiGroups: [""], resources: ["pods", "services/status"] }])).toEqual([]);
    expect(uncoveredRules(owned, [{ verbs: ["get", "delete"], apiGroups: [""], resources: ["pods"] }])).toEqual([{ apiGroups: [""], resources: ["pods"], verbs: ["delete"] }]);
    // A named rule is covered by an unnamed one, never the other way round.
    expect(uncoveredRules(owned, [{ verbs: ["get"], apiGroups: [""], resources: ["pods"], resourceNames: ["x"] }])).toEqual([]);
    expect(uncoveredRules([{ ...owned[0]!, resourceNames: ["x"] }], [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }])).toHaveLength(1);
    expect(uncoveredRules([{ verbs: ["get"], nonResourceURLs: ["/api/*"] }], [{ verbs: ["get"], nonResourceURLs: ["/api/v1"] }])).toEqual([]);
  });

  test("upstream's compact text of missing rules", () => {
    const missing = compactRules([
      { apiGroups: [""], resources: ["pods"], verbs: ["get"] },
      { apiGroups: [""], resources: ["pods"], verbs: ["list"] },
    ]);
    expect(missing.map(compactString)).toEqual(['{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}']);
    expect(compactString({ verbs: ["get"], nonResourceURLs: ["/x"] })).toBe('{NonResourceURLs:["/x"], Verbs:["get"]}');
  });
});

/** A policy index holding the bootstrap policy plus the given objects. */
function policyWith(...objs: KubeObject[]): PolicyIndex {
  const p = new PolicyIndex();
  for (const o of [...bootstrapRbac(), ...objs]) p.upsert(o.kind as "Role", o);
  return p;
}

const role = (ns: string, name: string, rules: unknown[]): KubeObject => ({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { namespace: ns, name }, rules } as KubeObject);
const binding = (ns: string, name: string, roleKind: string, roleName: string, subjects: unknown[]): KubeObject =>
  ({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { namespace: ns, name }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: roleKind, name: roleName }, subjects }) as KubeObject;

describe("RBAC authorizer", () => {
  const policy = policyWith(
    role("dev", "pod-reader", [{ verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["pods", "pods/log"] }]),
    binding("dev", "read-pods", "Role", "pod-reader", [{ kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "alice" }]),
    binding("dev", "ci", "ClusterRole", "system:basic-user", [{ kind: "ServiceAccount", name: "ci" }]),
    binding("dev", "broken", "Role", "missing", [{ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "dev" }]),
  );
  const rbac = new RbacAuthorizer(policy);

  test("a namespace Role allows in its namespace only, with upstream's reason", () => {
    const d = rbac.decide(res("list", "pods", { namespace: "dev" }));
    expect(d).toEqual({ allowed: true, reason: 'RBAC: allowed by RoleBinding "read-pods/dev" of Role "pod-reader" to User "alice"' });
    expect(rbac.decide(res("list", "pods", { namespace: "prod" })).allowed).toBe(false);
    expect(rbac.decide(res("delete", "pods", { namespace: "dev" })).allowed).toBe(false);
  });

  test("a binding to a missing role is a resolution error in the denial's reason", () => {
    expect(rbac.decide(res("delete", "pods", { namespace: "dev" })).reason).toBe('RBAC: role.rbac.authorization.k8s.io "missing" not found');
  });

  test("bootstrap bindings: discovery for the authenticated, public info for anyone, cluster-admin for masters", () => {
    expect(rbac.decide({ user: alice, verb: "get", path: "/apis/apps" }).allowed).toBe(true);
    expect(rbac.decide({ user: { username: "system:anonymous", groups: ["system:unauthenticated"] }, verb: "get", path: "/version" }).allowed).toBe(true);
    expect(rbac.decide({ user: { username: "system:anonymous", groups: ["system:unauthenticated"] }, verb: "get", path: "/api" }).allowed).toBe(false);
    expect(rbac.decide({ ...res("delete", "nodes", { namespace: undefined }), user: { username: "x", groups: ["system:masters"] } }).allowed).toBe(true);
  });

  test("a ServiceAccount subject without a namespace is the binding's namespace's account", () => {
    const sa: UserInfo = { username: "system:serviceaccount:dev:ci", groups: ["system:serviceaccounts", "system:serviceaccounts:dev", "system:authenticated"] };
    expect(rbac.decide({ user: sa, verb: "create", group: "authorization.k8s.io", resource: "selfsubjectaccessreviews" }).allowed).toBe(true);
  });

  test("controllers hold their upstream roles through their service accounts", () => {
    const deploy: UserInfo = { username: "system:serviceaccount:kube-system:deployment-controller", groups: ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"] };
    expect(rbac.decide({ user: deploy, verb: "create", group: "apps", resource: "replicasets", namespace: "x" }).allowed).toBe(true);
    expect(rbac.decide({ user: deploy, verb: "create", group: "", resource: "secrets", namespace: "x" }).allowed).toBe(false);
  });

  test("rules for SelfSubjectRulesReview: cluster-wide and namespace rules", async () => {
    const rules = await rbac.rulesFor(alice, "dev");
    expect(rules.resourceRules).toContainEqual({ verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["pods", "pods/log"] });
    expect(rules.nonResourceRules.some((r) => r.nonResourceURLs?.includes("/healthz"))).toBe(true);
    expect(rules.incomplete).toBe(true);
    expect(rules.evaluationError).toContain('"missing" not found');
  });

  test("changes take effect at once; compiled rules are rebuilt", () => {
    const p = policyWith();
    const r = new RbacAuthorizer(p);
    expect(r.decide(res("get", "secrets")).allowed).toBe(false);
    const b = binding("default", "x", "ClusterRole", "view", [{ kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "alice" }]);
    p.upsert("RoleBinding", b);
    p.upsert("ClusterRole", { ...bootstrapRbac().find((o) => o.metadata?.name === "view")!, rules: [{ verbs: ["get"], apiGroups: [""], resources: ["secrets"] }] } as KubeObject);
    expect(r.decide(res("get", "secrets")).allowed).toBe(true);
    p.remove("RoleBinding", b);
    expect(r.decide(res("get", "secrets")).allowed).toBe(false);
  });
});

describe("escalation check", () => {
  const policy = policyWith(
    role("dev", "pod-reader", [{ verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] }]),
    binding("dev", "read-pods", "Role", "pod-reader", [{ kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "alice" }]),
  );

  test("rules held are grantable; others are listed in upstream's message", () => {
    expect(escalationError(policy, alice, "dev", [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }])).toBeUndefined();
    expect(escalationError(policy, alice, "dev", [{ verbs: ["get", "delete"], apiGroups: [""], resources: ["pods", "secrets"] }])).toBe(
      'user "alice" (groups=["dev" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
        '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}\n{APIGroups:[""], Resources:["secrets"], Verbs:["get" "delete"]}',
    );
    // Outside the namespace, nothing of the Role is held.
    expect(escalationError(policy, alice, "prod", [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }])).toContain("not currently held");
  });
});
