/**
 * Turns one client-node model into an OpenAPI v2 definition: TypeScript field types become
 * JSON Schema types, model references become $refs to upstream definition names, and the
 * apimachinery scalar types the models flatten (Date, V1MicroTime, IntOrString) become refs to
 * their named definitions again.
 */
import type { Schema } from "../../src/apiserver/openapi/schema.ts";
import { V2_REF_PREFIX } from "../../src/apiserver/openapi/schema.ts";
import type { Model, ModelField } from "./client-node-models.ts";
import type { ModelHome } from "./model-homes.ts";

export const TIME = "io.k8s.apimachinery.pkg.apis.meta.v1.Time";
export const MICRO_TIME = "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime";
export const INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
export const QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";

/**
 * Fields that are resource.Quantity upstream. The models erase Quantity to a plain string, and
 * nothing in them tells it apart from other strings, so the fields are named here. The
 * generator fails if one of them disappears or changes shape. A Quantity field missing from
 * this list is still typed correctly on the v2 wire (Quantity is a string there).
 */
export const QUANTITY_FIELDS = new Set([
  "V1ResourceRequirements.limits",
  "V1ResourceRequirements.requests",
  "V1VolumeResourceRequirements.limits",
  "V1VolumeResourceRequirements.requests",
  "V1NodeStatus.capacity",
  "V1NodeStatus.allocatable",
  "V1PersistentVolumeSpec.capacity",
  "V1PersistentVolumeClaimStatus.capacity",
  "V1PersistentVolumeClaimStatus.allocatedResources",
  "V1ContainerStatus.allocatedResources",
  "V1PodStatus.allocatedResources",
  "V1PodSpec.overhead",
  "V1Overhead.podFixed",
  "V1LimitRangeItem.default",
  "V1LimitRangeItem.defaultRequest",
  "V1LimitRangeItem.max",
  "V1LimitRangeItem.min",
  "V1LimitRangeItem.maxLimitRequestRatio",
  "V1ResourceQuotaSpec.hard",
  "V1ResourceQuotaStatus.hard",
  "V1ResourceQuotaStatus.used",
  "V1EmptyDirVolumeSource.sizeLimit",
  "V1ResourceFieldSelector.divisor",
  "V1CSIStorageCapacity.capacity",
  "V1CSIStorageCapacity.maximumVolumeSize",
  "V2MetricTarget.value",
  "V2MetricTarget.averageValue",
  "V2MetricValueStatus.value",
  "V2MetricValueStatus.averageValue",
  "V2HPAScalingRules.tolerance",
  ...["V1", "V1beta1", "V1beta2"].flatMap((v) => [
    `${v}CapacityRequestPolicy.default`,
    `${v}CapacityRequestPolicy.validValues`,
    `${v}CapacityRequestPolicyRange.max`,
    `${v}CapacityRequestPolicyRange.min`,
    `${v}CapacityRequestPolicyRange.step`,
    `${v}Counter.value`,
    `${v}DeviceCapacity.value`,
    `${v}NodeAllocatableResourceMapping.allocationMultiplier`,
    `${v}CapacityRequirements.requests`,
    `${v}DeviceRequestAllocationResult.consumedCapacity`,
  ]),
  "V1NodeAllocatableResourceClaimStatus.resources",
]);

const STRING_MAP = "{ [key: string]: string; }";

export function modelSchema(model: Model, homes: Map<string, ModelHome>): Schema {
  const home = homes.get(model.name)!;
  const properties: Record<string, Schema> = {};
  for (const field of model.fields) {
    properties[field.jsonName] = withDescription(fieldSchema(model.name, field, homes), field.description);
  }
  const required = model.fields.filter((f) => f.required).map((f) => f.jsonName);
  const schema: Schema = {};
  if (model.description) schema.description = model.description;
  if (model.fields.length > 0) schema.properties = properties;
  if (required.length > 0) schema.required = required;
  schema.type = "object";
  if (home.gvk) schema["x-kubernetes-group-version-kind"] = [home.gvk];
  return schema;
}

function withDescription(schema: Schema, description: string | undefined): Schema {
  return description ? { description, ...schema } : schema;
}

function fieldSchema(model: string, field: ModelField, homes: Map<string, ModelHome>): Schema {
  const key = `${model}.${field.jsonName}`;
  if (QUANTITY_FIELDS.has(key)) {
    if (field.tsType === "string") return ref(QUANTITY);
    if (field.tsType === STRING_MAP) return { type: "object", additionalProperties: ref(QUANTITY) };
    if (field.tsType === "Array<string>") return { type: "array", items: ref(QUANTITY) };
    throw new Error(`${key} is listed as a Quantity but has type ${field.tsType}`);
  }
  return typeSchema(field.tsType, field.format, key, homes);
}

function ref(definition: string): Schema {
  return { $ref: V2_REF_PREFIX + definition };
}

function typeSchema(tsType: string, format: string, where: string, homes: Map<string, ModelHome>): Schema {
  const array = /^Array<(.+)>$/.exec(tsType);
  if (array) return { type: "array", items: typeSchema(array[1]!, format, where, homes) };
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(tsType);
  if (map) return { type: "object", additionalProperties: typeSchema(map[1]!, format, where, homes) };
  switch (tsType) {
    case "string":
      return format ? { type: "string", format } : { type: "string" };
    case "boolean":
      return { type: "boolean" };
    case "number":
      if (format === "int32" || format === "int64") return { type: "integer", format };
      return format ? { type: "number", format } : { type: "number" };
    case "Date":
      if (format !== "date-time") throw new Error(`${where}: Date with format "${format}"`);
      return ref(TIME);
    case "V1MicroTime":
      return ref(MICRO_TIME);
    case "IntOrString":
      return ref(INT_OR_STRING);
    case "any":
      // RawExtension, FieldsV1, JSON and empty structs upstream: any JSON value is accepted.
      return {};
  }
  const home = homes.get(tsType);
  if (!home) throw new Error(`${where}: unknown type ${tsType}`);
  return ref(home.definition);
}
