import { describe, expect, test } from "bun:test";
import { createOpenApi } from "./service.ts";
import { numberLiterals } from "./number-literals.ts";
import { typeErrors, typeMetaError } from "./type-check.ts";

const openapi = createOpenApi([]);
const GROUPS: Record<string, string> = { Deployment: "apps", Lease: "coordination.k8s.io", ControllerRevision: "apps", CustomResourceDefinition: "apiextensions.k8s.io" };

/** The check as body.ts runs it on a JSON body: number literals from the text. */
function check(kind: string, json: string): string | undefined {
  const gvk = { group: GROUPS[kind] ?? "", version: "v1", kind };
  return openapi.typeErrors(gvk, JSON.parse(json), { numberLiterals: numberLiterals(json) });
}

const QUANTITY_FORMAT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

describe("wrong shapes, in Go's words", () => {
  test.each([
    // scalars into strings
    ["ConfigMap", '{"data":{"a":5}}', "json: cannot unmarshal number into Go struct field ConfigMap.data of type string"],
    ["ConfigMap", '{"data":{"a":true}}', "json: cannot unmarshal bool into Go struct field ConfigMap.data of type string"],
    ["ConfigMap", '{"data":{"a":{}}}', "json: cannot unmarshal object into Go struct field ConfigMap.data of type string"],
    ["ConfigMap", '{"data":{"a":[]}}', "json: cannot unmarshal array into Go struct field ConfigMap.data of type string"],
    // whole maps, structs and lists of the wrong shape
    ["ConfigMap", '{"data":[]}', "json: cannot unmarshal array into Go struct field ConfigMap.data of type map[string]string"],
    ["ConfigMap", '{"data":"x"}', "json: cannot unmarshal string into Go struct field ConfigMap.data of type map[string]string"],
    ["ConfigMap", '{"metadata":"x"}', "json: cannot unmarshal string into Go struct field ConfigMap.metadata of type v1.ObjectMeta"],
    ["ConfigMap", '{"metadata":{"labels":[]}}', "json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string"],
    ["Deployment", '{"spec":"x"}', "json: cannot unmarshal string into Go struct field Deployment.spec of type v1.DeploymentSpec"],
    ["Pod", '{"spec":{"containers":{}}}', "json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container"],
    ["Pod", '{"spec":{"containers":["x"]}}', "json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type v1.Container"],
    // ints: strings, fractions, range, and the literal text
    ["Deployment", '{"spec":{"replicas":"many"}}', "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"],
    ["Deployment", '{"spec":{"replicas":true}}', "json: cannot unmarshal bool into Go struct field DeploymentSpec.spec.replicas of type int32"],
    ["Deployment", '{"spec":{"replicas":{}}}', "json: cannot unmarshal object into Go struct field DeploymentSpec.spec.replicas of type int32"],
    ["Deployment", '{"spec":{"replicas":1.5}}', "json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32"],
    ["Deployment", '{"spec":{"replicas":1.0}}', "json: cannot unmarshal number 1.0 into Go struct field DeploymentSpec.spec.replicas of type int32"],
    ["Deployment", '{"spec":{"replicas":1e2}}', "json: cannot unmarshal number 1e2 into Go struct field DeploymentSpec.spec.replicas of type int32"],
    ["Deployment", '{"spec":{"replicas":2147483648}}', "json: cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas of type int32"],
    ["Deployment", '{"spec":{"replicas":-2147483649}}', "json: cannot unmarshal number -2147483649 into Go struct field DeploymentSpec.spec.replicas of type int32"],
    ["Pod", '{"spec":{"activeDeadlineSeconds":9223372036854775808}}', "json: cannot unmarshal number 9223372036854775808 into Go struct field PodSpec.spec.activeDeadlineSeconds of type int64"],
    ["Pod", '{"spec":{"activeDeadlineSeconds":"1"}}', "json: cannot unmarshal string into Go struct field PodSpec.spec.activeDeadlineSeconds of type int64"],
    // lists of objects: the innermost struct, the JSON path without indices
    ["Pod", '{"spec":{"containers":[{"name":"c","ports":[{"containerPort":"80"}]}]}}', "json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32"],
    ["Pod", '{"spec":{"containers":[null,{"ports":[null,{"containerPort":1.5}]}]}}', "json: cannot unmarshal number 1.5 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32"],
    ["Pod", '{"spec":{"containers":[{"name":5}]}}', "json: cannot unmarshal number into Go struct field Container.spec.containers.name of type string"],
    ["Pod", '{"spec":{"hostNetwork":"yes"}}', "json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool"],
    // named Go types the schema cannot name
    ["Pod", '{"spec":{"containers":[{"imagePullPolicy":5}]}}', "json: cannot unmarshal number into Go struct field Container.spec.containers.imagePullPolicy of type v1.PullPolicy"],
    ["Pod", '{"spec":{"containers":[{"resources":{"limits":"x"}}]}}', "json: cannot unmarshal string into Go struct field ResourceRequirements.spec.containers.resources.limits of type v1.ResourceList"],
    ["Service", '{"spec":{"ipFamilies":"IPv4"}}', "json: cannot unmarshal string into Go struct field ServiceSpec.spec.ipFamilies of type []v1.IPFamily"],
    ["Service", '{"spec":{"ipFamilies":[4]}}', "json: cannot unmarshal number into Go struct field ServiceSpec.spec.ipFamilies of type v1.IPFamily"],
    ["ConfigMap", '{"metadata":{"uid":5}}', "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.uid of type types.UID"],
    // Quantity: its own parser's errors, no field context
    ["Pod", '{"spec":{"containers":[{"resources":{"limits":{"cpu":"1x"}}}]}}', QUANTITY_FORMAT],
    ["Pod", '{"spec":{"containers":[{"resources":{"limits":{"cpu":true}}}]}}', QUANTITY_FORMAT],
    ["Pod", '{"spec":{"containers":[{"resources":{"requests":{"memory":"1K"}}}]}}', "unable to parse quantity's suffix"],
    // IntOrString: the int32 side's errors, with the field context
    ["Service", '{"spec":{"ports":[{"port":80,"targetPort":true}]}}', "json: cannot unmarshal bool into Go struct field ServicePort.spec.ports.targetPort of type int32"],
    ["Service", '{"spec":{"ports":[{"port":80,"targetPort":1.5}]}}', "json: cannot unmarshal number 1.5 into Go struct field ServicePort.spec.ports.targetPort of type int32"],
    ["Service", '{"spec":{"ports":[{"port":80,"targetPort":80.0}]}}', "json: cannot unmarshal number 80.0 into Go struct field ServicePort.spec.ports.targetPort of type int32"],
    ["Service", '{"spec":{"ports":[{"port":80,"targetPort":{}}]}}', "json: cannot unmarshal object into Go struct field ServicePort.spec.ports.targetPort of type int32"],
    ["Service", '{"spec":{"ports":[{"port":80,"targetPort":2147483648}]}}', "json: cannot unmarshal number 2147483648 into Go struct field ServicePort.spec.ports.targetPort of type int32"],
    // Time and MicroTime: a string, then time.Parse
    ["ConfigMap", '{"metadata":{"creationTimestamp":5}}', "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp of type string"],
    ["ConfigMap", '{"metadata":{"creationTimestamp":""}}', 'parsing time "" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "2006"'],
    ["Lease", '{"spec":{"renewTime":"2024-01-02T03:04:05.123Z"}}', 'parsing time "2024-01-02T03:04:05.123Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse ".123Z" as ".000000"'],
    // []byte: base64, or a list of byte values
    ["Secret", '{"data":{"a":"!!!"}}', "illegal base64 data at input byte 0"],
    ["Secret", '{"data":{"a":5}}', "json: cannot unmarshal number into Go struct field Secret.data of type []uint8"],
    ["Secret", '{"data":{"a":[256]}}', "json: cannot unmarshal number 256 into Go struct field Secret.data of type uint8"],
    ["Secret", '{"data":{"a":["x"]}}', "json: cannot unmarshal string into Go struct field Secret.data of type uint8"],
    ["ConfigMap", '{"binaryData":{"a":"YWJ"}}', "illegal base64 data at input byte 0"],
  ])("%s %s", (kind, json, message) => {
    expect(check(kind, json)).toBe(message);
  });
});

