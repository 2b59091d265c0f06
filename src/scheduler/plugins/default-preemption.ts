/**
 * DefaultPreemption (PostFilter): when a pod fits nowhere, find nodes where evicting pods of lower
 * priority would make room — on each, remove every lower-priority pod, check the pod fits, then
 * give back as many of them as still leaves it fitting (PDB-protected pods first, most important
 * first) — pick the node whose victims matter least, delete those victims (marking them with a
 * DisruptionTarget condition) and nominate the node for the pod, which is retried once they are gone.
 */
import type { PodDisruptionBudget } from "../api.ts";
import { PODS } from "../api.ts";
import type { CycleState, Handle, PostFilterPlugin, PostFilterResult } from "../framework.ts";
import { NodeToStatus } from "../framework.ts";
import { fitErrorMessage } from "../fit-error.ts";
import type { NodeInfo } from "../node-info.ts";
import type { PodInfo } from "../pod-info.ts";
import { compileLabelSelector } from "../selectors.ts";
import { Code, type Result, Status } from "../status.ts";

/** upstream's DefaultPreemptionArgs defaults. */
const MIN_CANDIDATE_NODES_PERCENTAGE = 10;
const MIN_CANDIDATE_NODES_ABSOLUTE = 100;
const MAX_INT32_PLUS_ONE = 2 ** 31;

interface Candidate {
  node: string;
  /** Most important first. */
  victims: PodInfo[];
  pdbViolations: number;
}

function startTime(p: PodInfo, now: number): number {
  const t = p.pod.status?.startTime;
  return t ? Date.parse(t) : now;
}

/** upstream's MoreImportantPod: higher priority, then the one that started earlier. */
function moreImportant(a: PodInfo, b: PodInfo, now: number): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  return startTime(a, now) < startTime(b, now);
}

function terminatingByPreemption(p: PodInfo): boolean {
  if (!p.pod.metadata?.deletionTimestamp) return false;
  const c = p.pod.status?.conditions?.find((x) => x.type === "DisruptionTarget");
  return c?.status === "True" && c.reason === "PreemptionByScheduler";
}

export class DefaultPreemption implements PostFilterPlugin {
  readonly name = "DefaultPreemption";

  constructor(private readonly handle: Handle) {}

  postFilter(state: CycleState, pod: PodInfo, statuses: NodeToStatus): PostFilterResult {
    const notEligible = this.notEligible(pod, statuses);
    if (notEligible) return { status: Status.unschedulable(`preemption: ${notEligible}`) };
    const all = this.handle.cache.nodeList();
    const potential = statuses.nodesWithCode(all, Code.Unschedulable);
    const { candidates, nodeStatuses } = this.dryRun(state, pod, potential);
    if (candidates.length === 0) {
      nodeStatuses.absent = Status.unresolvable("Preemption is not helpful for scheduling");
      const msg = fitErrorMessage(all.length, { statuses: nodeStatuses, preFilterMsg: "", postFilterMsg: "" });
      return { status: Status.unschedulable(`preemption: ${msg}`), nominatedNodeName: "" };
    }
    const best = this.pick(candidates);
    this.prepare(best, pod);
    return { status: null, nominatedNodeName: best.node };
  }

  /** Why the pod may not preempt now, or "" (upstream's PodEligibleToPreemptOthers). */
  private notEligible(pod: PodInfo, statuses: NodeToStatus): string {
    if (pod.pod.spec?.preemptionPolicy === "Never") return "not eligible due to preemptionPolicy=Never.";
    const nominated = pod.pod.status?.nominatedNodeName;
    if (!nominated || statuses.get(nominated).code === Code.UnschedulableAndUnresolvable) return "";
    const node = this.handle.cache.getNode(nominated);
    for (const p of node?.pods ?? []) {
      if (p.priority < pod.priority && terminatingByPreemption(p)) return "not eligible due to a terminating pod on the nominated node.";
    }
    return "";
  }

  private dryRun(state: CycleState, pod: PodInfo, potential: NodeInfo[]): { candidates: Candidate[]; nodeStatuses: NodeToStatus } {
    const nodeStatuses = new NodeToStatus();
    if (potential.length === 0) return { candidates: [], nodeStatuses };
    const pdbs = this.handle.lister("poddisruptionbudgets").list("") as PodDisruptionBudget[];
    const n = potential.length;
    const wanted = Math.min(n, Math.max(Math.floor((n * MIN_CANDIDATE_NODES_PERCENTAGE) / 100), MIN_CANDIDATE_NODES_ABSOLUTE));
    const offset = Math.floor(Math.random() * n);
    const nonViolating: Candidate[] = [];
    const violating: Candidate[] = [];
    for (let i = 0; i < n; i++) {
      const node = potential[(offset + i) % n]!;
      const out = this.selectVictims(state.clone(), pod, node.clone(), pdbs);
      if ("victims" in out) {
        if (out.victims.length === 0) {
          nodeStatuses.set(node.name, Status.error(`expected at least one victim pod on node "${node.name}"`));
          continue;
        }
        (out.pdbViolations === 0 ? nonViolating : violating).push({ node: node.name, ...out });
        if (nonViolating.length > 0 && nonViolating.length + violating.length >= wanted) break;
      } else nodeStatuses.set(node.name, out.status);
    }
    return { candidates: [...nonViolating, ...violating], nodeStatuses };
  }

