/**
 * Test setup for the scheduler: the in-process API server (with the server's admission chain), a
 * running scheduler, and builders for Node objects that no agent backs and for pods.
 */
import type { KubeObject } from "../apiserver/api/types.ts";
import { SeriesBroadcaster, SharedInformerFactory } from "../client/index.ts";
import type { LocalClient } from "../apiserver/local-client.ts";
import { memoryLogger, testCluster, until } from "../controllers/testing.ts";
import type { Node, Pod } from "./api.ts";
import { NAMESPACES, NODES, PODS } from "./api.ts";
import type { ProfileConfig } from "./profile.ts";
import { Scheduler } from "./scheduler.ts";
import { PodInfo } from "./pod-info.ts";
import { NodeInfo } from "./node-info.ts";
import { SchedulerCache } from "./cache.ts";
import { CycleState, type Handle, type ListerKind, type ObjectLister } from "./framework.ts";
import { Profile } from "./profile.ts";

export interface NodeSpec {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: NonNullable<Node["spec"]>["taints"];
  unschedulable?: boolean;
  extra?: Record<string, string>;
  images?: Array<{ names: string[]; sizeBytes: number }>;
}

/** A Node object as an agent would register it (labels include kubernetes.io/hostname). */
export function nodeObject(name: string, s: NodeSpec = {}): Node {
  const allocatable = { cpu: s.cpu ?? "4", memory: s.memory ?? "8Gi", pods: s.pods ?? "110", ...s.extra };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name, ...s.labels } },
    spec: { taints: s.taints, unschedulable: s.unschedulable },
    status: { capacity: allocatable, allocatable, images: s.images, conditions: [{ type: "Ready", status: "True" }] },
  } as Node;
}

export function podObject(name: string, spec: Partial<NonNullable<Pod["spec"]>> = {}, meta: Partial<NonNullable<Pod["metadata"]>> = {}, requests?: Record<string, string>): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", ...meta },
    spec: { containers: [{ name: "c", image: "busybox", resources: requests ? { requests } : undefined }], ...spec },
  } as Pod;
}

/** Plugin-level fixtures: NodeInfo and PodInfo without any API. */
export function nodeInfo(name: string, s: NodeSpec = {}, pods: Pod[] = []): NodeInfo {
  const n = new NodeInfo(name);
  n.setNode(nodeObject(name, s));
  let i = 0;
  for (const p of pods) n.addPod(podInfo({ ...p, metadata: { uid: `${name}-existing-${i++}`, namespace: "default", ...p.metadata } }));
  return n;
}

export function podInfo(p: Pod): PodInfo {
  return new PodInfo({ ...p, metadata: { uid: p.metadata?.uid ?? `uid-${p.metadata?.name}`, namespace: "default", ...p.metadata } });
}

export interface SchedulerCluster {
  client: LocalClient;
  scheduler: Scheduler;
  logs: string[];
  addNode(name: string, s?: NodeSpec): Promise<Node>;
  createPod(p: Pod, namespace?: string): Promise<Pod>;
  getPod(name: string, namespace?: string): Promise<Pod>;
  /** Waits until the pod is bound; returns its node. */
  boundNode(name: string, namespace?: string, timeoutMs?: number): Promise<string>;
  /** events.k8s.io notes about a pod, with their reasons. */
  events(name: string, namespace?: string): Promise<Array<{ reason: string; note: string; type: string }>>;
  close(): Promise<void>;
}