describe("accepted as Go accepts them", () => {
  test.each([
    ["ConfigMap", '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","labels":{"a":"b"}},"data":{"a":"5"}}'],
    // null is never a type error
    ["ConfigMap", '{"metadata":null,"data":{"a":null},"binaryData":null}'],
    ["Deployment", '{"spec":{"replicas":null,"template":{"spec":{"containers":null}}}}'],
    ["ConfigMap", '{"metadata":{"creationTimestamp":null}}'],
    // int bounds
    ["Deployment", '{"spec":{"replicas":2147483647}}'],
    ["Deployment", '{"spec":{"replicas":-2147483648}}'],
    ["Pod", '{"spec":{"activeDeadlineSeconds":9223372036854775807}}'],
    // fields the type does not know are fieldValidation's business, not a type error
    ["ConfigMap", '{"spec":5,"data":{"a":"x"}}'],
    ["Service", '{"spec":{"ports":[{"port":80,"targetPort":"http"},{"port":81,"targetPort":8081}]}}'],
    ["Pod", '{"spec":{"containers":[{"name":"c","image":"nginx:1.25","resources":{"limits":{"cpu":"500m","memory":" 1Gi "},"requests":{"cpu":1,"memory":"1e9"}}}]}}'],
    ["Secret", '{"data":{"a":"YWJj","b":"","c":"YW\\nJj"},"stringData":{"d":"plain"}}'],
    // Go fills []byte from a list of byte values too
    ["Secret", '{"data":{"a":[104,105]}}'],
    ["Lease", '{"spec":{"renewTime":"2024-01-02T03:04:05.123456Z","acquireTime":null}}'],
    ["ConfigMap", '{"metadata":{"creationTimestamp":"2024-01-02T03:04:05Z","deletionTimestamp":"2024-01-02T03:04:05.5+01:00"}}'],
    // free-form fields (RawExtension, FieldsV1, apiextensions JSON) take anything
    ["ControllerRevision", '{"data":5,"revision":1}'],
    ["ConfigMap", '{"metadata":{"managedFields":[{"fieldsV1":"anything","operation":"Update"}]}}'],
    ["CustomResourceDefinition", '{"spec":{"versions":[{"name":"v1","schema":{"openAPIV3Schema":{"type":"object","additionalProperties":false,"default":5,"enum":[1,"a"]}}}]}}'],
  ])("%s %s", (kind, json) => {
    expect(check(kind, json)).toBeUndefined();
  });
});

