/**
 * Definitions for kinds the generated file does not know: custom resources (with the
 * openAPIV3Schema of their CRD version), and served kinds that have no schema at all, which get
 * an open one so that paths, GVK lookups and `kubectl explain` still work.
 */
import type { GroupVersionKind } from "../api/types.ts";
import { V2_REF_PREFIX, type Schema } from "./schema.ts";

const OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
const LIST_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";

export interface KindDefinitions {
  name: string;
  schema: Schema;
  listName: string;
  listSchema: Schema;
}

/** Upstream names CRD definitions by the reversed group: stable.example.com/v1 CronTab -> com.example.stable.v1.CronTab. */
export function customDefinitionName(gvk: GroupVersionKind): string {
  const group = gvk.group.split(".").reverse().join(".");
  return `${group ? `${group}.` : ""}${gvk.version}.${gvk.kind}`;
}

const typeMetaProperties = (): Record<string, Schema> => ({
  apiVersion: { description: "The group and version of this object's schema (group/version, or just the version for the core group).", type: "string" },
  kind: { description: "The kind of this object, in CamelCase.", type: "string" },
});

/**
 * The definitions of a custom kind and its list. `openAPIV3Schema` is the CRD version's schema
 * (JSONSchemaProps); apiVersion, kind and metadata are the server's, as upstream serves them.
 * Without a schema the object is open: any field is kept.
 */
export function customKindDefinitions(gvk: GroupVersionKind, openAPIV3Schema: Schema | undefined): KindDefinitions {
  const name = customDefinitionName(gvk);
  const base: Schema = openAPIV3Schema ? structuredClone(openAPIV3Schema) : { "x-kubernetes-preserve-unknown-fields": true };
  const schema: Schema = {
    ...base,
    type: "object",
    properties: { ...typeMetaProperties(), ...base.properties, metadata: { $ref: V2_REF_PREFIX + OBJECT_META } },
    "x-kubernetes-group-version-kind": [{ ...gvk }],
  };
  const listName = `${name}List`;
  const listSchema: Schema = {
    description: `A list of ${gvk.kind} objects.`,
    type: "object",
    properties: {
      ...typeMetaProperties(),
      items: { description: `The ${gvk.kind} objects.`, type: "array", items: { $ref: V2_REF_PREFIX + name } },
      metadata: { $ref: V2_REF_PREFIX + LIST_META },
    },
    required: ["items"],
    "x-kubernetes-group-version-kind": [{ ...gvk, kind: `${gvk.kind}List` }],
  };
  return { name, schema, listName, listSchema };
}
