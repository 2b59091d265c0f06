/**
 * rbac.authorization.k8s.io/v1 RoleBinding and ClusterRoleBinding (upstream
 * ValidateRoleBinding/ValidateClusterRoleBinding and their updates). A binding's roleRef is
 * fixed for life: changing whom a binding grants what is done by replacing the binding.
 */
import type { FieldError } from "../../api/errors.ts";
import type { ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { goStruct, invalidGo } from "../../validation/go-syntax.ts";
import { bindingColumns } from "./columns.ts";
import { defaultBinding, validateRoleRef, validateSubjects } from "./subjects.ts";
import { RBAC_GROUP, view, type AnyBinding, type RoleRef } from "./types.ts";

function sameRef(a: RoleRef | undefined, b: RoleRef | undefined): boolean {
  return (a?.apiGroup ?? "") === (b?.apiGroup ?? "") && (a?.kind ?? "") === (b?.kind ?? "") && (a?.name ?? "") === (b?.name ?? "");
}

/** Upstream quotes the new RoleRef as the internal Go struct. */
function validateRoleRefUnchanged(binding: AnyBinding, old: AnyBinding): FieldError[] {
  const ref = binding.roleRef;
  if (sameRef(ref, old.roleRef)) return [];
  const shown = goStruct("rbac.RoleRef", [
    ["APIGroup", ref?.apiGroup ?? ""],
    ["Kind", ref?.kind ?? ""],
    ["Name", ref?.name ?? ""],
  ]);
  return [invalidGo("roleRef", shown, "cannot change roleRef")];
}

function bindingStrategy(namespaced: boolean, roleKinds: string[]): Strategy {
  return {
    defaults: (obj) => defaultBinding(view<AnyBinding>(obj)),
    validate: (obj) => {
      const b = view<AnyBinding>(obj);
      return [...validateRoleRef(b.roleRef, roleKinds), ...validateSubjects(b.subjects, namespaced)];
    },
    validateUpdate: (obj, old) => validateRoleRefUnchanged(view<AnyBinding>(obj), view<AnyBinding>(old)),
  };
}

export const roleBindingDefinition: ResourceDefinition = {
  group: RBAC_GROUP,
  version: "v1",
  kind: "RoleBinding",
  plural: "rolebindings",
  singular: "rolebinding",
  namespaced: true,
  nameRule: "path-segment",
  printerColumns: bindingColumns(
    "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error.",
    "roleBinding",
  ),
  strategy: bindingStrategy(true, ["Role", "ClusterRole"]),
};

export const clusterRoleBindingDefinition: ResourceDefinition = {
  group: RBAC_GROUP,
  version: "v1",
  kind: "ClusterRoleBinding",
  plural: "clusterrolebindings",
  singular: "clusterrolebinding",
  namespaced: false,
  nameRule: "path-segment",
  printerColumns: bindingColumns(
    "RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error.",
    "clusterRoleBinding",
  ),
  strategy: bindingStrategy(false, ["ClusterRole"]),
};