describe("which error wins", () => {
  test("the first mismatch in document order", () => {
    expect(check("ConfigMap", '{"data":{"a":1},"metadata":{"labels":5}}')).toBe("json: cannot unmarshal number into Go struct field ConfigMap.data of type string");
    expect(check("ConfigMap", '{"metadata":{"labels":5},"data":{"a":1}}')).toBe("json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type map[string]string");
    expect(check("Secret", '{"data":{"a":"!!!","b":5}}')).toBe("illegal base64 data at input byte 0");
  });

  test("a failing UnmarshalJSON stops decoding and beats an earlier mismatch", () => {
    expect(check("ConfigMap", '{"data":{"a":1},"metadata":{"creationTimestamp":"x"}}')).toBe('parsing time "x" as "2006-01-02T15:04:05Z07:00": cannot parse "x" as "2006"');
    expect(check("Pod", '{"spec":{"hostNetwork":1,"containers":[{"resources":{"limits":{"cpu":"x"}}}]}}')).toBe(QUANTITY_FORMAT);
  });
});

describe("number literals", () => {
  test("without the body text, values are judged as JavaScript holds them", () => {
    const tree = openapi.schemaFor({ group: "apps", version: "v1", kind: "Deployment" })!;
    expect(typeErrors(tree, { spec: { replicas: 1 } })).toBeUndefined();
    expect(typeErrors(tree, { spec: { replicas: 1.5 } })).toBe("json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32");
  });
});

describe("what is checked", () => {
  test("custom resources are never type-checked here (upstream decodes them as unstructured)", () => {
    const gvk = { group: "example.com", version: "v1", kind: "Widget" };
    const api = createOpenApi([]);
    api.registerCustomSchema(gvk, { type: "object", properties: { spec: { type: "object", properties: { size: { type: "integer" } } } } });
    expect(api.typeErrors(gvk, { spec: { size: "big" } })).toBeUndefined();
    expect(api.typeErrors({ group: "example.com", version: "v1", kind: "Unknown" }, { spec: 5 })).toBeUndefined();
  });
});

describe("apiVersion and kind", () => {
  test.each([
    [{ apiVersion: "v1", kind: "ConfigMap" }, undefined],
    [{ apiVersion: null, kind: null }, undefined],
    [{ apiVersion: "v1", kind: 5 }, "json: cannot unmarshal number into Go struct field .kind of type string"],
    [{ apiVersion: ["v1"] }, "json: cannot unmarshal array into Go struct field .apiVersion of type string"],
    // encoding/json matches field names without regard to case
    [{ APIVERSION: true }, "json: cannot unmarshal bool into Go struct field .apiVersion of type string"],
  ])("%j", (obj, message) => {
    expect(typeMetaError(obj)).toBe(message);
  });
});