export async function schedulerCluster(opts: { profiles?: ProfileConfig[]; namespaces?: string[] } = {}): Promise<SchedulerCluster> {
  const c = testCluster();
  const client = c.client;
  for (const ns of ["default", "kube-system", ...(opts.namespaces ?? [])]) {
    await client.create(NAMESPACES, "", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  }
  const logs: string[] = [];
  const log = memoryLogger(logs);
  const informers = new SharedInformerFactory(client, log);
  const events = new SeriesBroadcaster(client, { host: "test", log });
  // Short backoffs keep the tests quick; the semantics are upstream's (1 s / 10 s by default).
  const scheduler = new Scheduler(client, { profiles: opts.profiles, informers, recorder: (name) => events.recorder(name), log, podInitialBackoffMs: 100, podMaxBackoffMs: 1000 });
  await scheduler.start();
  const getPod = async (name: string, namespace = "default") => (await client.get(PODS, namespace, name)) as unknown as Pod;
  return {
    client,
    scheduler,
    logs,
    addNode: async (name, s) => (await client.create(NODES, "", nodeObject(name, s) as unknown as KubeObject)) as unknown as Node,
    createPod: async (p, namespace = "default") => (await client.create(PODS, namespace, p as unknown as KubeObject)) as unknown as Pod,
    getPod,
    async boundNode(name, namespace = "default", timeoutMs = 10_000) {
      let node = "";
      await until(`pod ${namespace}/${name} is bound`, async () => !!(node = (await getPod(name, namespace)).spec?.nodeName ?? ""), timeoutMs);
      return node;
    },
    async events(name, namespace = "default") {
      await events.flush();
      const list = await client.list({ group: "events.k8s.io", version: "v1", resource: "events" }, namespace);
      return list.items
        .filter((e) => (e as { regarding?: { name?: string } }).regarding?.name === name)
        .map((e) => {
          const ev = e as unknown as { reason: string; note: string; type: string };
          return { reason: ev.reason, note: ev.note, type: ev.type };
        });
    },
    async close() {
      await scheduler.stop();
      informers.stop();
      events.stop();
      await c.close();
    },
  };
}

// ------------------------------------------------------------------------------ framework harness

export interface FrameworkHarness {
  cache: SchedulerCache;
  profile: Profile;
  handle: Handle;
  addNode(name: string, s?: NodeSpec): void;
  /** Places a pod on a node (as if bound); returns its PodInfo. */
  addPod(p: Pod, node: string): PodInfo;
  /** PreFilter + Filter on every node: node → reasons joined by "; " (or "" when it fits); a PreFilter rejection is "prefilter: <message>". */
  filter(p: Pod): Record<string, string>;
  /** One score plugin's normalized scores over the given (or all) nodes. */
  score(p: Pod, plugin: string, nodes?: string[]): Record<string, number>;
}

/** Plugins run against a cache filled by hand: no API, no queue. */
export function frameworkHarness(opts: { namespaces?: Record<string, Record<string, string>>; listers?: Partial<Record<ListerKind, unknown[]>>; config?: ProfileConfig } = {}): FrameworkHarness {
  const cache = new SchedulerCache();
  const namespaces = opts.namespaces ?? { default: {} };
  let uid = 0;
  const lister = (kind: ListerKind): ObjectLister => {
    const items = (opts.listers?.[kind] ?? []) as KubeObject[];
    return {
      get: (ns, name) => items.find((o) => (o.metadata?.namespace ?? "") === ns && o.metadata?.name === name),
      list: (ns) => items.filter((o) => !ns || o.metadata?.namespace === ns),
    };
  };
  let profile!: Profile;
  const handle: Handle = {
    client: undefined as unknown as Handle["client"],
    cache,
    namespaceLabels: (ns) => namespaces[ns],
    namespacesMatching: (sel) => Object.keys(namespaces).filter((n) => sel.matches(namespaces[n])),
    lister,
    nominatedPodsForNode: () => [],
    runFilters: (state, pod, node) => profile.runFilters(state, pod, node),
    runPreFilterAddPod: (state, pod, toAdd, node) => profile.runPreFilterAddPod(state, pod, toAdd, node),
    runPreFilterRemovePod: (state, pod, toRemove, node) => profile.runPreFilterRemovePod(state, pod, toRemove, node),
    event: () => undefined,
    now: Date.now,
  };
  profile = new Profile(opts.config ?? { schedulerName: "default-scheduler" }, handle);
  const prepare = (p: Pod) => {
    const info = podInfo(p);
    const state = new CycleState();
    const nodes = cache.nodeList();
    return { info, state, nodes, pre: profile.runPreFilter(state, info, nodes) };
  };
  return {
    cache,
    profile,
    handle,
    addNode: (name, s) => void cache.addOrUpdateNode(nodeObject(name, s)),
    addPod(p, node) {
      const info = podInfo({ ...p, metadata: { uid: `placed-${uid++}`, ...p.metadata } });
      cache.addOrUpdatePod(info, node);
      return info;
    },
    filter(p) {
      const { info, state, nodes, pre } = prepare(p);
      const out: Record<string, string> = {};
      for (const n of nodes) {
        if (pre.status) out[n.name] = `prefilter: ${pre.status.message}`;
        else if (pre.nodeNames && !pre.nodeNames.has(n.name)) out[n.name] = "excluded by prefilter";
        else out[n.name] = profile.runFilters(state, info, n)?.reasons.join("; ") ?? "";
      }
      return out;
    },
    score(p, plugin, only) {
      const { info, state, nodes } = prepare(p);
      const feasible = only ? nodes.filter((n) => only.includes(n.name)) : nodes;
      profile.runPreScore(state, info, feasible);
      const entry = profile.score.find((s) => s.plugin.name === plugin);
      if (!entry) throw new Error(`no score plugin ${plugin}`);
      const scores = feasible.map((n) => (state.skipScore.has(plugin) ? 0 : entry.plugin.score(state, info, n)));
      if (!state.skipScore.has(plugin)) entry.plugin.normalize?.(state, info, scores, feasible);
      return Object.fromEntries(feasible.map((n, i) => [n.name, scores[i]!]));
    },
  };
}
