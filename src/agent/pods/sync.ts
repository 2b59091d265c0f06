/**
 * One pass of a pod worker (the kubelet's SyncPod / SyncTerminatingPod), level-triggered: it reads
 * the pod from the API cache and its containers from Docker, moves them one step towards the spec,
 * and writes the resulting status. Passes for one pod never overlap; any event (pod change,
 * container exit, probe result, backoff timer) just runs another pass.
 *
 * Order: a deleted or finished pod is stopped (and a deleted one's API object removed); otherwise
 * the sandbox exists (recreated with all containers when it died), volumes are set up, init
 * containers run one at a time (sidecars started in order and kept running), then the main
 * containers start together and restart by the restart policy with CrashLoopBackOff, failed
 * liveness/startup probes restart them, and ephemeral containers run once.
 */
import { LABEL_SANDBOX, SANDBOX_NAME, type Container, type ContainerDetails, type Pod, type PodStatus, type RuntimeContainer } from "../runtime/index.ts";
import { emptyDirsOverLimit, setUpPodVolumes, tearDownPodDir, VolumeError } from "../volumes/index.ts";
import { podDir, type AgentContext } from "./context.ts";
import { killContainer, killPodContainers, latestByName } from "./lifecycle.ts";
import { PODS, containerSpecs, gracePeriod, isSidecar, specHash } from "./pod-info.ts";
import { createSandbox, writeHostsFile, writeResolvConf } from "./sandbox.ts";
import { attachProbes, restartContainer, startContainer, type PodRun } from "./start.ts";
import type { PodState } from "./state.ts";
import { buildStatus, type Observed } from "./status.ts";

const MOUNT_RETRY_MS = 2000;

async function observe(ctx: AgentContext, uid: string): Promise<{ all: RuntimeContainer[]; details: Map<string, ContainerDetails> }> {
  const all = await ctx.runtime.listPod(uid);
  const details = new Map<string, ContainerDetails>();
  await Promise.all(
    all.map(async (c) => {
      const d = await ctx.runtime.inspect(c);
      if (d) details.set(c.id, d);
    }),
  );
  return { all: all.filter((c) => details.has(c.id)), details };
}

function newestFirst(list: ContainerDetails[]): ContainerDetails[] {
  return list.sort((a, b) => b.attempt - a.attempt || b.created - a.created);
}

/** Groups app containers by name, newest first, and finds the current sandbox. */
function toObserved(pod: Pod, details: Map<string, ContainerDetails>): Observed & { sandbox?: ContainerDetails } {
  const byName = new Map<string, ContainerDetails[]>();
  const sandboxes: ContainerDetails[] = [];
  for (const d of details.values()) {
    if (d.name === SANDBOX_NAME) sandboxes.push(d);
    else (byName.get(d.name) ?? byName.set(d.name, []).get(d.name)!).push(d);
  }
  for (const list of byName.values()) newestFirst(list);
  const sandbox = newestFirst(sandboxes)[0];
  const ready = sandbox?.state === "running";
  const podIPs = pod.spec?.hostNetwork ? [] : ready && sandbox?.ip ? [sandbox.ip] : [];
  return { byName, sandboxReady: ready, podIPs, sandbox };
}

/** Writes the status when it changed, guarded by the pod's uid (a recreated pod is not touched). */
async function writeStatus(ctx: AgentContext, pod: Pod, state: PodState, status: PodStatus): Promise<void> {
  const json = JSON.stringify(status);
  if (json === state.lastStatus || json === JSON.stringify(pod.status)) {
    state.lastStatus = json;
    return;
  }
  await ctx.client.patch(
    PODS,
    pod.metadata?.namespace ?? "",
    pod.metadata?.name ?? "",
    "application/json-patch+json",
    [
      { op: "test", path: "/metadata/uid", value: pod.metadata?.uid },
      { op: "replace", path: "/status", value: status },
    ],
    { subresource: "status" },
  );
  state.lastStatus = json;
}

async function report(ctx: AgentContext, pod: Pod, state: PodState, terminal = false): Promise<Observed> {
  const { details } = await observe(ctx, pod.metadata?.uid ?? "");
  const obs = toObserved(pod, details);
  await writeStatus(ctx, pod, state, await buildStatus(ctx, pod, state, obs, { terminal }));
  return obs;
}

