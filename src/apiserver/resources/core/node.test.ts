import { describe, expect, test } from "bun:test";
import { nodeDefinition as def } from "./node.ts";
import { ago, create, headers, row, selectable, update } from "./testing.ts";

const node = (extra: object = {}) => ({ apiVersion: "v1", kind: "Node", metadata: { name: "node-1" }, ...extra });

describe("nodes: metadata and defaults", () => {
  test("discovery facts", () => {
    expect([def.plural, def.shortNames, def.namespaced, def.storagePath, def.statusSubresource]).toEqual(["nodes", ["no"], false, "minions", true]);
  });

  test("a bare node reads back as on 1.32", () => {
    const { obj, errors } = create(def, node());
    expect(errors).toEqual([]);
    expect(obj.spec).toEqual({});
    expect(obj.status).toEqual({
      daemonEndpoints: { kubeletEndpoint: { Port: 0 } },
      nodeInfo: {
        architecture: "",
        bootID: "",
        containerRuntimeVersion: "",
        kernelVersion: "",
        kubeProxyVersion: "",
        kubeletVersion: "",
        machineID: "",
        operatingSystem: "",
        osImage: "",
        systemUUID: "",
      },
    });
  });

  test("allocatable defaults to capacity; quantities are canonical", () => {
    const { obj } = create(def, node({ status: { capacity: { cpu: "4", memory: "8388608Ki", pods: "110" } } }));
    expect((obj.status as { allocatable: object }).allocatable).toEqual({ cpu: "4", memory: "8Gi", pods: "110" });
  });
});

describe("nodes: validation", () => {
  test.each<[string, object, string[]]>([
    ["taint effect", { spec: { taints: [{ key: "dedicated", value: "gpu", effect: "NoRun" }] } }, ['metadata.taints[0].effect: Unsupported value: "NoRun": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"']],
    [
      "duplicate taints",
      { spec: { taints: [{ key: "k", effect: "NoSchedule" }, { key: "k", effect: "NoSchedule", value: "v" }] } },
      ['metadata.taints[1]: Duplicate value: {"key":"k","effect":"NoSchedule","value":"v"}: taints must be unique by key and effect pair'],
    ],
    ["pod CIDR", { spec: { podCIDRs: ["10.42.0.0/33"] } }, ['spec.podCIDRs[0]: Invalid value: "10.42.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)']],
    [
      "negative capacity (copied to allocatable first)",
      { status: { capacity: { cpu: "-1" } } },
      ['status.capacity.cpu: Invalid value: "-1": must be greater than or equal to 0', 'status.allocatable.cpu: Invalid value: "-1": must be greater than or equal to 0'],
    ],
  ])("%s", (_n, extra, want) => {
    expect(create(def, node(extra)).errors).toEqual(want);
  });

  test("podCIDRs and providerID are set once", () => {
    const stored = create(def, node({ spec: { podCIDRs: ["10.42.0.0/24"], providerID: "k3s://node-1" } })).obj;
    expect(update(def, node({ spec: { podCIDRs: ["10.42.1.0/24"], providerID: "other" } }), stored).errors).toEqual([
      'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid',
      'spec.providerID: Forbidden: node updates may not change providerID except from "" to valid',
    ]);
    expect(update(def, node({ spec: { podCIDRs: ["10.42.0.0/24"], providerID: "k3s://node-1", unschedulable: true } }), stored).errors).toEqual([]);
  });
});

describe("nodes: table", () => {
  const ready = { type: "Ready", status: "True" };
  const full = node({
    metadata: { name: "node-1", creationTimestamp: ago(26 * 3_600_000), labels: { "node-role.kubernetes.io/control-plane": "true", "node-role.kubernetes.io/master": "true", "kubernetes.io/hostname": "node-1" } },
    spec: { unschedulable: true },
    status: {
      conditions: [ready],
      addresses: [{ type: "InternalIP", address: "192.168.1.10" }, { type: "Hostname", address: "node-1" }],
      nodeInfo: { kubeletVersion: "v1.32.3+kts", osImage: "Debian GNU/Linux 12 (bookworm)", kernelVersion: "6.1.0-18-amd64", containerRuntimeVersion: "docker://27.3.1" },
    },
  });

  test("columns", () => {
    expect(headers(def)).toEqual(["Name", "Status", "Roles", "Age", "Version", "Internal-IP(wide)", "External-IP(wide)", "OS-Image(wide)", "Kernel-Version(wide)", "Container-Runtime(wide)"]);
  });

  test("a cordoned control-plane node", () => {
    expect(row(def, full)).toEqual({
      Name: "node-1",
      Status: "Ready,SchedulingDisabled",
      Roles: "control-plane,master",
      Age: "26h",
      Version: "v1.32.3+kts",
      "Internal-IP": "192.168.1.10",
      "External-IP": "<none>",
      "OS-Image": "Debian GNU/Linux 12 (bookworm)",
      "Kernel-Version": "6.1.0-18-amd64",
      "Container-Runtime": "docker://27.3.1",
    });
  });

  test.each<[string, object, string, string]>([
    ["not ready worker", { metadata: { name: "w" }, status: { conditions: [{ type: "Ready", status: "False" }] } }, "NotReady", "<none>"],
    ["unknown status, legacy role label", { metadata: { name: "w", labels: { "kubernetes.io/role": "worker" } } }, "Unknown", "worker"],
  ])("%s", (_n, n, status, roles) => {
    const r = row(def, n);
    expect([r.Status, r.Roles, r["OS-Image"]]).toEqual([status, roles, "<unknown>"]);
  });

  test("spec.unschedulable selector", () => {
    expect(selectable(def, full)).toEqual({ "spec.unschedulable": "true" });
    expect(selectable(def, node())).toEqual({ "spec.unschedulable": "false" });
  });
});
