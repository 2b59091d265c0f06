import { expect, test } from "bun:test";
import { clusterConfigMap, parseClusterConfig } from "./cluster-config.ts";

const base = { clusterCidr: "10.42.0.0/16", serviceCidr: "10.43.0.0/16", flannelBackend: "host-gw" as const, disableKubeProxy: false };

test("the cluster DNS addresses and domain travel to the agents with the network settings", () => {
  const cfg = { ...base, clusterDns: ["10.43.0.53", "10.43.0.54"], clusterDomain: "corp.internal" };
  expect(parseClusterConfig(clusterConfigMap(cfg))).toEqual(cfg);
});

test("a server that published no DNS settings leaves them to the agent's flags and defaults", () => {
  const parsed = parseClusterConfig(clusterConfigMap(base));
  expect(parsed.clusterDns).toBeUndefined();
  expect(parsed.clusterDomain).toBeUndefined();
  const bad = clusterConfigMap(base) as { data: Record<string, string> };
  bad.data["cluster-dns"] = "not-an-ip";
  expect(() => parseClusterConfig(bad as never)).toThrow("cluster-dns");
});
