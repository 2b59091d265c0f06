/**
 * Starting one container of a pod, as the kubelet's startContainer: image (by pull policy), then
 * configuration (environment, mounts, security), create, start, probes, postStart hook. Each
 * failure leaves the container waiting with upstream's reason (ErrImagePull, ImagePullBackOff,
 * CreateContainerConfigError, CreateContainerError, RunContainerError, PostStartHookError) and an
 * event, and wakes the worker again later. Restarts of exited containers obey CrashLoopBackOff.
 */
import { goDuration, podDesc, type Container, type ContainerDetails, type ContainerKind, type Pod, type Secret } from "../runtime/index.ts";
import { ImageError, type PullPolicy } from "../images/index.ts";
import { ContainerProbes } from "../probes/index.ts";
import type { MountedVolume } from "../volumes/index.ts";
import { containerOptions } from "./container-config.ts";
import type { AgentContext } from "./context.ts";
import { ConfigError, containerEnv } from "./env.ts";
import { killContainer, probeTarget, runLifecycleHandler } from "./lifecycle.ts";
import { fieldPath, specHash } from "./pod-info.ts";
import type { PodState } from "./state.ts";

/** How long a configuration error (missing Secret, …) waits before the next try. */
const CONFIG_RETRY_MS = 2000;
/** postStart hooks have no timeout upstream; a hung one must not hold the worker forever. */
const POST_START_TIMEOUT_MS = 120_000;

export interface PodRun {
  ctx: AgentContext;
  pod: Pod;
  state: PodState;
  sandboxId: string;
  podIPs: string[];
  hostsFile: string;
  resolvFile?: string;
  volumes: Map<string, MountedVolume>;
}

export type StartResult = "started" | "waiting";

const SECRETS = { group: "", version: "v1", resource: "secrets" };

async function pullSecrets(run: PodRun): Promise<Secret[]> {
  const out: Secret[] = [];
  for (const ref of run.pod.spec?.imagePullSecrets ?? []) {
    if (!ref.name) continue;
    try {
      out.push((await run.ctx.client.get(SECRETS, run.pod.metadata?.namespace ?? "", ref.name)) as unknown as Secret);
    } catch {
      // a missing pull secret: the pull reports its own error
    }
  }
  return out;
}

function waitFor(run: PodRun, c: Container, kind: ContainerKind, reason: string, message: string, retryMs: number): StartResult {
  run.state.waiting.set(c.name, { reason, message });
  run.ctx.recorder.record(run.pod, fieldPath(kind, c.name), "Warning", "Failed", `Error: ${reason === "CreateContainerConfigError" || reason === "CreateContainerError" || reason === "RunContainerError" ? message : reason}`);
  run.ctx.enqueue(run.pod.metadata?.uid ?? "", retryMs);
  return "waiting";
}

