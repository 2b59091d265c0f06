import { describe, expect, test } from "bun:test";
import { endpointsDefinition as def } from "./endpoints.ts";
import { create, row } from "./testing.ts";

const ep = (subsets: object[]) => ({ apiVersion: "v1", kind: "Endpoints", metadata: { name: "web", namespace: "default" }, subsets });

describe("endpoints", () => {
  test("metadata and storage", () => {
    expect([def.plural, def.singular, def.shortNames, def.storagePath, def.allowCreateOnUpdate]).toEqual(["endpoints", "endpoints", ["ep"], "services/endpoints", true]);
  });

  test("ports default to TCP", () => {
    const { obj, errors } = create(def, ep([{ addresses: [{ ip: "10.42.0.5" }], ports: [{ port: 80 }] }]));
    expect(errors).toEqual([]);
    expect(obj.subsets).toEqual([{ addresses: [{ ip: "10.42.0.5" }], ports: [{ port: 80, protocol: "TCP" }] }]);
  });

  test.each<[string, object[], string[]]>([
    ["no addresses", [{ ports: [{ port: 80 }] }], ["subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`"]],
    [
      "bad address",
      [{ addresses: [{ ip: "10.42.0.500" }] }],
      ['subsets[0].addresses[0].ip: Invalid value: "10.42.0.500": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)', 'subsets[0].addresses[0].ip: Invalid value: "10.42.0.500": must be a valid IP address'],
    ],
    ["loopback", [{ notReadyAddresses: [{ ip: "127.0.0.1" }] }], ['subsets[0].notReadyAddresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)']],
    ["unnamed ports", [{ addresses: [{ ip: "10.42.0.5" }], ports: [{ port: 80 }, { port: 443, name: "https" }] }], ["subsets[0].ports[0].name: Required value"]],
  ])("validation: %s", (_n, subsets, want) => {
    expect(create(def, ep(subsets)).errors).toEqual(want);
  });

  test.each<[string, object[] | undefined, string]>([
    ["none", undefined, "<none>"],
    ["one port", [{ addresses: [{ ip: "10.42.0.5" }, { ip: "10.42.0.6" }], ports: [{ port: 80 }] }], "10.42.0.5:80,10.42.0.6:80"],
    [
      "more than three",
      [{ addresses: [{ ip: "10.42.0.1" }, { ip: "10.42.0.2" }], ports: [{ port: 80 }, { port: 443 }] }, { addresses: [{ ip: "10.42.1.1" }], ports: [{ port: 8080 }] }],
      "10.42.0.1:80,10.42.0.2:80,10.42.0.1:443 + 2 more...",
    ],
    ["headless without ports", [{ addresses: [{ ip: "10.42.0.9" }] }], "10.42.0.9"],
    ["IPv6", [{ addresses: [{ ip: "fd00::1" }], ports: [{ port: 80 }] }], "[fd00::1]:80"],
    ["only not-ready", [{ notReadyAddresses: [{ ip: "10.42.0.1" }], ports: [{ port: 80 }] }], ""],
  ])("ENDPOINTS cell: %s", (_n, subsets, want) => {
    expect(row(def, { metadata: { name: "web" }, subsets }).Endpoints).toBe(want);
  });
});
