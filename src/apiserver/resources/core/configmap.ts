/**
 * core/v1 configmaps: key syntax, the 1 MiB size cap, immutability, and the DATA column.
 */
import type { FieldError } from "../../api/errors.ts";
import type { ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { ALL_VERBS } from "../../registry/definition.ts";
import { field, FieldPath, invalidEach } from "../../validation/field.ts";
import { isConfigMapKey } from "../../validation/keys.ts";
import { ageColumn, nameColumn } from "../printing.ts";
import { column } from "./columns.ts";
import { FIELD_DOCS } from "./field-docs.ts";
import { base64Size, immutableDataErrors } from "./data-objects.ts";
import { semanticEqual } from "./semantic.ts";
import { view, type ConfigMap } from "./types.ts";

/** upstream's MaxSecretSize, shared by configmaps. */
export const MAX_DATA_SIZE = 1024 * 1024;

export function validateConfigMap(cm: ConfigMap): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  const data = FieldPath.root("data");
  const binary = FieldPath.root("binaryData");
  for (const [key, value] of Object.entries(cm.data ?? {})) {
    errs.push(...invalidEach(data.key(key), key, isConfigMapKey(key)));
    if (cm.binaryData && key in cm.binaryData) errs.push(field.invalid(data.key(key), key, "duplicate of key present in binaryData"));
    size += Buffer.byteLength(String(value), "utf8");
  }
  for (const [key, value] of Object.entries(cm.binaryData ?? {})) {
    errs.push(...invalidEach(binary.key(key), key, isConfigMapKey(key)));
    size += base64Size(String(value));
  }
  // upstream reports the size on the whole object (an empty path).
  if (size > MAX_DATA_SIZE) errs.push(field.tooLong("", MAX_DATA_SIZE));
  return errs;
}

export function validateConfigMapUpdate(cm: ConfigMap, old: ConfigMap): FieldError[] {
  if (!old.immutable) return [];
  const errs = immutableDataErrors(cm.immutable, cm.data, old.data);
  if (!semanticEqual(cm.binaryData ?? {}, old.binaryData ?? {})) errs.push(field.forbidden("binaryData", "field is immutable when `immutable` is set"));
  return errs;
}

const strategy: Strategy = {
  validate: (obj) => validateConfigMap(view<ConfigMap>(obj)),
  validateUpdate: (obj, old) => validateConfigMapUpdate(view<ConfigMap>(obj), view<ConfigMap>(old)),
};

export const configMapDefinition: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "ConfigMap",
  plural: "configmaps",
  singular: "configmap",
  shortNames: ["cm"],
  namespaced: true,
  verbs: ALL_VERBS,
  nameRule: "subdomain",
  printerColumns: [
    nameColumn,
    column<ConfigMap>("Data", FIELD_DOCS["ConfigMap.data"], (cm) => Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length),
    ageColumn,
  ],
  strategy,
};