/** Creates and starts a container (attempt `attempt`); never throws for the container's own faults. */
export async function startContainer(run: PodRun, c: Container, kind: ContainerKind, attempt: number, pidTargetId?: string): Promise<StartResult> {
  const { ctx, pod, state } = run;
  const uid = pod.metadata?.uid ?? "";
  const fp = fieldPath(kind, c.name);
  let imageUser = "";
  try {
    const secrets = pod.spec?.imagePullSecrets?.length ? await pullSecrets(run) : [];
    const info = await ctx.puller.ensure(c.image ?? "", (c.imagePullPolicy ?? "IfNotPresent") as PullPolicy, uid, secrets, (e) => ctx.recorder.record(pod, fp, e.type, e.reason, e.message));
    imageUser = info.user;
  } catch (err) {
    if (!(err instanceof ImageError)) throw err;
    const retry = err.reason === "ErrImageNeverPull" || err.reason === "InvalidImageName" ? CONFIG_RETRY_MS : Math.max(100, ctx.puller.backoffRemaining(uid, c.image ?? ""));
    return waitFor(run, c, kind, err.reason, err.message, retry);
  }
  let id: string;
  try {
    const env = await containerEnv({ client: ctx.client, pod, ips: { podIPs: run.podIPs, hostIPs: [ctx.nodeIP] }, node: ctx.node, services: ctx.services }, c);
    const opts = containerOptions(ctx, { pod, spec: c, kind, attempt, sandboxId: run.sandboxId, imageUser, env, volumes: run.volumes, hostsFile: run.hostsFile, resolvFile: run.resolvFile, pidTargetId });
    try {
      id = await ctx.runtime.create(opts);
    } catch (err) {
      return waitFor(run, c, kind, "CreateContainerError", dockerMessage(err), CONFIG_RETRY_MS);
    }
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return waitFor(run, c, kind, "CreateContainerConfigError", err.message, CONFIG_RETRY_MS);
  }
  ctx.recorder.record(pod, fp, "Normal", "Created", `Created container: ${c.name}`);
  try {
    await ctx.runtime.start(id);
  } catch (err) {
    // The failed container stays (Docker marks it with the error); its restart backs off.
    state.waiting.set(c.name, { reason: "RunContainerError", message: dockerMessage(err) });
    ctx.recorder.record(pod, fp, "Warning", "Failed", `Error: ${dockerMessage(err)}`);
    ctx.enqueue(uid, 0);
    return "waiting";
  }
  ctx.recorder.record(pod, fp, "Normal", "Started", `Started container ${c.name}`);
  state.waiting.delete(c.name);
  const podIP = run.podIPs[0] ?? ctx.nodeIP;
  attachProbes(run, id, c, kind, Date.now());
  const postStart = c.lifecycle?.postStart;
  if (postStart) {
    const err = await runLifecycleHandler(ctx, postStart, probeTarget(ctx, id, c, podIP), POST_START_TIMEOUT_MS);
    if (err) {
      ctx.log.v(2).info("postStart hook failed", { pod: pod.metadata?.name, container: c.name, err });
      ctx.recorder.record(pod, fp, "Warning", "FailedPostStartHook", "PostStartHook failed");
      const inst = { id, name: c.name, attempt, labels: {} } as unknown as ContainerDetails;
      await killContainer(ctx, state, { pod, container: inst, graceSeconds: pod.spec?.terminationGracePeriodSeconds ?? 30, message: "FailedPostStartHook", podIP });
      state.waiting.set(c.name, { reason: "PostStartHookError", message: err });
      return "waiting";
    }
  }
  return "started";
}

/** Starts the probe workers of a running main or sidecar container (none for others). */
export function attachProbes(run: PodRun, id: string, c: Container, kind: ContainerKind, startedAtMs: number): void {
  const { ctx, pod, state } = run;
  if (kind !== "regular" && kind !== "sidecar") return;
  if (!c.livenessProbe && !c.readinessProbe && !c.startupProbe) return;
  const fp = fieldPath(kind, c.name);
  const uid = pod.metadata?.uid ?? "";
  const hooks = { changed: () => ctx.enqueue(uid), event: (type: "Normal" | "Warning", reason: string, msg: string) => ctx.recorder.record(pod, fp, type, reason, msg) };
  state.probes.set(id, new ContainerProbes(id, startedAtMs, probeTarget(ctx, id, c, run.podIPs[0] ?? ctx.nodeIP), hooks, c));
}

function dockerMessage(err: unknown): string {
  const e = err as { json?: { message?: string }; message?: string };
  return e.json?.message ?? (e.message ?? String(err)).replace(/^\(HTTP code \d+\) [\w ]+ - /, "").trim();
}

/** The crash-loop key of a container: pod, name and spec (a changed spec starts afresh). */
export function crashKey(pod: Pod, c: Container): string {
  return `${pod.metadata?.uid}/${c.name}/${specHash(c)}`;
}

/**
 * Restarts an exited container unless it is inside its CrashLoopBackOff delay; then it waits
 * (reason CrashLoopBackOff, a BackOff event) and its worker wakes when the delay ends.
 */
export async function restartContainer(run: PodRun, c: Container, kind: ContainerKind, last: ContainerDetails | undefined, attempt: number): Promise<StartResult> {
  const { ctx, pod } = run;
  if (last && last.state !== "running") {
    const key = crashKey(pod, c);
    const finished = Date.parse(last.finishedAt) || Date.now();
    if (ctx.crashBackoff.inBackoffSince(key, finished)) {
      const delay = ctx.crashBackoff.get(key);
      run.state.waiting.set(c.name, { reason: "CrashLoopBackOff", message: `back-off ${goDuration(delay)} restarting failed container=${c.name} pod=${podDesc(pod)}` });
      ctx.recorder.record(pod, fieldPath(kind, c.name), "Warning", "BackOff", `Back-off restarting failed container ${c.name} in pod ${podDesc(pod)}`);
      ctx.enqueue(pod.metadata?.uid ?? "", Math.max(10, finished + delay - Date.now()));
      return "waiting";
    }
    ctx.crashBackoff.next(key, finished);
  }
  return startContainer(run, c, kind, attempt);
}
