/**
 * core/v1 secrets: stringData merged into data (as upstream's conversion does), type defaults
 * and type-specific required keys, size and immutability rules, the TYPE/DATA Table and the
 * `type` field selector.
 */
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject } from "../../api/types.ts";
import type { ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { ALL_VERBS } from "../../registry/definition.ts";
import { field, FieldPath, invalidEach } from "../../validation/field.ts";
import { isConfigMapKey } from "../../validation/keys.ts";
import { ageColumn, nameColumn } from "../printing.ts";
import { column } from "./columns.ts";
import { MAX_DATA_SIZE } from "./configmap.ts";
import { base64Size, immutableDataErrors, isBase64 } from "./data-objects.ts";
import { FIELD_DOCS } from "./field-docs.ts";
import { goJSONError } from "./go-json.ts";
import { view, type Secret } from "./types.ts";

const DATA = FieldPath.root("data");
const REDACTED = "<secret contents redacted>";

/** stringData is write-only: its entries overwrite data (base64-encoded) and the field goes away. */
export function defaultSecret(secret: Secret): void {
  secret.type ||= "Opaque";
  if (secret.stringData) {
    const data = (secret.data ??= {});
    for (const [k, v] of Object.entries(secret.stringData)) data[k] = Buffer.from(String(v), "utf8").toString("base64");
    delete secret.stringData;
  }
}

const decode = (v: string | undefined) => Buffer.from(v ?? "", "base64");

export function validateSecret(secret: Secret): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [key, value] of Object.entries(secret.data ?? {})) {
    errs.push(...invalidEach(DATA.key(key), key, isConfigMapKey(key)));
    if (!isBase64(String(value))) errs.push(field.invalid(DATA.key(key), REDACTED, "illegal base64 data"));
    size += base64Size(String(value));
  }
  if (size > MAX_DATA_SIZE) errs.push(field.tooLong(DATA, MAX_DATA_SIZE));
  return [...errs, ...validateSecretType(secret)];
}

function validateSecretType(secret: Secret): FieldError[] {
  const data = secret.data ?? {};
  const has = (k: string) => k in data;
  switch (secret.type) {
    case "kubernetes.io/service-account-token": {
      const key = "kubernetes.io/service-account.name";
      return secret.metadata?.annotations?.[key] ? [] : [field.required(FieldPath.root("metadata").child("annotations").key(key))];
    }
    case "kubernetes.io/dockercfg":
      return jsonKey(data, ".dockercfg");
    case "kubernetes.io/dockerconfigjson":
      return jsonKey(data, ".dockerconfigjson");
    case "kubernetes.io/basic-auth":
      return has("username") || has("password") ? [] : [field.required(DATA.key("username")), field.required(DATA.key("password"))];
    case "kubernetes.io/ssh-auth":
      return decode(data["ssh-privatekey"]).length ? [] : [field.required(DATA.key("ssh-privatekey"))];
    case "kubernetes.io/tls":
      return ["tls.crt", "tls.key"].filter((k) => !has(k)).map((k) => field.required(DATA.key(k)));
    default:
      return [];
  }
}

/** The key must be present and hold a JSON object. */
function jsonKey(data: Record<string, string>, key: string): FieldError[] {
  if (!(key in data)) return [field.required(DATA.key(key))];
  const problem = goJSONError(decode(data[key]).toString("utf8"));
  return problem ? [field.invalid(DATA.key(key), REDACTED, problem)] : [];
}

export function validateSecretUpdate(secret: Secret, old: Secret): FieldError[] {
  const errs: FieldError[] = [];
  if (secret.type !== old.type) errs.push(field.immutable("type", secret.type));
  if (old.immutable) errs.push(...immutableDataErrors(secret.immutable, secret.data, old.data));
  return errs;
}

const strategy: Strategy = {
  defaults: (obj) => defaultSecret(view<Secret>(obj)),
  validate: (obj) => validateSecret(view<Secret>(obj)),
  validateUpdate: (obj, old) => validateSecretUpdate(view<Secret>(obj), view<Secret>(old)),
};

export const secretDefinition: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "Secret",
  plural: "secrets",
  singular: "secret",
  namespaced: true,
  verbs: ALL_VERBS,
  nameRule: "subdomain",
  printerColumns: [
    nameColumn,
    column<Secret>("Type", FIELD_DOCS["Secret.type"], (s) => s.type ?? ""),
    column<Secret>("Data", FIELD_DOCS["Secret.data"], (s) => Object.keys(s.data ?? {}).length),
    ageColumn,
  ],
  fieldSelectors: { type: (o: KubeObject) => view<Secret>(o).type ?? "" },
  strategy,
};
