import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSchedulerConfig } from "./config.ts";
import { schedulerArgs } from "./index.ts";

const dir = mkdtempSync(join(tmpdir(), "kts-sched-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe("KubeSchedulerConfiguration", () => {
  test("profiles, disabled plugins, score weights, percentageOfNodesToScore and backoffs", () => {
    const path = file(
      "ok.yaml",
      `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
percentageOfNodesToScore: 30
podInitialBackoffSeconds: 2
podMaxBackoffSeconds: 20
leaderElection: {leaderElect: false}
profiles:
- schedulerName: default-scheduler
- schedulerName: packer
  plugins:
    score:
      disabled: [{name: NodeResourcesBalancedAllocation}]
      enabled: [{name: ImageLocality, weight: 5}]
    preFilter:
      disabled: [{name: PodTopologySpread}]
- schedulerName: bare
  plugins:
    multiPoint:
      disabled: [{name: "*"}]
      enabled: [{name: PrioritySort}, {name: NodeResourcesFit}, {name: DefaultBinder}]
`,
    );
    const c = loadSchedulerConfig(path);
    expect(c).toMatchObject({ podInitialBackoffMs: 2000, podMaxBackoffMs: 20000, leaderElect: false });
    expect(c.profiles[0]).toEqual({ schedulerName: "default-scheduler", disabled: [], weights: {}, percentageOfNodesToScore: 30 });
    expect(c.profiles[1]).toEqual({ schedulerName: "packer", disabled: ["NodeResourcesBalancedAllocation", "PodTopologySpread"], weights: { ImageLocality: 5 }, percentageOfNodesToScore: 30 });
    expect(c.profiles[2]!.disabled).not.toContain("NodeResourcesFit");
    expect(c.profiles[2]!.disabled).toContain("TaintToleration");
  });

  test("errors: wrong kind, unknown plugin, duplicate profile, unknown --kube-scheduler-arg", () => {
    expect(() => loadSchedulerConfig(file("kind.yaml", "apiVersion: v1\nkind: ConfigMap\n"))).toThrow("not a kubescheduler.config.k8s.io/v1 KubeSchedulerConfiguration");
    const head = "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n";
    expect(() => loadSchedulerConfig(file("plugin.yaml", `${head}profiles:\n- plugins: {score: {enabled: [{name: Coscheduling}]}}\n`))).toThrow('plugin "Coscheduling" does not exist');
    expect(() => loadSchedulerConfig(file("dup.yaml", `${head}profiles:\n- schedulerName: a\n- schedulerName: a\n`))).toThrow('duplicate profile with scheduler name "a"');
    expect(() => schedulerArgs({ "bind-address": "0.0.0.0" })).toThrow('unsupported --kube-scheduler-arg "bind-address=0.0.0.0"');
    expect(schedulerArgs({ "leader-elect": "false" })).toEqual({ leaderElect: false });
  });
});
