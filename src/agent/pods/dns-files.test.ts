/**
 * The files that give a pod its names, inside real containers: /etc/resolv.conf per dnsPolicy
 * (ClusterFirst with the namespace's search path and ndots:5, Default with the node's resolver,
 * None with dnsConfig) and /etc/hosts with the pod's hostname, its FQDN under a subdomain, and
 * hostAliases.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { dockerAvailable } from "../../testing/docker.ts";
import { Runtime, type Pod } from "../runtime/index.ts";
import { containerStatus, isRunningReady, podTestEnv, TEST_IMAGE, type PodTestEnv } from "./testing.ts";

const hasDocker = await dockerAvailable();
let env: PodTestEnv;
let rt: Runtime;

beforeAll(async () => {
  if (!hasDocker) return;
  env = await podTestEnv({ clusterDNS: ["10.43.0.10"], clusterDomain: "cluster.local" });
  rt = new Runtime(env.docker, env.nodeName);
}, 60_000);

afterAll(async () => {
  await env?.close();
}, 60_000);

async function cat(p: Pod, file: string): Promise<string> {
  const id = containerStatus(p, "c")?.containerID?.replace("docker://", "") ?? "";
  return (await rt.exec(id, ["cat", file], 10_000)).output;
}

const sleeper = (extra: Record<string, unknown>) => ({ containers: [{ name: "c", image: TEST_IMAGE, command: ["sleep", "3600"] }], ...extra });

describe.skipIf(!hasDocker)("pod DNS files", () => {
  test("ClusterFirst: the cluster DNS, the namespace's search path, ndots:5; /etc/hosts has the pod's FQDN and hostAliases", async () => {
    await env.createPod(sleeper({ hostname: "web-0", subdomain: "web", hostAliases: [{ ip: "10.1.2.3", hostnames: ["foo.local", "bar.local"] }] }), "cf");
    const p = await env.waitPod("cf", "runs", isRunningReady, 60_000);
    const resolv = await cat(p, "/etc/resolv.conf");
    expect(resolv).toStartWith("search default.svc.cluster.local svc.cluster.local cluster.local");
    expect(resolv).toContain("nameserver 10.43.0.10\n");
    expect(resolv).toContain("options ndots:5\n");
    expect(resolv.match(/^nameserver/gm)).toHaveLength(1);
    const hosts = await cat(p, "/etc/hosts");
    expect(hosts).toContain("127.0.0.1\tlocalhost");
    expect(hosts).toMatch(/\n\S+\tweb-0\.web\.default\.svc\.cluster\.local\tweb-0\n/);
    expect(hosts).toContain("10.1.2.3\tfoo.local\tbar.local\n");
  }, 90_000);

  test("Default: the node's nameservers; None: only dnsConfig", async () => {
    await env.createPod(sleeper({ dnsPolicy: "Default" }), "dflt");
    await env.createPod(
      sleeper({ dnsPolicy: "None", dnsConfig: { nameservers: ["10.9.9.9"], searches: ["corp.example"], options: [{ name: "ndots", value: "2" }, { name: "edns0" }] } }),
      "none",
    );
    const d = await env.waitPod("dflt", "runs", isRunningReady, 60_000);
    const n = await env.waitPod("none", "runs", isRunningReady, 60_000);
    const hostNameservers = [...readFileSync("/etc/resolv.conf", "utf8").matchAll(/^nameserver\s+(\S+)/gm)].map((m) => m[1]).slice(0, 3);
    const dflt = await cat(d, "/etc/resolv.conf");
    expect([...dflt.matchAll(/^nameserver\s+(\S+)/gm)].map((m) => m[1])).toEqual(hostNameservers);
    expect(dflt).not.toContain("10.43.0.10");
    expect(await cat(n, "/etc/resolv.conf")).toBe("search corp.example\nnameserver 10.9.9.9\noptions ndots:2 edns0\n");
  }, 90_000);
});
