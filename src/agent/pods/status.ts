/**
 * The pod status the kubelet writes, from what Docker shows and the probes say: container statuses
 * (state, lastState, restartCount, ready, started, image IDs, termination messages), the phase
 * (upstream's getPhase, sidecar-aware), the kubelet-owned conditions with their reasons, IPs and
 * start time. Conditions owned by others are kept; a terminal phase never changes back.
 */
import type { ContainerDetails, ContainerStatus, Pod, PodCondition, PodStatus } from "../runtime/index.ts";
import type { AgentContext } from "./context.ts";
import { containerSpecs, isSidecar, type ContainerSpec } from "./pod-info.ts";
import { qosClass } from "./resources.ts";
import type { PodState } from "./state.ts";

const KUBELET_CONDITIONS = new Set(["PodScheduled", "Ready", "Initialized", "ContainersReady", "PodReadyToStartContainers"]);
const MAX_MESSAGE = 4096;
const LOG_LINES = 80;
const LOG_BYTES = 2048;

export interface Observed {
  /** The pod's containers by name, newest first (all attempts Docker still holds). */
  byName: Map<string, ContainerDetails[]>;
  sandboxReady: boolean;
  podIPs: string[];
}

const imageIDs = new Map<string, string>();

/** Docker's nanosecond timestamps as the API's RFC 3339 seconds ("2024-01-02T03:04:05Z"). */
export function apiTime(t: string | undefined): string | undefined {
  if (!t) return undefined;
  return t.replace(/\.\d+(?=Z$|[+-]\d\d:\d\d$)/, "");
}

async function imageID(ctx: AgentContext, dockerImageId: string): Promise<string> {
  const hit = imageIDs.get(dockerImageId);
  if (hit) return hit;
  const info = await ctx.puller.inspect(dockerImageId).catch(() => undefined);
  const id = info?.imageID ?? `docker://${dockerImageId}`;
  imageIDs.set(dockerImageId, id);
  return id;
}

async function terminationMessage(ctx: AgentContext, state: PodState, c: ContainerDetails, spec: ContainerSpec["spec"]): Promise<string> {
  const cached = state.messages.get(c.id);
  if (cached !== undefined) return cached;
  const path = spec.terminationMessagePath ?? "/dev/termination-log";
  let msg = "";
  const mount = c.mounts.find((m) => m.destination === path);
  if (mount) {
    try {
      const file = Bun.file(mount.source);
      if (await file.exists()) msg = (await file.slice(0, MAX_MESSAGE).text()) ?? "";
    } catch (err) {
      msg = `Error on reading termination log ${mount.source}: ${(err as Error).message}`;
    }
  }
  if (!msg && spec.terminationMessagePolicy === "FallbackToLogsOnError" && c.exitCode !== 0 && !c.error) {
    msg = await ctx.runtime.tailLogs(c.id, LOG_LINES, LOG_BYTES).catch((err) => `Error on reading termination message from logs: ${err}`);
  }
  state.messages.set(c.id, msg);
  return msg;
}

function terminatedReason(c: ContainerDetails): string {
  if (c.error) return "ContainerCannotRun";
  if (c.oomKilled) return "OOMKilled";
  return c.exitCode === 0 ? "Completed" : "Error";
}

async function terminated(ctx: AgentContext, state: PodState, c: ContainerDetails, spec: ContainerSpec["spec"]): Promise<NonNullable<ContainerStatus["state"]>["terminated"]> {
  const tmsg = await terminationMessage(ctx, state, c, spec);
  const message = [c.error, tmsg].filter(Boolean).join(": ");
  return {
    exitCode: c.error && c.exitCode === 0 ? 128 : c.exitCode,
    reason: terminatedReason(c),
    ...(message ? { message } : {}),
    startedAt: apiTime(c.startedAt),
    finishedAt: apiTime(c.finishedAt),
    containerID: `docker://${c.id}`,
  } as NonNullable<ContainerStatus["state"]>["terminated"];
}

