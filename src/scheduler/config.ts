/**
 * KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1), the file kube-scheduler's --config
 * names: profiles by schedulerName, plugins disabled or re-weighted per profile,
 * percentageOfNodesToScore, the pod backoffs and leader election. kts's profiles run upstream's
 * default plugins; a plugin disabled at any extension point is left out of the profile entirely,
 * and enabled plugins must be among the defaults (there are no out-of-tree plugins).
 */
import { readFileSync } from "node:fs";
import { DEFAULT_SCHEDULER_NAME } from "./api.ts";
import type { ProfileConfig } from "./profile.ts";

export const DEFAULT_PLUGINS = [
  "SchedulingGates",
  "PrioritySort",
  "NodeUnschedulable",
  "NodeName",
  "TaintToleration",
  "NodeAffinity",
  "NodePorts",
  "NodeResourcesFit",
  "VolumeBinding",
  "PodTopologySpread",
  "InterPodAffinity",
  "DefaultPreemption",
  "NodeResourcesBalancedAllocation",
  "ImageLocality",
  "DefaultBinder",
];

export interface SchedulerConfig {
  profiles: ProfileConfig[];
  podInitialBackoffMs?: number;
  podMaxBackoffMs?: number;
  leaderElect?: boolean;
}

interface PluginRef {
  name?: string;
  weight?: number;
}

interface ProfileDoc {
  schedulerName?: string;
  percentageOfNodesToScore?: number;
  plugins?: Record<string, { enabled?: PluginRef[]; disabled?: PluginRef[] } | undefined>;
}

interface ConfigDoc {
  apiVersion?: string;
  kind?: string;
  percentageOfNodesToScore?: number;
  podInitialBackoffSeconds?: number;
  podMaxBackoffSeconds?: number;
  leaderElection?: { leaderElect?: boolean };
  profiles?: ProfileDoc[];
}

function profileFrom(doc: ProfileDoc, globalPercentage: number | undefined): ProfileConfig {
  const name = doc.schedulerName || DEFAULT_SCHEDULER_NAME;
  const disabled = new Set<string>();
  const enabled = new Set<string>();
  const weights: Record<string, number> = {};
  for (const [point, set] of Object.entries(doc.plugins ?? {})) {
    for (const p of set?.disabled ?? []) disabled.add(p.name ?? "");
    for (const p of set?.enabled ?? []) {
      const plugin = p.name ?? "";
      if (!DEFAULT_PLUGINS.includes(plugin)) throw new Error(`profile "${name}": plugin "${plugin}" does not exist (kts runs upstream's default plugins)`);
      enabled.add(plugin);
      if (p.weight !== undefined && (point === "score" || point === "multiPoint")) weights[plugin] = p.weight;
    }
  }
  const off = disabled.has("*") ? DEFAULT_PLUGINS.filter((p) => !enabled.has(p)) : [...disabled].filter((p) => !enabled.has(p));
  return { schedulerName: name, disabled: off, weights, percentageOfNodesToScore: doc.percentageOfNodesToScore ?? globalPercentage };
}

/** Reads and checks a KubeSchedulerConfiguration file. */
export function loadSchedulerConfig(path: string): SchedulerConfig {
  const doc = Bun.YAML.parse(readFileSync(path, "utf8")) as ConfigDoc | null;
  if (!doc || doc.kind !== "KubeSchedulerConfiguration" || doc.apiVersion !== "kubescheduler.config.k8s.io/v1") {
    throw new Error(`${path}: not a kubescheduler.config.k8s.io/v1 KubeSchedulerConfiguration`);
  }
  const profiles = (doc.profiles?.length ? doc.profiles : [{}]).map((p) => profileFrom(p, doc.percentageOfNodesToScore));
  const names = profiles.map((p) => p.schedulerName);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new Error(`${path}: duplicate profile with scheduler name "${dup}"`);
  return {
    profiles,
    podInitialBackoffMs: doc.podInitialBackoffSeconds !== undefined ? doc.podInitialBackoffSeconds * 1000 : undefined,
    podMaxBackoffMs: doc.podMaxBackoffSeconds !== undefined ? doc.podMaxBackoffSeconds * 1000 : undefined,
    leaderElect: doc.leaderElection?.leaderElect,
  };
}