/** Removes every container of a pod that is gone from the API, and its data directory. */
export async function cleanUpPod(ctx: AgentContext, state: PodState | undefined, uid: string): Promise<void> {
  const all = await ctx.runtime.listPod(uid);
  const running = all.filter((c) => c.state === "running" && c.name !== SANDBOX_NAME);
  await killPodContainers(ctx, state, undefined, running, 30, "");
  for (const c of all) await ctx.runtime.remove(c.id);
  state?.stopProbes();
  tearDownPodDir(podDir(ctx, uid));
  ctx.recorder.forget(uid);
}

/** Stops a pod's containers and sandbox (deletion, completion, eviction); keeps them for logs. */
async function stopPod(ctx: AgentContext, state: PodState, pod: Pod, graceSeconds: number): Promise<void> {
  const all = await ctx.runtime.listPod(pod.metadata?.uid ?? "");
  const running = all.filter((c) => c.state === "running" && c.name !== SANDBOX_NAME);
  const podIP = pod.status?.podIP ?? "";
  await killPodContainers(ctx, state, pod, running, graceSeconds, podIP);
  for (const sb of all.filter((c) => c.name === SANDBOX_NAME && c.state === "running")) await ctx.runtime.stop(sb.id, 2);
  state.stopProbes();
}

async function syncTerminating(ctx: AgentContext, state: PodState, pod: Pod): Promise<void> {
  await stopPod(ctx, state, pod, gracePeriod(pod));
  await report(ctx, pod, state, true);
  try {
    await ctx.client.delete(PODS, pod.metadata?.namespace ?? "", pod.metadata?.name ?? "", { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata?.uid } });
  } catch (err) {
    const code = (err as { code?: number }).code;
    if (code !== 404 && code !== 409) throw err;
  }
}

/** Fails the pod on its active deadline or an emptyDir over its sizeLimit (eviction). */
function checkLimits(ctx: AgentContext, state: PodState, pod: Pod): void {
  if (state.failed) return;
  const ads = pod.spec?.activeDeadlineSeconds;
  const start = Date.parse(pod.status?.startTime ?? "");
  if (ads !== undefined && start) {
    const left = start + ads * 1000 - Date.now();
    if (left <= 0) {
      state.failed = { reason: "DeadlineExceeded", message: "Pod was active on the node longer than the specified deadline" };
      ctx.recorder.record(pod, undefined, "Normal", "DeadlineExceeded", state.failed.message);
      return;
    }
    ctx.enqueue(pod.metadata?.uid ?? "", left + 10);
  }
  if (state.volumes) {
    const over = emptyDirsOverLimit(state.volumes, pod.spec?.volumes ?? []);
    if (over.length) {
      const v = over[0]!;
      state.failed = { reason: "Evicted", message: `Usage of EmptyDir volume "${v.name}" exceeds the limit "${v.limit}". ` };
      ctx.recorder.record(pod, undefined, "Warning", "Evicted", state.failed.message);
    }
  }
}

/**
 * Makes sure a running sandbox exists; returns its id, undefined when it could not be made (the
 * worker retries), or "stop" when the pod must not run again.
 */
async function ensureSandbox(ctx: AgentContext, state: PodState, pod: Pod, obs: ReturnType<typeof toObserved>, all: RuntimeContainer[]): Promise<string | undefined | "stop"> {
  const sb = obs.sandbox;
  if (sb?.state === "running") return sb.id;
  const apps = all.filter((c) => c.name !== SANDBOX_NAME);
  if (sb) {
    // A pod that never restarts does not get a new sandbox once its containers ran.
    if (pod.spec?.restartPolicy === "Never" && apps.length > 0) return "stop";
    ctx.recorder.record(pod, undefined, "Normal", "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.");
    await killPodContainers(ctx, state, pod, apps.filter((c) => c.state === "running"), gracePeriod(pod), "");
    state.stopProbes();
  }
  try {
    return await createSandbox(ctx, pod, sb ? sb.attempt + 1 : 0);
  } catch (err) {
    const msg = (err as { json?: { message?: string } }).json?.message ?? String(err);
    ctx.recorder.record(pod, undefined, "Warning", "FailedCreatePodSandBox", `Failed to create pod sandbox: ${msg}`);
    ctx.enqueue(pod.metadata?.uid ?? "", MOUNT_RETRY_MS);
    return undefined;
  }
}

