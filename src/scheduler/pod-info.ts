/**
 * What the scheduler needs from a pod, computed once per pod version (upstream's PodInfo):
 * requests as numbers, host ports, compiled affinity terms, priority.
 */
import type { Labels, Pod, PodAffinityTerm } from "./api.ts";
import { podKey } from "./api.ts";
import { podRequests, type Resource } from "./resources.ts";
import { compileLabelSelector, type LabelMatcher } from "./selectors.ts";

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/** A pod (anti-)affinity term, compiled (upstream's framework.AffinityTerm). */
export interface AffinityTerm {
  namespaces: Set<string>;
  /** null: no namespaceSelector (matches no extra namespace). */
  namespaceSelector: LabelMatcher | null;
  selector: LabelMatcher;
  topologyKey: string;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

export const BIND_ALL_HOST_IP = "0.0.0.0";

/** upstream's AffinityTerm.Matches: the pod's namespace is selected and its labels match. */
export function termMatches(term: AffinityTerm, pod: PodInfo, nsLabels: Labels | undefined): boolean {
  if (!term.namespaces.has(pod.namespace) && !(term.namespaceSelector && term.namespaceSelector.matches(nsLabels))) return false;
  return term.selector.matches(pod.labels);
}

function compileTerm(namespace: string, term: PodAffinityTerm): AffinityTerm {
  const namespaces = new Set<string>(term.namespaces ?? []);
  if ((term.namespaces ?? []).length === 0 && !term.namespaceSelector) namespaces.add(namespace);
  return {
    namespaces,
    namespaceSelector: term.namespaceSelector ? compileLabelSelector(term.namespaceSelector) : null,
    selector: compileLabelSelector(term.labelSelector),
    topologyKey: term.topologyKey,
  };
}

export class PodInfo {
  readonly key: string;
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly priority: number;
  readonly requests: Resource;
  readonly nonZeroCpu: number;
  readonly nonZeroMemory: number;
  readonly ports: HostPort[];
  readonly requiredAffinity: AffinityTerm[];
  readonly requiredAntiAffinity: AffinityTerm[];
  readonly preferredAffinity: WeightedAffinityTerm[];
  readonly preferredAntiAffinity: WeightedAffinityTerm[];
  readonly terminating: boolean;

  constructor(readonly pod: Pod) {
    const meta = pod.metadata ?? {};
    this.key = podKey(pod);
    this.uid = meta.uid ?? this.key;
    this.namespace = meta.namespace ?? "";
    this.name = meta.name ?? "";
    this.labels = meta.labels ?? {};
    this.priority = pod.spec?.priority ?? 0;
    this.requests = podRequests(pod);
    const nonZero = podRequests(pod, true);
    this.nonZeroCpu = nonZero.milliCpu;
    this.nonZeroMemory = nonZero.memory;
    this.ports = hostPorts(pod);
    const pa = pod.spec?.affinity?.podAffinity;
    const paa = pod.spec?.affinity?.podAntiAffinity;
    const ns = this.namespace;
    this.requiredAffinity = (pa?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => compileTerm(ns, t));
    this.requiredAntiAffinity = (paa?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => compileTerm(ns, t));
    this.preferredAffinity = (pa?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({ ...compileTerm(ns, w.podAffinityTerm), weight: w.weight }));
    this.preferredAntiAffinity = (paa?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({ ...compileTerm(ns, w.podAffinityTerm), weight: w.weight }));
    this.terminating = !!meta.deletionTimestamp;
  }
}

/** Host ports the pod's containers ask for (upstream's GetContainerPorts with hostPort > 0). */
function hostPorts(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ ip: p.hostIP || BIND_ALL_HOST_IP, protocol: p.protocol || "TCP", port: p.hostPort });
    }
  }
  return out;
}
