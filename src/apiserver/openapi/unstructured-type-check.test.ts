import { expect, test } from "bun:test";
import { createOpenApi } from "./service.ts";

const openapi = createOpenApi([]);
const GROUPS: Record<string, string> = { Deployment: "apps" };

function check(kind: string, obj: unknown): string | undefined {
  return openapi.unstructuredTypeError({ group: GROUPS[kind] ?? "", version: "v1", kind }, obj);
}

test.each([
  ["Deployment", { spec: { replicas: "many" } }, "unrecognized type: int32"],
  ["Deployment", { spec: { replicas: true } }, "unrecognized type: int32"],
  ["Deployment", { spec: { replicas: {} } }, "unrecognized type: int32"],
  ["Deployment", { spec: { replicas: 1.5 } }, "cannot convert float64 to int32"],
  ["ConfigMap", { data: { a: 5 } }, "cannot convert int64 to string"],
  ["ConfigMap", { data: { a: 1.5 } }, "unrecognized type: string"],
  ["ConfigMap", { data: { a: true } }, "unrecognized type: string"],
  ["ConfigMap", { data: "x" }, "cannot restore map from string"],
  ["ConfigMap", { data: [] }, "cannot restore map from slice"],
  ["ConfigMap", { metadata: "x" }, "cannot restore struct from: string"],
  ["Pod", { spec: { containers: {} } }, "cannot restore slice from map"],
  ["Pod", { spec: { containers: [{ imagePullPolicy: 5 }] } }, "cannot convert int64 to v1.PullPolicy"],
  ["Pod", { spec: { hostNetwork: "yes" } }, "unrecognized type: bool"],
  ["Pod", { spec: { containers: [{ resources: { limits: { cpu: "1x" } } }] } }, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"],
  // IntOrString and Time convert through UnmarshalJSON: decoder wording, no field context
  ["Service", { spec: { ports: [{ port: 80, targetPort: true }] } }, "json: cannot unmarshal bool into Go value of type int32"],
  ["Service", { spec: { ports: [{ port: 80, targetPort: 1.5 }] } }, "json: cannot unmarshal number 1.5 into Go value of type int32"],
  ["ConfigMap", { metadata: { creationTimestamp: 5 } }, "json: cannot unmarshal number into Go value of type string"],
  ["Secret", { data: { a: "!!!" } }, "error decoding from json: illegal base64 data at input byte 0"],
  ["Secret", { data: { a: 5 } }, "cannot restore slice from int64"],
  ["Secret", { data: { a: [1.5] } }, "cannot convert float64 to uint8"],
])("%s %j: %s", (kind, obj, message) => {
  expect(check(kind, obj)).toBe(message);
});

test.each([
  ["Deployment", { spec: { replicas: 3, template: { spec: { containers: [{ name: "c", image: "i", ports: [{ containerPort: 80 }] }] } } } }],
  // whole floats convert to ints, nulls to zero values
  ["Deployment", { spec: { replicas: 3.0, selector: null } }],
  ["Secret", { data: { a: "YWJj", b: [104, 105] } }],
  ["Service", { spec: { ports: [{ port: 80, targetPort: "http" }] } }],
])("%s %j converts", (kind, obj) => {
  expect(check(kind, obj)).toBeUndefined();
});
