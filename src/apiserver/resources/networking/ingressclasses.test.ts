import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import { cells, create, NOW, update } from "../workloads/testing.ts";
import { ingressClassDefinition as def } from "./ingressclasses.ts";

const ic = (spec: Record<string, unknown> | undefined, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "IngressClass",
  metadata: { name: "nginx", ...(annotations ? { annotations } : {}) },
  ...(spec ? { spec } : {}),
});

describe("ingressclasses", () => {
  test("parameters default to cluster scope; the default-class annotation is plain data", () => {
    const input = ic({ controller: "k8s.io/ingress-nginx", parameters: { apiGroup: "k8s.example.com", kind: "IngressParameters", name: "external-lb" } }, { "ingressclass.kubernetes.io/is-default-class": "true" });
    const { obj, errors } = create(def, input);
    expect(errors).toEqual([]);
    expect(obj.spec).toEqual({ controller: "k8s.io/ingress-nginx", parameters: { apiGroup: "k8s.example.com", kind: "IngressParameters", name: "external-lb", scope: "Cluster" } });
    expect(obj.metadata?.annotations).toEqual({ "ingressclass.kubernetes.io/is-default-class": "true" });
    expect(obj.metadata?.generation).toBe(1);
  });

  test.each<[string, Record<string, unknown> | undefined, string[]]>([
    ["no controller", undefined, ["spec.controller: Required value"]],
    ["a controller without a domain", { controller: "nginx" }, ['spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")']],
    [
      "a controller path with spaces",
      { controller: "example.com/my controller" },
      [`spec.controller: Invalid value: "my controller": Invalid path (regex used for validation is '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')`],
    ],
    ["a controller longer than 250 bytes", { controller: `example.com/${"a".repeat(240)}` }, ["spec.controller: Too long: may not be more than 250 bytes"]],
    [
      "namespaced parameters without a namespace",
      { controller: "example.com/c", parameters: { kind: "K", name: "n", scope: "Namespace" } },
      ["spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'"],
    ],
    [
      "cluster parameters with a namespace",
      { controller: "example.com/c", parameters: { kind: "K", name: "n", namespace: "default" } },
      ["spec.parameters.namespace: Forbidden: `parameters.scope` is set to 'Cluster'"],
    ],
    ["an unknown scope", { controller: "example.com/c", parameters: { kind: "K", name: "n", scope: "Global" } }, ['spec.parameters.scope: Unsupported value: "Global": supported values: "Cluster", "Namespace"']],
    ["parameters without kind and name", { controller: "example.com/c", parameters: {} }, ["spec.parameters.kind: Required value", "spec.parameters.name: Required value"]],
  ])("rejects %s", (_, spec, messages) => {
    expect(create(def, ic(spec)).errors).toEqual(messages);
  });

  test("the controller is immutable", () => {
    const old = create(def, ic({ controller: "example.com/a" })).obj;
    expect(update(def, ic({ controller: "example.com/b" }), old).errors).toEqual(['spec.controller: Invalid value: "example.com/b": field is immutable']);
    expect(update(def, ic({ controller: "example.com/a", parameters: { kind: "K", name: "n" } }), old).errors).toEqual([]);
  });

  test("prints NAME CONTROLLER PARAMETERS AGE", () => {
    const obj = { ...ic({ controller: "k8s.io/ingress-nginx", parameters: { apiGroup: "k8s.example.com", kind: "IngressParameters", name: "lb", scope: "Cluster" } }), metadata: { name: "nginx", creationTimestamp: new Date(NOW - 120_000).toISOString() } };
    expect(cells(def, obj)).toEqual({ Name: "nginx", Controller: "k8s.io/ingress-nginx", Parameters: "IngressParameters.k8s.example.com/lb", Age: "2m" });
    expect(cells(def, ic({ controller: "x.io/y", parameters: { kind: "ConfigMap", name: "cm" } })).Parameters).toBe("ConfigMap/cm");
    expect(cells(def, ic({ controller: "x.io/y" })).Parameters).toBe("<none>");
  });

  test("discovery metadata", () => {
    expect(def).toMatchObject({ group: "networking.k8s.io", plural: "ingressclasses", namespaced: false, tracksGeneration: true });
    expect(def.shortNames).toBeUndefined();
  });
});
