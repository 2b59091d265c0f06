import { describe, expect, test } from "bun:test";
import type { HostFacts } from "./host.ts";
import { allocatable, capacity, imagesFromDocker, MAX_IMAGES, mergeConditions, nodeStatus, type StatusInputs } from "./status.ts";

const host: HostFacts = { hostname: "box", cpus: 4, memoryBytes: 8 << 30, machineID: "m", systemUUID: "", bootID: "b", kernelVersion: "6.1.0", osImage: "Debian GNU/Linux 12 (bookworm)", operatingSystem: "linux", architecture: "amd64" };
const GiB = 1 << 30;
const inputs = (over: Partial<StatusInputs> = {}): StatusInputs => ({
  host,
  memory: { capacityBytes: 8 * GiB, availableBytes: 4 * GiB },
  nodefs: { capacityBytes: 100 * GiB, availableBytes: 50 * GiB },
  runtime: { up: true, version: "docker://20.10.24", images: [] },
  nodeIP: "10.0.0.5",
  nodeName: "node-a",
  kubeletVersion: "v1.32.5+kts1",
  now: new Date("2026-01-01T00:00:00.500Z"),
  ...over,
});

describe("resources", () => {
  test("capacity in kubelet units; allocatable minus the hard eviction thresholds (100Mi memory, 10% nodefs)", () => {
    expect(capacity(inputs())).toEqual({ cpu: "4", "ephemeral-storage": "104857600Ki", "hugepages-1Gi": "0", "hugepages-2Mi": "0", memory: "8388608Ki", pods: "110" });
    expect(allocatable(inputs())).toMatchObject({ memory: `${8388608 - 102400}Ki`, "ephemeral-storage": String(Math.floor(100 * GiB * 0.9)), pods: "110", cpu: "4" });
  });
});

describe("conditions", () => {
  test("a healthy node: upstream's four conditions, reasons and messages", () => {
    const s = nodeStatus(undefined, inputs());
    expect(s.conditions!.map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
      ["MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"],
      ["DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"],
      ["PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"],
      ["Ready", "True", "KubeletReady", "kubelet is posting ready status"],
    ]);
    expect(s.conditions![0]).toMatchObject({ lastHeartbeatTime: "2026-01-01T00:00:00Z", lastTransitionTime: "2026-01-01T00:00:00Z" });
  });

  test("pressure and a runtime that is down", () => {
    const s = nodeStatus(undefined, inputs({ memory: { capacityBytes: GiB, availableBytes: 50 << 20 }, nodefs: { capacityBytes: 100, availableBytes: 5 }, runtime: { up: false, error: "connect ENOENT /var/run/docker.sock", images: [] } }));
    const byType = Object.fromEntries(s.conditions!.map((c) => [c.type, c]));
    expect(byType.MemoryPressure).toMatchObject({ status: "True", reason: "KubeletHasInsufficientMemory" });
    expect(byType.DiskPressure).toMatchObject({ status: "True", reason: "KubeletHasDiskPressure" });
    expect(byType.Ready).toMatchObject({ status: "False", reason: "KubeletNotReady", message: "container runtime is down: connect ENOENT /var/run/docker.sock" });
  });

  test("heartbeats move every time, transitions only when the status changes; others' conditions stay", () => {
    const first = mergeConditions([{ type: "NetworkUnavailable", status: "False", reason: "RouteCreated" }], [{ type: "Ready", status: "True", reason: "KubeletReady", message: "" }], new Date("2026-01-01T00:00:00Z"));
    const same = mergeConditions(first, [{ type: "Ready", status: "True", reason: "KubeletReady", message: "" }], new Date("2026-01-01T00:00:10Z"));
    expect(same.find((c) => c.type === "Ready")).toMatchObject({ lastHeartbeatTime: "2026-01-01T00:00:10Z", lastTransitionTime: "2026-01-01T00:00:00Z" });
    const flipped = mergeConditions(same, [{ type: "Ready", status: "False", reason: "KubeletNotReady", message: "" }], new Date("2026-01-01T00:00:20Z"));
    expect(flipped.find((c) => c.type === "Ready")?.lastTransitionTime).toBe("2026-01-01T00:00:20Z");
    expect(flipped.find((c) => c.type === "NetworkUnavailable")).toEqual({ type: "NetworkUnavailable", status: "False", reason: "RouteCreated" });
  });
});

describe("node info, addresses, images", () => {
  test("fields as the kubelet fills them", () => {
    const s = nodeStatus(undefined, inputs());
    expect(s.addresses).toEqual([
      { type: "InternalIP", address: "10.0.0.5" },
      { type: "Hostname", address: "node-a" },
    ]);
    expect(s.nodeInfo).toMatchObject({ containerRuntimeVersion: "docker://20.10.24", kubeletVersion: "v1.32.5+kts1", osImage: "Debian GNU/Linux 12 (bookworm)", architecture: "amd64", operatingSystem: "linux", machineID: "m", bootID: "b" });
    expect(s.daemonEndpoints).toEqual({ kubeletEndpoint: { Port: 10250 } });
  });

  test("docker images: digests then tags, untagged names dropped, biggest first, capped", () => {
    const list = [
      { RepoTags: ["small:1"], RepoDigests: [], Size: 10 },
      { RepoTags: ["big:1", "big:latest"], RepoDigests: ["big@sha256:abc"], Size: 1000 },
      { RepoTags: ["<none>:<none>"], RepoDigests: ["<none>@<none>"], Size: 5000 },
    ];
    expect(imagesFromDocker(list)).toEqual([
      { names: ["big@sha256:abc", "big:1", "big:latest"], sizeBytes: 1000 },
      { names: ["small:1"], sizeBytes: 10 },
    ]);
    const many = Array.from({ length: 60 }, (_, i) => ({ RepoTags: [`i${i}:1`], Size: i }));
    expect(imagesFromDocker(many).length).toBe(MAX_IMAGES);
  });

  test("with the runtime down the last known images and runtime version stay", () => {
    const before = nodeStatus(undefined, inputs({ runtime: { up: true, version: "docker://20.10.24", images: [{ names: ["a:1"], sizeBytes: 1 }] } }));
    const after = nodeStatus(before, inputs({ runtime: { up: false, error: "down", images: [] } }));
    expect(after.images).toEqual([{ names: ["a:1"], sizeBytes: 1 }]);
    expect(after.nodeInfo?.containerRuntimeVersion).toBe("docker://20.10.24");
  });
});
