/**
 * Table columns of the RBAC types. Roles and ClusterRoles have no printer upstream: their storage
 * uses the generic default table convertor (NAME, CREATED AT as an RFC 3339 date). Bindings
 * have printRoleBinding's columns.
 */
import type { KubeObject } from "../../api/types.ts";
import type { PrinterColumn } from "../../registry/definition.ts";
import { ageColumn, createdAtColumn, nameColumn } from "../printing.ts";
import { subjectNames } from "./subjects.ts";
import { view, type AnyBinding } from "./types.ts";

export const ROLE_COLUMNS: PrinterColumn[] = [nameColumn, createdAtColumn];

const binding = (obj: KubeObject) => view<AnyBinding>(obj);

function subjectsColumn(name: string, description: string, pick: (names: ReturnType<typeof subjectNames>) => string[]): PrinterColumn {
  return { name, type: "string", format: "", description, priority: 1, cell: (obj) => pick(subjectNames(binding(obj).subjects)).join(", ") };
}

/** RoleBindings and ClusterRoleBindings differ only in their descriptions (from the v1beta1 docs). */
export function bindingColumns(roleRefDoc: string, noun: string): PrinterColumn[] {
  return [
    nameColumn,
    {
      name: "Role",
      type: "string",
      format: "",
      description: roleRefDoc,
      priority: 0,
      cell: (obj) => `${binding(obj).roleRef?.kind ?? ""}/${binding(obj).roleRef?.name ?? ""}`,
    },
    ageColumn,
    subjectsColumn("Users", `Users in the ${noun}`, (n) => n.users),
    subjectsColumn("Groups", `Groups in the ${noun}`, (n) => n.groups),
    subjectsColumn("ServiceAccounts", `ServiceAccounts in the ${noun}`, (n) => n.serviceAccounts),
  ];
}
