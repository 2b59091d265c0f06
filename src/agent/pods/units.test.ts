/**
 * The pod worker's pure parts: $(VAR) expansion, quantities, cgroup arithmetic and QoS, user and
 * runAsNonRoot checks, DNS settings, hostnames, the pod phase, Go durations.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import type { ContainerStatus, Pod } from "../runtime/index.ts";
import { goDuration, milliValue, parseQuantity, wholeValue } from "../runtime/index.ts";
import { ConfigError } from "./env.ts";
import { expand, mappingFor } from "./expand.ts";
import { oomScoreAdj, qosClass, resourceHostConfig } from "./resources.ts";
import { dnsFor, hostnameAndDomain } from "./sandbox.ts";
import { containerUser } from "./security.ts";
import { podPhase } from "./status.ts";
import { memoryLogger, testCluster } from "../../controllers/testing.ts";
import { DockerEngine } from "../runtime/index.ts";
import { startPodManager } from "./index.ts";

const pod = (spec: Record<string, unknown>, meta: Record<string, unknown> = {}) => ({ metadata: { name: "p", namespace: "ns", uid: "u", ...meta }, spec: { containers: [], ...spec } }) as unknown as Pod;

describe("expansion", () => {
  const m = mappingFor(new Map([["A", "1"], ["B", "two"]]));
  test.each([
    ["$(A)-$(B)", "1-two"],
    ["$(UNSET)", "$(UNSET)"],
    ["$$(A)", "$(A)"],
    ["$$$(A)", "$1"],
    ["$(A", "$(A"],
    ["a$b", "a$b"],
    ["trailing$", "trailing$"],
    ["", ""],
  ])("%p → %p", (input, want) => expect(expand(input, m)).toBe(want));
});

describe("quantities", () => {
  test("parse and round up like resource.Quantity", () => {
    expect(milliValue("250m")).toBe(250);
    expect(milliValue("1.5")).toBe(1500);
    expect(milliValue("0.0001")).toBe(1);
    expect(wholeValue("64Mi")).toBe(64 * 1024 * 1024);
    expect(wholeValue("1G")).toBe(1e9);
    expect(wholeValue("1e3")).toBe(1000);
    expect(wholeValue("100m")).toBe(1);
    expect(parseQuantity("nonsense")).toBeUndefined();
  });
});

describe("resources", () => {
  const c = (resources: unknown) => ({ name: "c", image: "i", resources }) as never;
  test("QoS classes", () => {
    expect(qosClass(pod({ containers: [c({})] }))).toBe("BestEffort");
    expect(qosClass(pod({ containers: [c({ requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } })] }))).toBe("Guaranteed");
    expect(qosClass(pod({ containers: [c({ requests: { cpu: "100m" } })] }))).toBe("Burstable");
  });
  test("shares, quota, memory and OOM scores", () => {
    const p = pod({ containers: [c({ requests: { cpu: "100m", memory: "1Gi" }, limits: { cpu: "250m", memory: "2Gi" } })] });
    const hc = resourceHostConfig(p, p.spec!.containers[0]!, 8 * 1024 ** 3, true);
    expect(hc).toMatchObject({ CpuShares: 102, CpuPeriod: 100_000, CpuQuota: 25_000, Memory: 2 * 1024 ** 3, MemorySwap: 2 * 1024 ** 3, OomScoreAdj: 875 });
    const best = pod({ containers: [c({})] });
    expect(resourceHostConfig(best, best.spec!.containers[0]!, 1, true).CpuShares).toBe(2);
    expect(oomScoreAdj(best, best.spec!.containers[0]!, 1)).toBe(1000);
    const g = pod({ containers: [c({ limits: { cpu: "1", memory: "1Gi" }, requests: { cpu: "1", memory: "1Gi" } })] });
    expect(resourceHostConfig(g, g.spec!.containers[0]!, 1, true).OomScoreAdj).toBe(-997);
    expect(resourceHostConfig(g, g.spec!.containers[0]!, 1, false).OomScoreAdj).toBeUndefined();
  });
});

describe("users", () => {
  const c = (securityContext: unknown) => ({ name: "app", image: "i", securityContext }) as never;
  test("runAsUser/runAsGroup over the image user", () => {
    expect(containerUser(pod({}), c({}), "")).toBeUndefined();
    expect(containerUser(pod({}), c({ runAsUser: 5 }), "")).toBe("5");
    expect(containerUser(pod({ securityContext: { runAsGroup: 7 } }), c({ runAsUser: 5 }), "")).toBe("5:7");
    expect(containerUser(pod({}), c({ runAsGroup: 7 }), "nobody")).toBe("nobody:7");
  });
  test("runAsNonRoot with upstream's messages", () => {
    const nonRoot = pod({ securityContext: { runAsNonRoot: true } });
    expect(containerUser(nonRoot, c({}), "1000")).toBeUndefined();
    expect(() => containerUser(nonRoot, c({}), "")).toThrow(new ConfigError('container has runAsNonRoot and image will run as root (pod: "p_ns(u)", container: app)'));
    expect(() => containerUser(nonRoot, c({}), "nobody")).toThrow("image has non-numeric user (nobody), cannot verify user is non-root");
    expect(() => containerUser(nonRoot, c({ runAsUser: 0 }), "1000")).toThrow("container's runAsUser breaks non-root policy");
  });
});

describe("names and DNS", () => {
  test("hostname, subdomain FQDN, truncation", () => {
    expect(hostnameAndDomain(pod({}), "cluster.local")).toEqual({ hostname: "p", domain: "" });
    expect(hostnameAndDomain(pod({ hostname: "h", subdomain: "s" }), "cluster.local")).toEqual({ hostname: "h", domain: "s.ns.svc.cluster.local" });
    expect(hostnameAndDomain(pod({}, { name: `${"a".repeat(62)}-b` }), "c").hostname).toBe("a".repeat(62));
  });
  test("dnsPolicy", () => {
    const ctx = { dns: { clusterDNS: ["10.43.0.10"], clusterDomain: "cluster.local" } };
    const cf = dnsFor(pod({}), ctx)!;
    expect(cf.nameservers).toEqual(["10.43.0.10"]);
    expect(cf.searches.slice(0, 3)).toEqual(["ns.svc.cluster.local", "svc.cluster.local", "cluster.local"]);
    expect(cf.options).toContain("ndots:5");
    expect(dnsFor(pod({ dnsPolicy: "None", dnsConfig: { nameservers: ["1.2.3.4"], options: [{ name: "ndots", value: "2" }, { name: "edns0" }] } }), ctx)).toEqual({ nameservers: ["1.2.3.4"], searches: [], options: ["ndots:2", "edns0"] });
    // Without a cluster DNS, and for Default or a host-network ClusterFirst pod: the node's resolver, explicitly.
    const hostNameservers = [...readFileSync("/etc/resolv.conf", "utf8").matchAll(/^nameserver\s+(\S+)/gm)].map((m) => m[1]).slice(0, 3);
    expect(dnsFor(pod({}), { dns: { clusterDNS: [], clusterDomain: "cluster.local" } }).nameservers).toEqual(hostNameservers);
    expect(dnsFor(pod({ dnsPolicy: "Default" }), ctx).nameservers).toEqual(hostNameservers);
    expect(dnsFor(pod({ hostNetwork: true }), ctx).nameservers).toEqual(hostNameservers);
    expect(dnsFor(pod({ hostNetwork: true, dnsPolicy: "ClusterFirstWithHostNet" }), ctx).nameservers).toEqual(["10.43.0.10"]);
    expect(dnsFor(pod({ dnsPolicy: "ClusterFirst", dnsConfig: { searches: ["extra.example"], options: [{ name: "ndots", value: "1" }] } }), ctx)).toMatchObject({
      nameservers: ["10.43.0.10"],
      options: ["ndots:1"],
    });
  });
});

describe("phase", () => {
  const running = (name: string, started = true) => ({ name, state: { running: {} }, started, ready: started }) as ContainerStatus;
  const done = (name: string, exitCode: number) => ({ name, state: { terminated: { exitCode } } }) as ContainerStatus;
  const waiting = (name: string, last?: number) => ({ name, state: { waiting: {} }, ...(last !== undefined ? { lastState: { terminated: { exitCode: last } } } : {}) }) as ContainerStatus;
  const spec = (restartPolicy: string, init: unknown[] = []) => pod({ restartPolicy, initContainers: init, containers: [{ name: "a" }, { name: "b" }] });
  test("upstream's getPhase", () => {
    expect(podPhase(spec("Always"), [running("a"), running("b")], false, true)).toBe("Running");
    expect(podPhase(spec("Always"), [running("a"), waiting("b")], false, true)).toBe("Pending");
    expect(podPhase(spec("Always"), [running("a"), waiting("b", 1)], false, true)).toBe("Running");
    expect(podPhase(spec("Never"), [done("a", 0), done("b", 1)], false, true)).toBe("Failed");
    expect(podPhase(spec("OnFailure"), [done("a", 0), done("b", 0)], false, true)).toBe("Succeeded");
    expect(podPhase(spec("OnFailure"), [done("a", 0), done("b", 1)], false, true)).toBe("Running");
    expect(podPhase(spec("Always"), [done("a", 0), done("b", 137)], true, true)).toBe("Failed");
    expect(podPhase(spec("Never", [{ name: "i" }]), [done("i", 2)], false, false)).toBe("Failed");
    expect(podPhase(spec("Always", [{ name: "i" }]), [running("i")], false, false)).toBe("Pending");
    // A sidecar that has not started holds the pod in Pending until it initialized.
    expect(podPhase(spec("Always", [{ name: "s", restartPolicy: "Always" }]), [running("s", false)], false, false)).toBe("Pending");
  });
  test("Go durations", () => {
    expect(goDuration(10_000)).toBe("10s");
    expect(goDuration(80_000)).toBe("1m20s");
    expect(goDuration(300_000)).toBe("5m0s");
    expect(goDuration(300)).toBe("300ms");
  });
});

describe("without Docker", () => {
  test("startPodManager returns at once, logs why and keeps retrying; stop() ends it", async () => {
    const cluster = testCluster();
    const lines: string[] = [];
    const started = Date.now();
    const m = await startPodManager({
      client: cluster.client,
      nodeName: "no-docker",
      nodeIP: "127.0.0.1",
      docker: new DockerEngine({ socketPath: "/nonexistent/docker.sock" }),
      dataDir: "/nonexistent-agent-dir",
      log: memoryLogger(lines),
    });
    expect(Date.now() - started).toBeLessThan(3000);
    const deadline = Date.now() + 3000;
    while (!lines.some((l) => l.includes("pod manager cannot start")) && Date.now() < deadline) await Bun.sleep(20);
    expect(lines.find((l) => l.includes("pod manager cannot start"))).toContain("Cannot connect to the Docker daemon at unix:///nonexistent/docker.sock");
    await m.stop();
    await cluster.close();
  });
});