async function containerStatus(ctx: AgentContext, state: PodState, cs: ContainerSpec, insts: ContainerDetails[], hasInit: boolean): Promise<ContainerStatus> {
  const spec = cs.spec;
  const s: ContainerStatus = {
    name: spec.name,
    image: spec.image ?? "",
    imageID: "",
    ready: false,
    restartCount: 0,
    started: false,
    state: { waiting: { reason: hasInit ? "PodInitializing" : "ContainerCreating" } },
  };
  const latest = insts[0];
  if (latest) {
    s.restartCount = latest.attempt;
    s.containerID = `docker://${latest.id}`;
    s.imageID = await imageID(ctx, latest.imageId);
    if (latest.state === "running") {
      const probes = state.probes.get(latest.id);
      s.state = { running: { startedAt: apiTime(latest.startedAt) } };
      s.started = probes ? probes.started : true;
      s.ready = cs.kind === "init" ? false : probes ? probes.ready : true;
    } else if (latest.state === "exited" || latest.error) {
      s.state = { terminated: await terminated(ctx, state, latest, spec) };
      s.ready = cs.kind === "init" && latest.exitCode === 0 && !latest.error;
    } else s.state = { waiting: {} };
    const prev = insts[1];
    if (prev) s.lastState = { terminated: await terminated(ctx, state, prev, spec) };
  }
  const waiting = state.waiting.get(spec.name);
  if (waiting && latest?.state !== "running") {
    if (s.state?.terminated) s.lastState = { terminated: s.state.terminated };
    s.state = { waiting: { reason: waiting.reason, ...(waiting.message ? { message: waiting.message } : {}) } };
  }
  if (!s.lastState) s.lastState = {};
  return s;
}

/** upstream getPhase (sidecar-aware, pre-ContainerRestartRules). */
export function podPhase(pod: Pod, statuses: ContainerStatus[], podIsTerminal: boolean, podHasInitialized: boolean): string {
  const get = (name: string) => statuses.find((s) => s.name === name);
  const policy = pod.spec?.restartPolicy ?? "Always";
  let pendingInit = 0;
  let pendingSidecar = 0;
  let failedInit = 0;
  for (const c of pod.spec?.initContainers ?? []) {
    if (isSidecar(c)) continue;
    const s = get(c.name);
    if (!s) pendingInit++;
    else if (s.state?.running) pendingInit++;
    else if (s.state?.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) {
        if (s.lastState.terminated.exitCode !== 0) failedInit++;
      } else pendingInit++;
    } else pendingInit++;
  }
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of pod.spec?.initContainers ?? []) {
    if (!isSidecar(c)) continue;
    const s = get(c.name);
    if (!s) unknown++;
    else if (s.state?.running) {
      if (!s.started) pendingSidecar++;
      running++;
    } else if (s.state?.terminated) {
      // terminated sidecars do not count
    } else if (s.state?.waiting) {
      if (!s.lastState?.terminated) {
        pendingSidecar++;
        waiting++;
      }
    } else {
      pendingSidecar++;
      unknown++;
    }
  }
  for (const c of pod.spec?.containers ?? []) {
    const s = get(c.name);
    if (!s) unknown++;
    else if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }
  if (failedInit > 0 && policy === "Never") return "Failed";
  if (pendingInit > 0 || (pendingSidecar > 0 && !podHasInitialized) || waiting > 0) return "Pending";
  if (running > 0 && unknown === 0) return "Running";
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (podIsTerminal) return stopped === succeeded ? "Succeeded" : "Failed";
    if (policy === "Always") return "Running";
    if (stopped === succeeded) return "Succeeded";
    if (policy === "Never") return "Failed";
    return "Running";
  }
  return "Pending";
}

const list = (names: string[]) => `[${names.join(" ")}]`;

function condition(type: string, ok: boolean, reason?: string, message?: string): PodCondition {
  return { type, status: ok ? "True" : "False", ...(reason ? { reason } : {}), ...(message ? { message } : {}) } as PodCondition;
}

function kubeletConditions(pod: Pod, statuses: ContainerStatus[], phase: string, sandboxReady: boolean, keptConditions: PodCondition[]): PodCondition[] {
  const get = (name: string) => statuses.find((s) => s.name === name);
  const out: PodCondition[] = [condition("PodReadyToStartContainers", sandboxReady)];
  // Initialized
  const unknownInit: string[] = [];
  const incomplete: string[] = [];
  for (const c of pod.spec?.initContainers ?? []) {
    const s = get(c.name);
    if (!s) unknownInit.push(c.name);
    else if (isSidecar(c) ? !s.started : !s.ready) incomplete.push(c.name);
  }
  const anyRegularStarted = (pod.spec?.containers ?? []).some((c) => {
    const s = get(c.name);
    return !!(s?.state?.running || s?.state?.terminated || s?.lastState?.terminated);
  });
  if (phase === "Succeeded" && unknownInit.length === 0) out.push(condition("Initialized", true, "PodCompleted"));
  else if (anyRegularStarted) out.push(condition("Initialized", true));
  else {
    const msgs = [
      ...(unknownInit.length ? [`containers with unknown status: ${list(unknownInit)}`] : []),
      ...(incomplete.length ? [`containers with incomplete status: ${list(incomplete)}`] : []),
    ];
    out.push(msgs.length ? condition("Initialized", false, "ContainersNotInitialized", msgs.join(", ")) : condition("Initialized", true));
  }
  // ContainersReady / Ready
  let ready: PodCondition;
  if (phase === "Succeeded" || phase === "Failed") ready = condition("ContainersReady", false, phase === "Succeeded" ? "PodCompleted" : "PodFailed");
  else {
    const unknown: string[] = [];
    const unready: string[] = [];
    for (const c of [...(pod.spec?.initContainers ?? []).filter(isSidecar), ...(pod.spec?.containers ?? [])]) {
      const s = get(c.name);
      if (!s) unknown.push(c.name);
      else if (!s.ready) unready.push(c.name);
    }
    const msgs = [
      ...(unknown.length ? [`containers with unknown status: ${list(unknown)}`] : []),
      ...(unready.length ? [`containers with unready status: ${list(unready)}`] : []),
    ];
    ready = msgs.length ? condition("ContainersReady", false, "ContainersNotReady", msgs.join(", ")) : condition("ContainersReady", true);
  }
  let podReady = { ...ready, type: "Ready" } as PodCondition;
  if (ready.status === "True") {
    const gateMsgs: string[] = [];
    for (const g of pod.spec?.readinessGates ?? []) {
      const c = keptConditions.find((k) => k.type === g.conditionType);
      if (!c) gateMsgs.push(`corresponding condition of pod readiness gate "${g.conditionType}" does not exist.`);
      else if (c.status !== "True") gateMsgs.push(`the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}`);
    }
    if (gateMsgs.length) podReady = condition("Ready", false, "ReadinessGatesNotReady", gateMsgs.join(", "));
  }
  out.push(podReady, ready, condition("PodScheduled", true));
  return out;
}

