/**
 * The pod manager: watches the pods bound to this node and runs one worker pass per pod at a time
 * (passes of different pods run in parallel), woken by pod changes, Docker container events, probe
 * results, backoff timers and a periodic resync. Housekeeping removes containers of pods gone from
 * the API, old exited containers (the previous instance of each container stays for
 * `logs --previous`), orphaned pod directories, and unused images under disk pressure.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { KubeObject } from "../../apiserver/api/types.ts";
import { Informer, WorkQueue, runWorkers } from "../../client/index.ts";
import { collectImages, PAUSE_REPO } from "../images/index.ts";
import { SANDBOX_NAME, watchDockerEvents, type Pod, type RuntimeContainer } from "../runtime/index.ts";
import { tearDownPodDir } from "../volumes/index.ts";
import type { AgentContext } from "./context.ts";
import { PODS } from "./pod-info.ts";
import { PodState } from "./state.ts";
import { cleanUpPod, syncPod } from "./sync.ts";

export interface ManagerTimings {
  workers: number;
  /** Every pod's worker runs at least this often. */
  resyncMs: number;
  /** Container garbage collection and orphan cleanup. */
  housekeepingMs: number;
  /** Image garbage collection. */
  imageGcMs: number;
}

/** The parts of a pod whose change needs a worker pass (status writes alone do not). */
function relevant(p: KubeObject): string {
  const pod = p as Pod;
  const m = pod.metadata ?? {};
  return JSON.stringify([pod.spec, m.deletionTimestamp, m.deletionGracePeriodSeconds, m.labels, m.annotations, pod.status?.phase]);
}

