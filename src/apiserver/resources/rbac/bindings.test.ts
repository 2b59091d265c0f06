import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import { cells, create, NOW, update } from "../workloads/testing.ts";
import { clusterRoleBindingDefinition, roleBindingDefinition } from "./bindings.ts";

const G = "rbac.authorization.k8s.io";

/** `kubectl create rolebinding admins --clusterrole=admin --user=bob --group=devs --serviceaccount=ci:robot` */
const kubectlRoleBinding = (): KubeObject => ({
  apiVersion: `${G}/v1`,
  kind: "RoleBinding",
  metadata: { name: "admins", namespace: "default" },
  roleRef: { apiGroup: G, kind: "ClusterRole", name: "admin" },
  subjects: [
    { apiGroup: G, kind: "User", name: "bob" },
    { apiGroup: G, kind: "Group", name: "devs" },
    { kind: "ServiceAccount", name: "robot", namespace: "ci" },
  ],
});

const clusterBinding = (extra: Record<string, unknown>): KubeObject => ({ apiVersion: `${G}/v1`, kind: "ClusterRoleBinding", metadata: { name: "viewers" }, ...extra });

describe("rolebindings", () => {
  test("the kubectl generator's binding is valid and kept", () => {
    const { obj, errors } = create(roleBindingDefinition, kubectlRoleBinding());
    expect(errors).toEqual([]);
    expect(obj.subjects).toEqual(kubectlRoleBinding().subjects);
  });

  test("roleRef.apiGroup and user/group apiGroups default to the RBAC group; service accounts stay in the core group", () => {
    const input = { ...kubectlRoleBinding(), roleRef: { kind: "Role", name: "pod-reader" }, subjects: [{ kind: "User", name: "u" }, { kind: "Group", name: "g" }, { kind: "ServiceAccount", name: "sa" }] };
    const { obj, errors } = create(roleBindingDefinition, input);
    expect(errors).toEqual([]);
    expect(obj.roleRef).toEqual({ apiGroup: G, kind: "Role", name: "pod-reader" });
    expect(obj.subjects).toEqual([
      { kind: "User", name: "u", apiGroup: G },
      { kind: "Group", name: "g", apiGroup: G },
      { kind: "ServiceAccount", name: "sa" },
    ]);
  });

  test.each<[string, Record<string, unknown>, string[]]>([
    ["an unknown roleRef kind", { roleRef: { apiGroup: G, kind: "Pod", name: "x" } }, ['roleRef.kind: Unsupported value: "Pod": supported values: "Role", "ClusterRole"']],
    ["a foreign roleRef group", { roleRef: { apiGroup: "example.com", kind: "Role", name: "x" } }, [`roleRef.apiGroup: Unsupported value: "example.com": supported values: "${G}"`]],
    ["no roleRef name", { roleRef: { apiGroup: G, kind: "Role" } }, ["roleRef.name: Required value"]],
    ["a roleRef name with a slash", { roleRef: { apiGroup: G, kind: "Role", name: "a/b" } }, [`roleRef.name: Invalid value: "a/b": may not contain '/'`]],
    ["an unknown subject kind", { subjects: [{ kind: "Robot", name: "r" }] }, ['subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"']],
    ["a subject without a name", { subjects: [{ kind: "User", apiGroup: G }] }, ["subjects[0].name: Required value"]],
    ["a service account in the RBAC group", { subjects: [{ kind: "ServiceAccount", apiGroup: G, name: "sa" }] }, [`subjects[0].apiGroup: Unsupported value: "${G}": supported values: ""`]],
    ["a user in another group", { subjects: [{ kind: "User", apiGroup: "example.com", name: "u" }] }, [`subjects[0].apiGroup: Unsupported value: "example.com": supported values: "${G}"`]],
    [
      "a service account name that is no DNS subdomain",
      { subjects: [{ kind: "ServiceAccount", name: "Robot" }] },
      [
        `subjects[0].name: Invalid value: "Robot": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      ],
    ],
  ])("rejects %s", (_, change, messages) => {
    expect(create(roleBindingDefinition, { ...kubectlRoleBinding(), ...change }).errors).toEqual(messages);
  });

  test("roleRef cannot change; subjects can", () => {
    const old = create(roleBindingDefinition, kubectlRoleBinding()).obj;
    expect(update(roleBindingDefinition, { ...old, subjects: [{ kind: "User", apiGroup: G, name: "alice" }] }, old).errors).toEqual([]);
    const changed = { ...old, roleRef: { apiGroup: G, kind: "ClusterRole", name: "view" } };
    expect(update(roleBindingDefinition, changed, old).errors).toEqual([
      `roleRef: Invalid value: rbac.RoleRef{APIGroup:"${G}", Kind:"ClusterRole", Name:"view"}: cannot change roleRef`,
    ]);
  });

  test("prints NAME ROLE AGE, and USERS GROUPS SERVICEACCOUNTS with -o wide", () => {
    const obj = { ...kubectlRoleBinding(), metadata: { name: "admins", creationTimestamp: new Date(NOW - 3_600_000).toISOString() } };
    expect(cells(roleBindingDefinition, obj)).toEqual({ Name: "admins", Role: "ClusterRole/admin", Age: "60m", Users: "bob", Groups: "devs", ServiceAccounts: "ci/robot" });
    expect(roleBindingDefinition.printerColumns?.map((c) => [c.name, c.priority])).toEqual([
      ["Name", 0],
      ["Role", 0],
      ["Age", 0],
      ["Users", 1],
      ["Groups", 1],
      ["ServiceAccounts", 1],
    ]);
  });
});

describe("clusterrolebindings", () => {
  test("only ClusterRoles can be bound, and service accounts need a namespace", () => {
    const ref = { apiGroup: G, kind: "ClusterRole", name: "view" };
    expect(create(clusterRoleBindingDefinition, clusterBinding({ roleRef: ref, subjects: [{ kind: "Group", name: "system:authenticated" }] })).errors).toEqual([]);
    expect(create(clusterRoleBindingDefinition, clusterBinding({ roleRef: { ...ref, kind: "Role" } })).errors).toEqual([
      'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
    ]);
    expect(create(clusterRoleBindingDefinition, clusterBinding({ roleRef: ref, subjects: [{ kind: "ServiceAccount", name: "sa" }] })).errors).toEqual([
      "subjects[0].namespace: Required value",
    ]);
  });

  test("a binding without roleRef still writes all three roleRef fields, and is refused", () => {
    const { obj, errors } = create(clusterRoleBindingDefinition, clusterBinding({}));
    expect(obj.roleRef).toEqual({ apiGroup: G, kind: "", name: "" });
    expect(errors).toEqual(['roleRef.kind: Unsupported value: "": supported values: "ClusterRole"', "roleRef.name: Required value"]);
  });

  test("wide cells of a binding without subjects are empty", () => {
    const obj = clusterBinding({ roleRef: { apiGroup: G, kind: "ClusterRole", name: "system:node" } });
    expect(cells(clusterRoleBindingDefinition, obj)).toMatchObject({ Role: "ClusterRole/system:node", Users: "", Groups: "", ServiceAccounts: "" });
    expect(clusterRoleBindingDefinition.printerColumns?.[3]?.description).toBe("Users in the clusterRoleBinding");
  });
});