  /** upstream's SelectVictimsOnNode. */
  private selectVictims(state: CycleState, pod: PodInfo, node: NodeInfo, pdbs: PodDisruptionBudget[]): { victims: PodInfo[]; pdbViolations: number } | { status: Status } {
    const now = this.handle.now();
    const potential = node.pods.filter((p) => p.priority < pod.priority);
    if (potential.length === 0) return { status: Status.unresolvable("No preemption victims found for incoming pod") };
    const remove = (p: PodInfo) => {
      node.removePod(p.uid);
      this.handle.runPreFilterRemovePod(state, pod, p, node);
    };
    const add = (p: PodInfo) => {
      node.addPod(p);
      this.handle.runPreFilterAddPod(state, pod, p, node);
    };
    for (const p of potential) remove(p);
    const fits = (): Result => this.handle.runFilters(state, pod, node);
    const first = fits();
    if (first) return { status: first };
    potential.sort((a, b) => (moreImportant(a, b, now) ? -1 : moreImportant(b, a, now) ? 1 : 0));
    const { violating, nonViolating } = splitByPdb(potential, pdbs);
    const victims: PodInfo[] = [];
    let pdbViolations = 0;
    const reprieve = (p: PodInfo): boolean => {
      add(p);
      if (fits() === null) return true;
      remove(p);
      victims.push(p);
      return false;
    };
    for (const p of violating) if (!reprieve(p)) pdbViolations++;
    for (const p of nonViolating) reprieve(p);
    if (violating.length > 0 && nonViolating.length > 0) victims.sort((a, b) => (moreImportant(a, b, now) ? -1 : moreImportant(b, a, now) ? 1 : 0));
    return { victims, pdbViolations };
  }

  /** upstream's pickOneNodeForPreemption: fewest PDB violations, lowest top victim, lowest priority sum, fewest victims, latest start. */
  private pick(candidates: Candidate[]): Candidate {
    const now = this.handle.now();
    const rules: Array<(c: Candidate) => number> = [
      (c) => -c.pdbViolations,
      (c) => -c.victims[0]!.priority,
      (c) => -c.victims.reduce((s, v) => s + v.priority + MAX_INT32_PLUS_ONE, 0),
      (c) => -c.victims.length,
      (c) => Math.min(...c.victims.filter((v) => v.priority === c.victims[0]!.priority).map((v) => startTime(v, now))),
    ];
    let left = candidates;
    for (const rule of rules) {
      if (left.length === 1) break;
      const scores = left.map(rule);
      const max = Math.max(...scores);
      left = left.filter((_, i) => scores[i] === max);
    }
    return left[0]!;
  }

  /** Deletes the victims (in the background) and clears lower-priority nominations on the node. */
  private prepare(c: Candidate, pod: PodInfo): void {
    const client = this.handle.client;
    const schedulerName = pod.pod.spec?.schedulerName ?? "default-scheduler";
    for (const v of c.victims) {
      if (v.pod.metadata?.deletionTimestamp) continue;
      const condition = {
        type: "DisruptionTarget",
        status: "True",
        reason: "PreemptionByScheduler",
        message: `${schedulerName}: preempting to accommodate a higher priority pod`,
        lastTransitionTime: new Date(this.handle.now()).toISOString().replace(/\.\d{3}Z$/, "Z"),
      };
      void (async () => {
        try {
          await client.patch(PODS, v.namespace, v.name, "application/strategic-merge-patch+json", { status: { conditions: [condition] } }, { subresource: "status" });
          await client.delete(PODS, v.namespace, v.name, { preconditions: { uid: v.uid } });
          this.handle.event(v.pod, "Normal", "Preempted", `Preempted by pod ${pod.uid} on node ${c.node}`);
        } catch (err) {
          if ((err as { code?: number }).code !== 404) this.handle.event(pod.pod, "Warning", "FailedPreemption", `failed to preempt ${v.namespace}/${v.name}: ${err instanceof Error ? err.message : String(err)}`);
        }
      })();
    }
    for (const p of this.handle.nominatedPodsForNode(c.node)) {
      if (p.priority >= pod.priority || !p.pod.status?.nominatedNodeName) continue;
      void client.patch(PODS, p.namespace, p.name, "application/merge-patch+json", { status: { nominatedNodeName: null } }, { subresource: "status" }).catch(() => undefined);
    }
  }
}

/** Splits victims by whether evicting them would break a PodDisruptionBudget (order kept). */
function splitByPdb(pods: PodInfo[], pdbs: PodDisruptionBudget[]): { violating: PodInfo[]; nonViolating: PodInfo[] } {
  const allowed = pdbs.map((p) => p.status?.disruptionsAllowed ?? 0);
  const selectors = pdbs.map((p) => compileLabelSelector(p.spec?.selector));
  const violating: PodInfo[] = [];
  const nonViolating: PodInfo[] = [];
  for (const p of pods) {
    let violated = false;
    if (Object.keys(p.labels).length > 0) {
      pdbs.forEach((pdb, i) => {
        if (pdb.metadata?.namespace !== p.namespace) return;
        const sel = selectors[i]!;
        if (sel.nothing || sel.everything || !sel.matches(p.labels)) return;
        if (pdb.status?.disruptedPods && p.name in pdb.status.disruptedPods) return;
        allowed[i]!--;
        if (allowed[i]! < 0) violated = true;
      });
    }
    (violated ? violating : nonViolating).push(p);
  }
  return { violating, nonViolating };
}