/** Keeps a condition's lastTransitionTime while its status stays the same. */
function stamp(conds: PodCondition[], old: PodCondition[], now: string): PodCondition[] {
  return conds.map((c) => {
    const prev = old.find((o) => o.type === c.type);
    return { ...c, lastProbeTime: null, lastTransitionTime: prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : now } as unknown as PodCondition;
  });
}

export interface StatusOptions {
  /** The pod is being terminated (deleted, evicted, past its deadline): its phase becomes terminal. */
  terminal?: boolean;
}

export async function buildStatus(ctx: AgentContext, pod: Pod, state: PodState, obs: Observed, opts: StatusOptions = {}): Promise<PodStatus> {
  const old = pod.status ?? {};
  const specs = containerSpecs(pod);
  const hasInit = (pod.spec?.initContainers ?? []).length > 0;
  const of = (kind: ContainerSpec["kind"][]) => [...specs.values()].filter((s) => kind.includes(s.kind));
  const statusesFor = (list: ContainerSpec[]) => Promise.all(list.map((cs) => containerStatus(ctx, state, cs, obs.byName.get(cs.spec.name) ?? [], hasInit)));
  const initStatuses = await statusesFor(of(["init", "sidecar"]));
  const mainStatuses = await statusesFor(of(["regular"]));
  const ephStatuses = await statusesFor(of(["ephemeral"]));
  const all = [...mainStatuses, ...initStatuses];
  const hasInitialized = mainStatuses.some((s) => s.state?.running || s.state?.terminated || s.lastState?.terminated);
  let phase = podPhase(pod, all, opts.terminal === true, hasInitialized);
  let reason = old.reason;
  let message = old.message;
  if (state.failed) {
    phase = "Failed";
    reason = state.failed.reason;
    message = state.failed.message;
  }
  if (old.phase === "Succeeded" || old.phase === "Failed") phase = old.phase;
  if (phase !== old.phase && !state.failed) {
    reason = undefined;
    message = undefined;
  }
  const kept = (old.conditions ?? []).filter((c) => !KUBELET_CONDITIONS.has(c.type));
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const conditions = [...kept, ...stamp(kubeletConditions(pod, all, phase, obs.sandboxReady, kept), old.conditions ?? [], now)];
  const hostIPs = [{ ip: ctx.nodeIP }];
  const podIPs = pod.spec?.hostNetwork ? [ctx.nodeIP] : obs.podIPs.length ? obs.podIPs : (old.podIPs ?? []).map((p) => p.ip);
  const status: PodStatus = {
    ...old,
    phase,
    conditions,
    hostIP: ctx.nodeIP,
    hostIPs,
    startTime: old.startTime ?? now,
    qosClass: old.qosClass ?? qosClass(pod),
    containerStatuses: mainStatuses,
  } as PodStatus;
  if (podIPs.length) {
    status.podIP = podIPs[0];
    status.podIPs = podIPs.map((ip) => ({ ip }));
  }
  if (initStatuses.length) status.initContainerStatuses = initStatuses;
  else delete status.initContainerStatuses;
  if (ephStatuses.length) status.ephemeralContainerStatuses = ephStatuses;
  else delete status.ephemeralContainerStatuses;
  if (reason) status.reason = reason;
  else delete status.reason;
  if (message) status.message = message;
  else delete status.message;
  return status;
}
