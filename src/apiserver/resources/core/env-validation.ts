/**
 * Container env and envFrom, with upstream's paths and messages (ValidateEnv, ValidateEnvFrom).
 */
import type { V1EnvFromSource, V1EnvVar, V1ObjectFieldSelector, V1ResourceFieldSelector } from "@kubernetes/client-node";
import type { FieldError } from "../../api/errors.ts";
import type { Wire } from "../../api/types.ts";
import { field, invalidEach, type FieldPath } from "../../validation/field.ts";
import { isConfigMapKey } from "../../validation/keys.ts";
import { isDNS1123Subdomain, isEnvVarName, isQualifiedName } from "../../validation/names.ts";
import { formatQuantity } from "../../validation/quantity.ts";
import { isFieldError, readQuantity } from "./resource-validation.ts";

type EnvVar = Wire<V1EnvVar>;
type EnvFromSource = Wire<V1EnvFromSource>;

const ENV_FIELD_PATHS = [
  "metadata.name",
  "metadata.namespace",
  "metadata.uid",
  "spec.nodeName",
  "spec.serviceAccountName",
  "status.hostIP",
  "status.hostIPs",
  "status.podIP",
  "status.podIPs",
];
export const VOLUME_FIELD_PATHS = ["metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"];
const CONTAINER_RESOURCE_PATHS = ["limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage", "requests.memory"];

