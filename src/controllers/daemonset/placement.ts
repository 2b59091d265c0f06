/**
 * Where a DaemonSet's pods belong (upstream's daemon/util and NodeShouldRunDaemonPod): the
 * tolerations every daemon pod gets, the node affinity that pins a pod to its node (the
 * scheduler binds it), and whether a node should run, or may keep running, the daemon pod.
 */
import type { DaemonSet, Node, Pod, PodTemplateSpec } from "../common/types.ts";
import { fitsNodeAffinity, untoleratedTaint, type Toleration } from "../common/node-match.ts";

type PodSpec = NonNullable<Pod["spec"]>;
type Affinity = NonNullable<PodSpec["affinity"]>;

/** The tolerations upstream adds to every daemon pod (AddOrUpdateDaemonPodTolerations). */
export function daemonTolerations(hostNetwork: boolean): Toleration[] {
  const t = (key: string, effect: string): Toleration => ({ key, operator: "Exists", effect });
  return [
    t("node.kubernetes.io/not-ready", "NoExecute"),
    t("node.kubernetes.io/unreachable", "NoExecute"),
    t("node.kubernetes.io/disk-pressure", "NoSchedule"),
    t("node.kubernetes.io/memory-pressure", "NoSchedule"),
    t("node.kubernetes.io/pid-pressure", "NoSchedule"),
    t("node.kubernetes.io/unschedulable", "NoSchedule"),
    ...(hostNetwork ? [t("node.kubernetes.io/network-unavailable", "NoSchedule")] : []),
  ];
}

/**
 * Adds each toleration; one with the same key, operator, value and effect is replaced by it
 * (AddOrUpdateTolerationInPodSpec: a tolerationSeconds of the user's does not survive).
 */
export function addTolerations(spec: PodSpec): void {
  let have = spec.tolerations ?? [];
  for (const t of daemonTolerations(!!spec.hostNetwork)) {
    const same = (x: Toleration) => (x.key ?? "") === t.key && (x.operator ?? "Equal") === t.operator && (x.value ?? "") === "" && (x.effect ?? "") === t.effect;
    have = have.some(same) ? have.map((x) => (same(x) ? t : x)) : [...have, t];
  }
  spec.tolerations = have;
}

/** Required node affinity that only `nodeName` satisfies (ReplaceDaemonSetPodNodeNameNodeAffinity). */
export function pinToNode(affinity: Affinity | undefined, nodeName: string): Affinity {
  const term = { matchFields: [{ key: "metadata.name", operator: "In", values: [nodeName] }] };
  const out = structuredClone(affinity ?? {});
  out.nodeAffinity = { ...out.nodeAffinity, requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term] } };
  return out;
}

/** The node a daemon pod is for: its nodeName, else the node its affinity pins it to (GetTargetNodeName). */
export function targetNode(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const term of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) if (f.key === "metadata.name" && f.operator === "In" && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}

/**
 * NodeShouldRunDaemonPod: `run` when a new daemon pod belongs on the node; `keep` when one
 * already there may stay (a NoSchedule taint added later does not evict it; NoExecute does).
 */
export function shouldRun(node: Node, ds: DaemonSet): { run: boolean; keep: boolean } {
  const template = ds.spec?.template as PodTemplateSpec | undefined;
  const spec = structuredClone(template?.spec ?? ({ containers: [] } as PodSpec));
  if (spec.nodeName && spec.nodeName !== node.metadata?.name) return { run: false, keep: false };
  addTolerations(spec);
  if (!fitsNodeAffinity(spec, node)) return { run: false, keep: false };
  const taints = node.spec?.taints ?? [];
  if (untoleratedTaint(taints, spec.tolerations ?? [], ["NoSchedule", "NoExecute"])) {
    return { run: false, keep: !untoleratedTaint(taints, spec.tolerations ?? [], ["NoExecute"]) };
  }
  return { run: true, keep: true };
}
