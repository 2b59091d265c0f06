import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import { cells, create, NOW, update } from "../workloads/testing.ts";
import { endpointSliceDefinition as def, formatEndpoints, formatPorts } from "./endpointslices.ts";

const slice = (extra: Record<string, unknown>): KubeObject => ({
  apiVersion: "discovery.k8s.io/v1",
  kind: "EndpointSlice",
  metadata: { name: "web-abcde", namespace: "default", labels: { "kubernetes.io/service-name": "web" } },
  addressType: "IPv4",
  endpoints: [{ addresses: ["10.42.0.5"], conditions: { ready: true }, nodeName: "node1" }],
  ports: [{ name: "http", port: 80, protocol: "TCP" }],
  ...extra,
});

describe("endpointslices: defaults", () => {
  test("ports default to TCP with an empty name; conditions and empty lists are written", () => {
    const { obj, errors } = create(def, slice({ endpoints: [{ addresses: ["10.42.0.6"] }], ports: [{ port: 8080 }] }));
    expect(errors).toEqual([]);
    expect(obj.ports).toEqual([{ port: 8080, name: "", protocol: "TCP" }]);
    expect(obj.endpoints).toEqual([{ addresses: ["10.42.0.6"], conditions: {} }]);
    const empty = slice({});
    delete empty.endpoints;
    delete empty.ports;
    expect(create(def, empty).obj).toMatchObject({ endpoints: null, ports: null });
  });

  test("deprecatedTopology is dropped from v1 writes", () => {
    const { obj } = create(def, slice({ endpoints: [{ addresses: ["10.42.0.5"], deprecatedTopology: { "kubernetes.io/hostname": "node1" } }] }));
    expect(obj.endpoints).toEqual([{ addresses: ["10.42.0.5"], conditions: {} }]);
  });
});

describe("endpointslices: validation", () => {
  test.each<[string, Record<string, unknown>, string[]]>([
    ["no address type", { addressType: "" }, ["addressType: Required value"]],
    ["an unknown address type", { addressType: "IP" }, ['addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"']],
    ["an endpoint without addresses", { endpoints: [{ addresses: [] }] }, ["endpoints[0].addresses: Required value: must contain at least 1 address"]],
    [
      "IPv6 and loopback addresses in an IPv4 slice",
      { endpoints: [{ addresses: ["fd00::1", "127.0.0.1", "10.0.0.300"] }] },
      [
        'endpoints[0].addresses[0]: Invalid value: "fd00::1": must be a valid IPv4 address',
        'endpoints[0].addresses[1]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
        'endpoints[0].addresses[2]: Invalid value: "10.0.0.300": must be a valid IPv4 address',
        'endpoints[0].addresses[2]: Invalid value: "10.0.0.300": must be a valid IP address',
      ],
    ],
    ["a link-local IPv6 address", { addressType: "IPv6", endpoints: [{ addresses: ["fe80::1"] }] }, ['endpoints[0].addresses[0]: Invalid value: "fe80::1": may not be in the link-local range (169.254.0.0/16, fe80::/10)']],
    ["a one-label FQDN", { addressType: "FQDN", endpoints: [{ addresses: ["localhost"] }] }, ['endpoints[0].addresses[0]: Invalid value: "localhost": should be a domain with at least two segments separated by dots']],
    [
      "a bad hostname",
      { endpoints: [{ addresses: ["10.0.0.1"], hostname: "Web.1" }] },
      [
        `endpoints[0].hostname: Invalid value: "Web.1": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
      ],
    ],
    ["duplicate port names", { ports: [{ name: "http", port: 80 }, { name: "http", port: 81 }] }, ['ports[1].name: Duplicate value: "http"']],
    ["an unknown protocol", { ports: [{ name: "x", port: 1, protocol: "ICMP" }] }, ['ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"']],
    ["too many zone hints", { endpoints: [{ addresses: ["10.0.0.1"], hints: { forZones: Array.from({ length: 9 }, (_, i) => ({ name: `z${i}` })) } }] }, ["endpoints[0].hints.forZones: Too many: must have at most 8 items (9 given)"]],
    ["more than 1000 endpoints", { endpoints: Array.from({ length: 1001 }, () => ({ addresses: ["10.0.0.1"] })) }, ["endpoints: Too many: must have at most 1000 items (1001 given)"]],
    ["more than 100 addresses in one endpoint", { endpoints: [{ addresses: Array.from({ length: 101 }, (_, i) => `10.0.${i >> 8}.${(i & 255) + 1}`) }] }, ["endpoints[0].addresses: Too many: must have at most 100 items (101 given)"]],
  ])("rejects %s", (_, extra, messages) => {
    expect(create(def, slice(extra)).errors).toEqual(messages);
  });

  test("up to 20000 ports pass (upstream's limit; its docs still say 100)", () => {
    const ports = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `p${i}`, port: (i % 65535) + 1 }));
    expect(create(def, slice({ ports: ports(101) })).errors).toEqual([]);
    expect(create(def, slice({ ports: ports(20001) })).errors).toEqual(["ports: Too many: must have at most 20000 items (20001 given)"]);
  });
});

describe("endpointslices: update", () => {
  test("addressType is immutable", () => {
    const old = create(def, slice({})).obj;
    expect(update(def, slice({ addressType: "IPv6", endpoints: [{ addresses: ["fd00::5"] }] }), old).errors).toEqual(['addressType: Invalid value: "IPv6": field is immutable']);
  });

  test("a spec change bumps the generation; a label change does not (a known difference from upstream)", () => {
    const old = { ...create(def, slice({})).obj };
    old.metadata = { ...old.metadata, generation: 3 };
    const relabelled = slice({});
    relabelled.metadata = { ...relabelled.metadata, generation: 3, labels: { "kubernetes.io/service-name": "web2" } };
    expect(update(def, relabelled, old).obj.metadata?.generation).toBe(3);
    expect(def.tracksGeneration).toBe(true);
  });
});

describe("endpointslices: table", () => {
  test("NAME ADDRESSTYPE PORTS ENDPOINTS AGE", () => {
    const obj = { ...slice({}), metadata: { name: "web-abcde", creationTimestamp: new Date(NOW - 7_000).toISOString() } };
    expect(cells(def, obj)).toEqual({ Name: "web-abcde", AddressType: "IPv4", Ports: "80", Endpoints: "10.42.0.5", Age: "7s" });
  });

  test("three items at most, then a count; names and * for portless ports; <unset> when empty", () => {
    expect(formatPorts([{ port: 80 }, { name: "dns" }, {}, { port: 443 }, { port: 8443 }])).toBe("80,dns,* + 2 more...");
    expect(formatPorts(null)).toBe("<unset>");
    expect(formatEndpoints([{ addresses: ["10.0.0.1", "10.0.0.2"] }, { addresses: ["10.0.0.3", "10.0.0.4"] }])).toBe("10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...");
    expect(formatEndpoints([])).toBe("<unset>");
  });

  test("discovery metadata", () => {
    expect(def).toMatchObject({ group: "discovery.k8s.io", plural: "endpointslices", namespaced: true, tracksGeneration: true });
    expect(def.shortNames).toBeUndefined();
  });
});
