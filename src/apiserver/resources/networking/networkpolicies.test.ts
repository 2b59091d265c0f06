import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import { cells, create, NOW } from "../workloads/testing.ts";
import { networkPolicyDefinition as def } from "./networkpolicies.ts";

const np = (spec: Record<string, unknown> | undefined): KubeObject => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name: "allow-web", namespace: "default" },
  ...(spec ? { spec } : {}),
});

const spec = (o: KubeObject) => o.spec as Record<string, unknown>;

describe("networkpolicies: defaults", () => {
  test("an empty policy selects every pod and is an Ingress policy", () => {
    expect(create(def, np(undefined)).obj.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress"] });
  });

  test("egress rules make it an Egress policy too; ports default to TCP", () => {
    const { obj, errors } = create(def, np({ podSelector: { matchLabels: { app: "web" } }, ingress: [{ ports: [{ port: 80 }] }], egress: [{ ports: [{ port: 53, protocol: "UDP" }] }] }));
    expect(errors).toEqual([]);
    expect(spec(obj).policyTypes).toEqual(["Ingress", "Egress"]);
    expect(spec(obj).ingress).toEqual([{ ports: [{ port: 80, protocol: "TCP" }] }]);
    expect(spec(obj).egress).toEqual([{ ports: [{ port: 53, protocol: "UDP" }] }]);
  });

  test("given policyTypes are kept", () => {
    expect(spec(create(def, np({ podSelector: {}, policyTypes: ["Egress"] })).obj).policyTypes).toEqual(["Egress"]);
  });
});

describe("networkpolicies: validation", () => {
  test.each<[string, Record<string, unknown>, string[]]>([
    ["a peer with nothing in it", { ingress: [{ from: [{}] }] }, ["spec.ingress[0].from[0]: Required value: must specify a peer"]],
    [
      "an ipBlock together with a selector",
      { egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8" }, podSelector: {} }] }] },
      ["spec.egress[0].to[0]: Forbidden: may not specify both ipBlock and another peer"],
    ],
    ["an ipBlock without cidr", { ingress: [{ from: [{ ipBlock: {} }] }] }, ["spec.ingress[0].from[0].ipBlock.cidr: Required value"]],
    ["a cidr that is not one", { ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0" } }] }] }, ['spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "10.0.0.0": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)']],
    [
      "except ranges outside or not smaller than cidr",
      { ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/16", except: ["10.1.0.0/24", "10.0.0.0/16", "10.0.5.0/24", "2001:db8::/64"] } }] }] },
      [
        'spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: "10.1.0.0/24": must be a strict subset of `cidr`',
        'spec.ingress[0].from[0].ipBlock.except[1]: Invalid value: "10.0.0.0/16": must be a strict subset of `cidr`',
        'spec.ingress[0].from[0].ipBlock.except[3]: Invalid value: "2001:db8::/64": must be a strict subset of `cidr`',
      ],
    ],
    ["an IPv6 except inside its block", { egress: [{ to: [{ ipBlock: { cidr: "2001:db8::/32", except: ["2001:db8:1::/48"] } }] }] }, []],
    ["an unknown protocol", { ingress: [{ ports: [{ protocol: "ICMP", port: 1 }] }] }, ['spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"']],
    ["a port out of range", { ingress: [{ ports: [{ port: 0 }] }] }, ["spec.ingress[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"]],
    ["endPort below port", { ingress: [{ ports: [{ port: 100, endPort: 99 }] }] }, ["spec.ingress[0].ports[0].endPort: Invalid value: 99: must be greater than or equal to `port`"]],
    ["endPort with a named port", { ingress: [{ ports: [{ port: "http", endPort: 99 }] }] }, ["spec.ingress[0].ports[0].endPort: Invalid value: 99: may not be specified when `port` is non-numeric"]],
    ["endPort without port", { egress: [{ ports: [{ endPort: 99 }] }] }, ["spec.egress[0].ports[0].endPort: Invalid value: 99: may not be specified when `port` is not specified"]],
    [
      "a bad port name",
      { ingress: [{ ports: [{ port: "HTTP" }] }] },
      ['spec.ingress[0].ports[0].port: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)', 'spec.ingress[0].ports[0].port: Invalid value: "HTTP": must contain at least one letter (a-z)'],
    ],
    ["an unknown policy type", { policyTypes: ["Sideways"] }, ['spec.policyTypes[0]: Unsupported value: "Sideways": supported values: "Ingress", "Egress"']],
    [
      "three policy types",
      { policyTypes: ["Ingress", "Egress", "Ingress"] },
      ['spec.policyTypes: Invalid value: []networking.PolicyType{"Ingress", "Egress", "Ingress"}: may not specify more than two policyTypes'],
    ],
    [
      "an invalid pod selector",
      { podSelector: { matchLabels: { "bad key": "x" } } },
      [
        `spec.podSelector.matchLabels: Invalid value: "bad key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
      ],
    ],
  ])("%s", (_, s, messages) => {
    expect(create(def, np(s)).errors).toEqual(messages);
  });
});

describe("networkpolicies: table", () => {
  test("NAME POD-SELECTOR AGE", () => {
    const obj = { ...np({ podSelector: { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In", values: ["a", "b"] }] } }), metadata: { name: "allow-web", creationTimestamp: new Date(NOW - 5_000).toISOString() } };
    expect(cells(def, obj)).toEqual({ Name: "allow-web", "Pod-Selector": "app=web,tier in (a,b)", Age: "5s" });
    expect(cells(def, np({ podSelector: {} }))["Pod-Selector"]).toBe("<none>");
  });

  test("discovery metadata", () => {
    expect(def).toMatchObject({ group: "networking.k8s.io", plural: "networkpolicies", shortNames: ["netpol"], namespaced: true, tracksGeneration: true });
    expect(def.statusSubresource).toBeUndefined();
  });
});
