/**
 * Stopping containers the kubelet's way: a Killing event, the preStop hook within the grace
 * period, then the stop signal and SIGKILL when the rest of the grace period runs out (never less
 * than 2 s); postStart hooks, whose failure kills the container. Pods stop their main containers
 * together first, then their sidecars in reverse order.
 */
import type { Container, LifecycleHandler, Pod, RuntimeContainer } from "../runtime/index.ts";
import { runHandler, type ProbeTarget } from "../probes/index.ts";
import type { AgentContext } from "./context.ts";
import { containerSpecs, fieldPath } from "./pod-info.ts";
import type { PodState } from "./state.ts";

const MIN_GRACE_SECONDS = 2;

/** Runs a lifecycle handler (exec, httpGet, tcpSocket, sleep); returns an error message or undefined. */
export async function runLifecycleHandler(ctx: AgentContext, handler: LifecycleHandler, target: ProbeTarget, timeoutMs: number): Promise<string | undefined> {
  if (handler.sleep) {
    await Bun.sleep(Math.min(timeoutMs, handler.sleep.seconds * 1000));
    return undefined;
  }
  const r = await runHandler(handler, target, timeoutMs).catch((err: Error) => ({ ok: false, output: err.message }));
  if (r.ok) return undefined;
  if (handler.exec) return `Exec lifecycle hook (${JSON.stringify(handler.exec.command ?? [])}) for Container "${target.container.name}" failed - error: command exited, message: ${JSON.stringify(r.output)}`;
  if (handler.httpGet) return `HTTP lifecycle hook (${handler.httpGet.path ?? "/"}) for Container "${target.container.name}" failed - error: ${r.output}`;
  return r.output;
}

export function probeTarget(ctx: AgentContext, containerId: string, spec: Container, podIP: string): ProbeTarget {
  return { podIP, container: spec, exec: (cmd, timeoutMs) => ctx.runtime.exec(containerId, cmd, timeoutMs) };
}

export interface KillRequest {
  pod: Pod | undefined;
  container: RuntimeContainer;
  graceSeconds: number;
  /** The Killing event's message; "Stopping container <name>" when omitted. */
  message?: string;
  podIP: string;
}

/** Stops one container gracefully; returns once it has exited. */
export async function killContainer(ctx: AgentContext, state: PodState | undefined, req: KillRequest): Promise<void> {
  const { pod, container } = req;
  const spec = pod ? containerSpecs(pod).get(container.name) : undefined;
  let grace = req.graceSeconds;
  if (pod && spec) ctx.recorder.record(pod, fieldPath(spec.kind, container.name), "Normal", "Killing", req.message ?? `Stopping container ${container.name}`);
  const preStop = spec?.spec.lifecycle?.preStop;
  if (pod && spec && preStop && grace > 0) {
    const started = Date.now();
    const err = await runLifecycleHandler(ctx, preStop, probeTarget(ctx, container.id, spec.spec, req.podIP), grace * 1000);
    if (err) {
      ctx.log.v(2).info("preStop hook failed", { pod: pod.metadata?.name, container: container.name, err });
      ctx.recorder.record(pod, fieldPath(spec.kind, container.name), "Warning", "FailedPreStopHook", "PreStopHook failed");
    }
    grace -= Math.floor((Date.now() - started) / 1000);
  }
  state?.probes.get(container.id)?.stop();
  state?.probes.delete(container.id);
  await ctx.runtime.stop(container.id, Math.max(MIN_GRACE_SECONDS, grace));
}

/**
 * Stops every running app container of a pod: main (and ephemeral) containers in parallel, then
 * sidecars one by one in reverse order with what is left of the grace period.
 */
export async function killPodContainers(ctx: AgentContext, state: PodState | undefined, pod: Pod | undefined, running: RuntimeContainer[], graceSeconds: number, podIP: string): Promise<void> {
  const started = Date.now();
  const sidecarOrder = (pod?.spec?.initContainers ?? []).filter((c) => c.restartPolicy === "Always").map((c) => c.name);
  const sidecars = running.filter((c) => sidecarOrder.includes(c.name)).sort((a, b) => sidecarOrder.indexOf(b.name) - sidecarOrder.indexOf(a.name));
  const others = running.filter((c) => !sidecarOrder.includes(c.name));
  const graceOf = (c: RuntimeContainer) => (pod ? graceSeconds : Number(c.labels["io.kubernetes.pod.terminationGracePeriod"] ?? graceSeconds));
  await Promise.all(others.map((c) => killContainer(ctx, state, { pod, container: c, graceSeconds: graceOf(c), podIP })));
  for (const c of sidecars) {
    const left = graceOf(c) - Math.floor((Date.now() - started) / 1000);
    await killContainer(ctx, state, { pod, container: c, graceSeconds: Math.max(0, left), podIP });
  }
}

/** Latest instance per container name among `all` (highest attempt). */
export function latestByName(all: RuntimeContainer[]): Map<string, RuntimeContainer> {
  const out = new Map<string, RuntimeContainer>();
  for (const c of all) {
    const cur = out.get(c.name);
    if (!cur || c.attempt > cur.attempt || (c.attempt === cur.attempt && c.created > cur.created)) out.set(c.name, c);
  }
  return out;
}
