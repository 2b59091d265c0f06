/**
 * core/v1 serviceaccounts: secret references trimmed to names on create (upstream's
 * cleanSecretReferences), the SECRETS column, and the token subresource in discovery.
 */
import type { ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { ALL_VERBS } from "../../registry/definition.ts";
import { ageColumn, nameColumn } from "../printing.ts";
import { column } from "./columns.ts";
import { FIELD_DOCS } from "./field-docs.ts";
import { view, type ServiceAccount } from "./types.ts";

const strategy: Strategy = {
  prepareForCreate(obj) {
    const sa = view<ServiceAccount>(obj);
    if (sa.secrets) sa.secrets = sa.secrets.map((s) => ({ name: s.name }));
  },
};

export const serviceAccountDefinition: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "ServiceAccount",
  plural: "serviceaccounts",
  singular: "serviceaccount",
  shortNames: ["sa"],
  namespaced: true,
  returnDeletedObject: true,
  verbs: ALL_VERBS,
  nameRule: "subdomain",
  printerColumns: [nameColumn, column<ServiceAccount>("Secrets", FIELD_DOCS["ServiceAccount.secrets"], (sa) => (sa.secrets ?? []).length), ageColumn],
  strategy,
  extraSubresources: [{ name: "token", kind: "TokenRequest", group: "authentication.k8s.io", version: "v1", verbs: ["create"] }],
};