export function validateEnv(vars: EnvVar[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (vars ?? []).forEach((ev, i) => {
    const p = path.index(i);
    if (!ev.name) errs.push(field.required(p.child("name")));
    else errs.push(...invalidEach(p.child("name"), ev.name, isEnvVarName(ev.name)));
    errs.push(...validateValueFrom(ev, p.child("valueFrom")));
  });
  return errs;
}

function validateValueFrom(ev: EnvVar, path: FieldPath): FieldError[] {
  const from = ev.valueFrom;
  if (!from) return [];
  const errs: FieldError[] = [];
  let sources = 0;
  if (from.fieldRef) {
    sources++;
    errs.push(...validateObjectFieldSelector(from.fieldRef, ENV_FIELD_PATHS, path.child("fieldRef")));
  }
  if (from.resourceFieldRef) {
    sources++;
    errs.push(...validateResourceFieldSelector(from.resourceFieldRef, false, path.child("resourceFieldRef")));
  }
  if (from.configMapKeyRef) {
    sources++;
    errs.push(...validateKeySelector(from.configMapKeyRef, path.child("configMapKeyRef")));
  }
  if (from.secretKeyRef) {
    sources++;
    errs.push(...validateKeySelector(from.secretKeyRef, path.child("secretKeyRef")));
  }
  if (sources === 0) errs.push(field.invalid(path, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
  else if (ev.value) errs.push(field.invalid(path, "", "may not be specified when `value` is not empty"));
  else if (sources > 1) errs.push(field.invalid(path, "", "may not have more than one field specified at a time"));
  return errs;
}

/** Downward API field references: a known path, or labels/annotations with a subscript. */
export function validateObjectFieldSelector(fs: Wire<V1ObjectFieldSelector>, allowed: string[], path: FieldPath): FieldError[] {
  if (!fs.apiVersion) return [field.required(path.child("apiVersion"))];
  if (!fs.fieldPath) return [field.required(path.child("fieldPath"))];
  if (fs.apiVersion !== "v1") {
    return [field.invalid(path.child("fieldPath"), fs.fieldPath, `error converting fieldPath: unsupported version: ${fs.apiVersion}`)];
  }
  const sub = /^([^[]+)\['([^']*)'\]$/.exec(fs.fieldPath);
  if (sub) {
    const [, base = "", key = ""] = sub;
    if (base === "metadata.annotations") return invalidEach(path, key.toLowerCase(), isQualifiedName(key.toLowerCase()));
    if (base === "metadata.labels") return invalidEach(path, key, isQualifiedName(key));
    return [field.invalid(path, base, "does not support subscript")];
  }
  if (!isConvertibleFieldPath(fs.fieldPath)) {
    return [field.invalid(path.child("fieldPath"), fs.fieldPath, `error converting fieldPath: field label not supported: ${fs.fieldPath}`)];
  }
  return allowed.includes(fs.fieldPath) ? [] : [field.notSupported(path.child("fieldPath"), fs.fieldPath, allowed)];
}

/** Field labels the v1 Pod conversion knows (upstream's ConvertDownwardAPIFieldLabel). */
function isConvertibleFieldPath(p: string): boolean {
  return [...ENV_FIELD_PATHS, "metadata.labels", "metadata.annotations", "spec.host"].includes(p);
}

export function validateResourceFieldSelector(fs: Wire<V1ResourceFieldSelector>, inVolume: boolean, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (inVolume && !fs.containerName) errs.push(field.required(path.child("containerName")));
  else if (!fs.resource) errs.push(field.required(path.child("resource")));
  else if (!CONTAINER_RESOURCE_PATHS.includes(fs.resource) && !/^(requests|limits)\.hugepages-/.test(fs.resource)) {
    errs.push(field.notSupported(path.child("resource"), fs.resource, CONTAINER_RESOURCE_PATHS));
  }
  errs.push(...validateDivisor(fs.resource, fs.divisor, path));
  return errs;
}

const MEMORY_DIVISORS = ["1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei"];
const MEMORY_DIVISORS_TEXT = MEMORY_DIVISORS.join(", ");

function validateDivisor(resource: string, divisor: unknown, path: FieldPath): FieldError[] {
  if (divisor === undefined || divisor === null) return [];
  const q = readQuantity(divisor, path.child("divisor"));
  if (isFieldError(q)) return [q];
  if (q.nanos === 0n) return [];
  const text = formatQuantity(q);
  const bad = (what: string) => [field.invalid(path.child("divisor"), resource, `only divisor's values ${what}`)];
  if (/^(limits|requests)\.cpu$/.test(resource) && !["1m", "1"].includes(text)) return bad("1m and 1 are supported with the cpu resource");
  if (/^(limits|requests)\.memory$/.test(resource) && !MEMORY_DIVISORS.includes(text)) return bad(`${MEMORY_DIVISORS_TEXT} are supported with the memory resource`);
  if (/^(limits|requests)\.ephemeral-storage$/.test(resource) && !MEMORY_DIVISORS.includes(text)) {
    return bad(`${MEMORY_DIVISORS_TEXT} are supported with the local ephemeral storage resource`);
  }
  if (/^(limits|requests)\.hugepages-/.test(resource) && !MEMORY_DIVISORS.includes(text)) return bad(`${MEMORY_DIVISORS_TEXT} are supported with the hugepages resource`);
  return [];
}

/** configMapKeyRef / secretKeyRef: a valid object name and a config key. */
function validateKeySelector(s: { name?: string; key: string }, path: FieldPath): FieldError[] {
  const errs = invalidEach(path.child("name"), s.name ?? "", isDNS1123Subdomain(s.name ?? ""));
  if (!s.key) errs.push(field.required(path.child("key")));
  else errs.push(...invalidEach(path.child("key"), s.key, isConfigMapKey(s.key)));
  return errs;
}

export function validateEnvFrom(sources: EnvFromSource[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (sources ?? []).forEach((ev, i) => {
    const p = path.index(i);
    if (ev.prefix) errs.push(...invalidEach(p.child("prefix"), ev.prefix, isEnvVarName(ev.prefix)));
    let count = 0;
    for (const [key, ref] of [["configMapRef", ev.configMapRef], ["secretRef", ev.secretRef]] as const) {
      if (!ref) continue;
      count++;
      const namePath = p.child(key, "name");
      if (!ref.name) errs.push(field.required(namePath));
      else errs.push(...invalidEach(namePath, ref.name, isDNS1123Subdomain(maskTrailingDash(ref.name))));
    }
    if (count === 0) errs.push(field.invalid(path, "", "must specify one of: `configMapRef` or `secretRef`"));
    else if (count > 1) errs.push(field.invalid(path, "", "may not have more than one field specified at a time"));
  });
  return errs;
}

/** Upstream checks these names as generateName prefixes, which may end in a dash (maskTrailingDash). */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith("-") ? `${name.slice(0, -2)}a` : name;
}