const shouldRestart = (policy: string | undefined, exitCode: number) => policy === "Always" || policy === undefined || (policy === "OnFailure" && exitCode !== 0);

/** The kill a running container needs (changed spec, failed liveness/startup probe), if any. */
function killReason(state: PodState, pod: Pod, inst: ContainerDetails, spec: { spec: Container }): { message: string; grace: number } | undefined {
  const grace = pod.spec?.terminationGracePeriodSeconds ?? 30;
  if (inst.hash && inst.hash !== specHash(spec.spec)) return { message: `Container ${inst.name} definition changed, will be restarted`, grace };
  const failure = state.probes.get(inst.id)?.failure;
  if (failure) return { message: `Container ${inst.name} failed ${failure.kind} probe, will be restarted`, grace: failure.probe.terminationGracePeriodSeconds ?? grace };
  return undefined;
}

export async function syncPod(ctx: AgentContext, state: PodState, pod: Pod): Promise<void> {
  const uid = pod.metadata?.uid ?? "";
  if (pod.metadata?.deletionTimestamp) return syncTerminating(ctx, state, pod);
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed") {
    await stopPod(ctx, state, pod, gracePeriod(pod));
    await report(ctx, pod, state, true);
    return;
  }
  checkLimits(ctx, state, pod);
  if (state.failed) {
    await stopPod(ctx, state, pod, gracePeriod(pod));
    await report(ctx, pod, state, true);
    return;
  }

  const first = await observe(ctx, uid);
  const all = first.all;
  let details = first.details;
  let obs = toObserved(pod, details);
  const sandboxId = await ensureSandbox(ctx, state, pod, obs, all);
  if (sandboxId === "stop") {
    await stopPod(ctx, state, pod, gracePeriod(pod));
    await report(ctx, pod, state, true);
    return;
  }
  if (!sandboxId) {
    await report(ctx, pod, state);
    return;
  }
  if (sandboxId !== obs.sandbox?.id) {
    ({ details } = await observe(ctx, uid));
    obs = toObserved(pod, details);
  }
  const sandbox = obs.sandbox;
  if (sandbox?.id !== sandboxId) throw new Error(`the sandbox of pod ${pod.metadata?.name} vanished`);
  const podIPs = pod.spec?.hostNetwork ? [ctx.nodeIP] : sandbox.ip ? [sandbox.ip] : [];
  const hostsFile = writeHostsFile(ctx, pod, podIPs);
  const resolvFile = writeResolvConf(ctx, pod);

  // Volumes: set up before the first container, refreshed on resyncs (ConfigMap/Secret changes).
  if (!state.volumes || Date.now() - state.volumesAt >= ctx.volumeResyncMs) {
    try {
      state.volumes = await setUpPodVolumes({ client: ctx.client, pod, podDir: podDir(ctx, uid), ips: { podIPs, hostIPs: [ctx.nodeIP] }, node: ctx.node, requestToken: ctx.requestToken });
      state.volumesAt = Date.now();
    } catch (err) {
      if (!(err instanceof VolumeError)) throw err;
      ctx.recorder.record(pod, undefined, "Warning", "FailedMount", err.message);
      if (!state.volumes) {
        ctx.enqueue(uid, MOUNT_RETRY_MS);
        await report(ctx, pod, state);
        return;
      }
    }
  }
  const run: PodRun = { ctx, pod, state, sandboxId: sandbox.id, podIPs, hostsFile, resolvFile, volumes: state.volumes! };
  const specs = containerSpecs(pod);
  const inSandbox = (c: ContainerDetails) => c.labels[LABEL_SANDBOX] === sandbox.id;
  const latestAll = new Map<string, ContainerDetails>();
  const latestCurrent = new Map<string, ContainerDetails>();
  for (const [name, list] of obs.byName) {
    latestAll.set(name, list[0]!);
    const cur = list.find(inSandbox);
    if (cur) latestCurrent.set(name, cur);
  }
  const nextAttempt = (name: string) => (latestAll.has(name) ? latestAll.get(name)!.attempt + 1 : 0);
  // Probe workers follow the running containers (adopted ones get theirs here).
  state.stopProbes(new Set([...latestCurrent.values()].filter((c) => c.state === "running").map((c) => c.id)));
  for (const inst of latestCurrent.values()) {
    const spec = specs.get(inst.name);
    if (inst.state === "running" && spec && !state.probes.has(inst.id)) attachProbes(run, inst.id, spec.spec, spec.kind, Date.parse(inst.startedAt) || Date.now());
  }

  /** Restarts a running container that must be (changed spec, failed probe); returns whether it still runs. */
  const checkRunning = async (inst: ContainerDetails): Promise<boolean> => {
    const spec = specs.get(inst.name)!;
    const why = killReason(state, pod, inst, spec);
    if (!why) return true;
    await killContainer(ctx, state, { pod, container: inst, graceSeconds: why.grace, message: why.message, podIP: podIPs[0] ?? "" });
    const after = await ctx.runtime.inspect({ ...inst, state: "exited" });
    if (after) latestCurrent.set(inst.name, after);
    return false;
  };

  // Init containers, in order. Once a main container ran, regular init containers are done.
  const podInitialized = (pod.spec?.containers ?? []).some((c) => latestCurrent.has(c.name));
  let initDone = true;
  let initFailed = false;
  for (const c of pod.spec?.initContainers ?? []) {
    const inst = latestCurrent.get(c.name);
    if (isSidecar(c)) {
      if (inst?.state === "running" && (await checkRunning(inst))) {
        const probes = state.probes.get(inst.id);
        if (probes && !probes.started && !podInitialized) {
          initDone = false;
          break;
        }
        continue;
      }
      const r = await restartContainer(run, c, "sidecar", latestAll.get(c.name), nextAttempt(c.name));
      if ((r !== "started" || c.startupProbe) && !podInitialized) {
        initDone = false;
        break;
      }
      continue;
    }
    if (podInitialized) continue;
    if (!inst) {
      await restartContainer(run, c, "init", latestAll.get(c.name), nextAttempt(c.name));
      initDone = false;
      break;
    }
    if (inst.state === "running") {
      initDone = false;
      break;
    }
    if (inst.exitCode === 0 && !inst.error && inst.state === "exited") continue;
    initDone = false;
    if (pod.spec?.restartPolicy === "Never") {
      initFailed = true;
      break;
    }
    await restartContainer(run, c, "init", inst, nextAttempt(c.name));
    break;
  }

  // Main containers, together.
  let mainsFinished = false;
  if (initDone && !initFailed) {
    const policy = pod.spec?.restartPolicy;
    const results = await Promise.all(
      (pod.spec?.containers ?? []).map(async (c) => {
        let inst = latestCurrent.get(c.name);
        if (inst?.state === "running") {
          if (await checkRunning(inst)) return "running";
          inst = latestCurrent.get(c.name);
        }
        if (inst && inst.state === "created" && !inst.error) {
          await ctx.runtime.remove(inst.id);
          inst = undefined;
        }
        if (inst && !shouldRestart(policy, inst.exitCode)) return "done";
        const last = inst ?? latestAll.get(c.name);
        await restartContainer(run, c, "regular", last, nextAttempt(c.name));
        return "restarting";
      }),
    );
    mainsFinished = results.length > 0 && results.every((r) => r === "done");
  }

  // Ephemeral containers run once and are never restarted.
  for (const c of pod.spec?.ephemeralContainers ?? []) {
    if (latestAll.has(c.name)) continue;
    const target = c.targetContainerName ? latestCurrent.get(c.targetContainerName) : undefined;
    await startContainer(run, c as Container, "ephemeral", 0, target?.state === "running" ? target.id : undefined);
  }

  // A pod whose containers are all done for good stops its sidecars and sandbox: it is finished.
  if (mainsFinished || initFailed) {
    await stopPod(ctx, state, pod, gracePeriod(pod));
    await report(ctx, pod, state, true);
    return;
  }
  await report(ctx, pod, state);
}