export class PodManager {
  private readonly pods = new Map<string, Pod>();
  private readonly states = new Map<string, PodState>();
  private readonly queue = new WorkQueue();
  private readonly informer: Informer;
  private readonly timers: Array<ReturnType<typeof setInterval>> = [];
  private docker?: { stop(): void };
  private workersDone?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly ctx: AgentContext,
    private readonly timings: ManagerTimings,
  ) {
    this.informer = new Informer(ctx.client, PODS, {
      fieldSelector: `spec.nodeName=${ctx.nodeName}`,
      // The kubelet keeps no managedFields either: they are most of a pod's bytes.
      // (a copy: in-process watchers may share the object).
      transform: (obj) => {
        if (!obj.metadata?.managedFields) return obj;
        const { managedFields: _dropped, ...metadata } = obj.metadata;
        return { ...obj, metadata };
      },
      onError: (err) => ctx.log.v(2).info("pod watch failed, retrying", { err: String(err) }),
    });
    this.informer.on({
      add: (obj) => this.upsert(obj),
      update: (old, obj) => {
        const changed = relevant(old) !== relevant(obj);
        this.upsert(obj, changed);
      },
      delete: (obj) => {
        const uid = obj.metadata?.uid ?? "";
        this.pods.delete(uid);
        this.queue.add(uid);
      },
    });
  }

  private upsert(obj: KubeObject, wake = true): void {
    const uid = obj.metadata?.uid ?? "";
    this.pods.set(uid, obj as Pod);
    if (wake) this.queue.add(uid);
  }

  enqueue(uid: string, afterMs = 0): void {
    if (this.stopped) return;
    if (afterMs > 0) this.queue.addAfter(uid, afterMs);
    else this.queue.add(uid);
  }

  async start(): Promise<void> {
    this.workersDone = runWorkers(this.queue, this.timings.workers, (uid) => this.reconcile(uid), (uid, err) => {
      this.ctx.log.error("pod sync failed", { pod: this.describe(uid), err: err instanceof Error ? err.message : String(err) });
    });
    this.docker = watchDockerEvents(
      this.ctx.runtime.docker,
      this.ctx.nodeName,
      {
        onContainer: (uid, action, id) => {
          // The pod network frees a dead sandbox's address and hostPorts at once.
          this.ctx.network?.containerEvent(action, id);
          this.enqueue(uid);
        },
        // Docker came back (restarted): every pod may have lost its containers.
        onReconnect: () => {
          this.ctx.log.info("docker event stream reconnected, resyncing all pods");
          for (const uid of this.pods.keys()) this.enqueue(uid);
        },
      },
      this.ctx.log,
    );
    await this.informer.start();
    await this.housekeeping();
    this.timers.push(setInterval(() => this.resync(), this.timings.resyncMs));
    this.timers.push(setInterval(() => void this.housekeeping().catch((err) => this.ctx.log.error("housekeeping failed", { err: String(err) })), this.timings.housekeepingMs));
    this.timers.push(setInterval(() => void this.imageGc(), this.timings.imageGcMs));
  }

  private describe(uid: string): string {
    const p = this.pods.get(uid);
    return p ? `${p.metadata?.namespace}/${p.metadata?.name}` : uid;
  }

  private async reconcile(uid: string): Promise<void> {
    if (this.stopped) return;
    const pod = this.pods.get(uid);
    const state = this.states.get(uid) ?? new PodState(uid);
    if (!pod) {
      await cleanUpPod(this.ctx, state, uid);
      this.states.delete(uid);
      return;
    }
    this.states.set(uid, state);
    await syncPod(this.ctx, state, pod);
  }

  private resync(): void {
    for (const uid of this.pods.keys()) this.enqueue(uid);
    this.ctx.crashBackoff.gc();
  }

  /** Orphans (containers and directories of pods not bound here any more) and container GC. */
  private async housekeeping(): Promise<void> {
    if (this.stopped || !this.informer.hasSynced) return;
    const all = await this.ctx.runtime.listAll();
    const byPod = new Map<string, RuntimeContainer[]>();
    for (const c of all) (byPod.get(c.podUid) ?? byPod.set(c.podUid, []).get(c.podUid)!).push(c);
    for (const [uid, list] of byPod) {
      if (!this.pods.has(uid)) this.enqueue(uid);
      else await this.collectContainers(list);
    }
    const podsDir = join(this.ctx.dataDir, "pods");
    if (existsSync(podsDir)) {
      for (const uid of readdirSync(podsDir)) if (!this.pods.has(uid) && !byPod.has(uid)) tearDownPodDir(join(podsDir, uid));
    }
  }

  /** Keeps, per container name, the newest instance and the one before it; old sandboxes go. */
  private async collectContainers(list: RuntimeContainer[]): Promise<void> {
    const byName = new Map<string, RuntimeContainer[]>();
    for (const c of list) (byName.get(c.name) ?? byName.set(c.name, []).get(c.name)!).push(c);
    for (const [name, instances] of byName) {
      instances.sort((a, b) => b.attempt - a.attempt || b.created - a.created);
      const keep = name === SANDBOX_NAME ? 1 : 2;
      for (const c of instances.slice(keep)) if (c.state !== "running") await this.ctx.runtime.remove(c.id);
    }
  }

  private async imageGc(): Promise<void> {
    try {
      const pause = await this.ctx.runtime.docker.listImages({ filters: { reference: [`${PAUSE_REPO}`] } });
      await collectImages(this.ctx.runtime.docker, { keep: () => new Set(pause.map((i) => i.Id)), lastUsed: this.ctx.puller.lastUsed }, this.ctx.log);
    } catch (err) {
      this.ctx.log.v(2).info("image garbage collection failed", { err: String(err) });
    }
  }

  /** Stops watching and working; containers keep running (a new manager adopts them). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.informer.stop();
    this.docker?.stop();
    this.queue.shutdown();
    for (const s of this.states.values()) s.stopProbes();
    // Passes under way finish (bounded: a long graceful kill is not waited for).
    await Promise.race([this.workersDone, Bun.sleep(5000)]);
    for (const s of this.states.values()) s.stopProbes();
    await Promise.race([this.ctx.recorder.flush(), Bun.sleep(2000)]);
  }
}
