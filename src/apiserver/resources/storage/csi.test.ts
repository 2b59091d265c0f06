import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import { cells, create, NOW, update } from "../workloads/testing.ts";
import { csiDriverDefinition } from "./csidrivers.ts";
import { csiNodeDefinition } from "./csinodes.ts";

const driver = (spec?: Record<string, unknown>): KubeObject => ({ apiVersion: "storage.k8s.io/v1", kind: "CSIDriver", metadata: { name: "hostpath.csi.k8s.io" }, ...(spec ? { spec } : {}) });
const node = (drivers?: unknown): KubeObject => ({ apiVersion: "storage.k8s.io/v1", kind: "CSINode", metadata: { name: "node1" }, ...(drivers !== undefined ? { spec: { drivers } } : {}) });

describe("csidrivers", () => {
  test("every field is defaulted as 1.32 defaults it; fields of later versions are dropped", () => {
    const { obj, errors } = create(csiDriverDefinition, driver({ nodeAllocatableUpdatePeriodSeconds: 60 }));
    expect(errors).toEqual([]);
    expect(obj.spec).toEqual({
      attachRequired: true,
      podInfoOnMount: false,
      storageCapacity: false,
      fsGroupPolicy: "ReadWriteOnceWithFSType",
      volumeLifecycleModes: ["Persistent"],
      requiresRepublish: false,
      seLinuxMount: false,
    });
  });

  test.each<[string, Record<string, unknown>, string[]]>([
    ["an unknown fsGroupPolicy", { fsGroupPolicy: "Always" }, ['spec.fsGroupPolicy: Unsupported value: "Always": supported values: "File", "None", "ReadWriteOnceWithFSType"']],
    ["an unknown lifecycle mode", { volumeLifecycleModes: ["Persistent", "Forever"] }, ['spec.volumeLifecycleModes: Unsupported value: "Forever": supported values: "Persistent", "Ephemeral"']],
    [
      "token requests with a repeated audience and bad lifetimes",
      { tokenRequests: [{ audience: "a", expirationSeconds: 60 }, { audience: "a" }, { audience: "b", expirationSeconds: 2 ** 33 }] },
      [
        "spec.tokenRequests[0].expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes",
        'spec.tokenRequests[1].audience: Duplicate value: "a"',
        "spec.tokenRequests[2].expirationSeconds: Invalid value: 8589934592: may not specify a duration larger than 2^32 seconds",
      ],
    ],
  ])("rejects %s", (_, spec, messages) => {
    expect(create(csiDriverDefinition, driver(spec)).errors).toEqual(messages);
  });

  test("attachRequired and the lifecycle modes are immutable (upstream's path says attachedRequired)", () => {
    const old = create(csiDriverDefinition, driver()).obj;
    expect(update(csiDriverDefinition, driver({ podInfoOnMount: true, storageCapacity: true }), old).errors).toEqual([]);
    expect(update(csiDriverDefinition, driver({ attachRequired: false, volumeLifecycleModes: ["Ephemeral"] }), old).errors).toEqual([
      "spec.attachedRequired: Invalid value: false: field is immutable",
      'spec.volumeLifecycleModes: Invalid value: []storage.VolumeLifecycleMode{"Ephemeral"}: field is immutable',
    ]);
  });

  test("prints the driver's capabilities", () => {
    const obj = { ...create(csiDriverDefinition, driver({ tokenRequests: [{ audience: "vault" }, { audience: "gcp" }] })).obj };
    obj.metadata = { ...obj.metadata, creationTimestamp: new Date(NOW - 10_000).toISOString() };
    expect(cells(csiDriverDefinition, obj)).toEqual({
      Name: "hostpath.csi.k8s.io",
      AttachRequired: true,
      PodInfoOnMount: false,
      StorageCapacity: false,
      TokenRequests: "vault,gcp",
      RequiresRepublish: false,
      Modes: "Persistent",
      Age: "10s",
    });
    expect(cells(csiDriverDefinition, driver()).TokenRequests).toBe("<unset>");
    expect(cells(csiDriverDefinition, driver()).Modes).toBe("<none>");
  });
});

describe("csinodes", () => {
  test("drivers and topologyKeys are written as null when unset", () => {
    expect(create(csiNodeDefinition, node()).obj.spec).toEqual({ drivers: null });
    expect(create(csiNodeDefinition, node([{ name: "hostpath.csi.k8s.io", nodeID: "node1" }])).obj.spec).toEqual({
      drivers: [{ name: "hostpath.csi.k8s.io", nodeID: "node1", topologyKeys: null }],
    });
  });

  test("driver entries: named like CSI drivers, a node ID, unique, qualified topology keys", () => {
    const drivers = [
      { name: "a.csi.io", nodeID: "", topologyKeys: ["zone", "zone"] },
      { name: "a.csi.io", nodeID: "x".repeat(257), allocatable: { count: -1 } },
      { name: "Bad_Driver", nodeID: "n", topologyKeys: [""] },
    ];
    expect(create(csiNodeDefinition, node(drivers)).errors).toEqual([
      "spec.drivers[0].nodeID: Required value",
      'spec.drivers[0]: Duplicate value: "zone"',
      `spec.drivers[1].nodeID: Invalid value: "${"x".repeat(257)}": must be 256 characters or less`,
      "spec.drivers[1].allocatable.count: Invalid value: -1: must be greater than or equal to 0",
      'spec.drivers[1].name: Duplicate value: "a.csi.io"',
      `spec.drivers[2].name: Invalid value: "Bad_Driver": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      "spec.drivers[2]: Required value",
      `spec.drivers[2]: Invalid value: "": name part must be non-empty`,
    ]);
  });

  test("a registered driver entry cannot change, but drivers can be added and removed", () => {
    const old = create(csiNodeDefinition, node([{ name: "a.csi.io", nodeID: "n1" }])).obj;
    expect(update(csiNodeDefinition, node([{ name: "a.csi.io", nodeID: "n1" }, { name: "b.csi.io", nodeID: "n1" }]), old).errors).toEqual([]);
    expect(update(csiNodeDefinition, node([]), old).errors).toEqual([]);
    expect(update(csiNodeDefinition, node([{ name: "a.csi.io", nodeID: "n2" }]), old).errors).toEqual([
      'spec.drivers: Invalid value: storage.CSINodeDriver{Name:"a.csi.io", NodeID:"n2", TopologyKeys:[]string(nil), Allocatable:(*storage.VolumeNodeResources)(nil)}: field is immutable',
    ]);
  });

  test("prints the number of drivers", () => {
    expect(cells(csiNodeDefinition, node([{ name: "a" }, { name: "b" }]))).toMatchObject({ Name: "node1", Drivers: 2 });
    expect(cells(csiNodeDefinition, node()).Drivers).toBe(0);
  });
});
