/**
 * The agent's pod work (the kubelet's pods, on Docker Engine): `startPodManager` watches the pods
 * bound to the node and runs them as Docker containers (a pause sandbox per pod, init containers,
 * sidecars, main containers, probes, volumes, hooks, graceful termination), writes their status
 * through pods/status and records events. At start it loads airgap images from
 * `<dataDir>/images` and builds the pause image locally. When Docker Engine is not reachable it
 * logs the error and keeps retrying; `ready` resolves once pods are being run.
 */
import type { DockerApi } from "../runtime/engine.ts";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import type { Client } from "../../client/index.ts";
import type { Logger } from "../../log/index.ts";
import { diskUsage, ensureKtsImage, ensurePauseImage, importAirgapImages, ImagePuller, ktsImageRef } from "../images/index.ts";
import { Backoff, Runtime } from "../runtime/index.ts";
import type { TokenRequester } from "../volumes/index.ts";
import type { SandboxNetwork } from "../network/index.ts";
import type { AgentContext } from "./context.ts";
import { EventRecorder } from "./events.ts";
import { PodManager as Manager } from "./manager.ts";
import { canLowerOomScore } from "./resources.ts";
import { ServiceEnv } from "./service-env.ts";

export interface PodManagerOptions {
  /** src/client Client (the HTTPS client as system:node:<name> in production; LocalClient in tests). */
  client: Client;
  nodeName: string;
  nodeIP: string;
  docker: DockerApi;
  /** The agent's dir: volumes under <dataDir>/pods/<uid>/volumes, airgap images in <dataDir>/images. */
  dataDir: string;
  log: Logger;
  /** Extra labels on every container the agent makes (tests: `kts.test=<run id>`). */
  containerLabels?: Record<string, string>;
  /** CrashLoopBackOff and image pull backoff: first delay and cap (upstream: 10 s and 5 min). */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Parallel pod workers (default 16). */
  workers?: number;
  /** Every pod is synced at least this often (default 10 s). */
  resyncMs?: number;
  /** Mounted ConfigMaps/Secrets/downward API files are refreshed this often (default 30 s). */
  volumeResyncMs?: number;
  housekeepingMs?: number;
  /** Cluster DNS for dnsPolicy ClusterFirst (none yet: pods use the node's resolver). */
  clusterDNS?: string[];
  clusterDomain?: string;
  /** Service account tokens for projected volumes, once the API serves TokenRequest. */
  requestToken?: TokenRequester;
  /** The node's pod network (src/agent/network); without it sandboxes join Docker's default bridge. */
  network?: SandboxNetwork;
}

export interface PodManager {
  stop(): Promise<void>;
  /** Resolves once Docker answered, images are ready and pods are being watched. */
  readonly ready: Promise<void>;
}

const RETRY_DOCKER_MS = 5000;

async function setUp(opts: PodManagerOptions, log: Logger): Promise<AgentContext & { manager?: Manager }> {
  await opts.docker.ping();
  await importAirgapImages(opts.docker, join(opts.dataDir, "images"), log.child("images"));
  const pauseImage = await ensurePauseImage(opts.docker, log.child("images"));
  // The image packaged components run (kts dns); pods that need it wait for it like any image.
  await ensureKtsImage(opts.docker, log.child("images")).catch((err) => log.error("the kts image could not be built", { err: String(err) }));
  const initialMs = opts.backoff?.initialMs ?? 10_000;
  const maxMs = opts.backoff?.maxMs ?? 300_000;
  const disk = diskUsage(opts.dataDir);
  const ctx: AgentContext = {
    client: opts.client,
    nodeName: opts.nodeName,
    nodeIP: opts.nodeIP,
    dataDir: opts.dataDir,
    runtime: new Runtime(opts.docker, opts.nodeName),
    puller: new ImagePuller(opts.docker, {
      backoffInitialMs: initialMs,
      backoffMaxMs: maxMs,
      // From sources the kts image waits for its first user (a compiled kts made it above).
      makeLocal: async (image) =>
        image === ktsImageRef() &&
        (await ensureKtsImage(opts.docker, log.child("images"), { buildDir: join(opts.dataDir, "kts-build") }).catch((err) => {
          log.error("the kts image could not be built", { err: String(err) });
          return undefined;
        })) !== undefined,
    }),
    recorder: new EventRecorder(opts.client, opts.nodeName, log),
    services: new ServiceEnv(opts.client),
    log,
    pauseImage,
    labels: opts.containerLabels ?? {},
    crashBackoff: new Backoff(initialMs, maxMs),
    node: { cpuMilli: cpus().length * 1000, memoryBytes: totalmem(), ephemeralStorageBytes: disk?.capacity ?? 0 },
    negativeOom: canLowerOomScore(),
    dns: { clusterDNS: opts.clusterDNS ?? [], clusterDomain: opts.clusterDomain ?? "cluster.local" },
    volumeResyncMs: opts.volumeResyncMs ?? 30_000,
    requestToken: opts.requestToken,
    network: opts.network,
    enqueue: () => {},
  };
  return ctx;
}

export async function startPodManager(opts: PodManagerOptions): Promise<PodManager> {
  const log = opts.log;
  let manager: Manager | undefined;
  let stopped = false;
  const wake = new AbortController();
  const run = async () => {
    for (;;) {
      try {
        const ctx = await setUp(opts, log);
        if (stopped) return;
        manager = new Manager(ctx, {
          workers: opts.workers ?? 16,
          resyncMs: opts.resyncMs ?? 10_000,
          housekeepingMs: opts.housekeepingMs ?? 30_000,
          imageGcMs: 5 * 60_000,
        });
        ctx.enqueue = (uid, afterMs) => manager!.enqueue(uid, afterMs);
        await manager.start();
        log.info("pod manager running", { node: opts.nodeName, pauseImage: ctx.pauseImage });
        return;
      } catch (err) {
        if (stopped) return;
        log.error("pod manager cannot start, retrying", { err: err instanceof Error ? err.message : String(err), retryInMs: RETRY_DOCKER_MS });
        await manager?.stop().catch(() => {});
        manager = undefined;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, RETRY_DOCKER_MS);
          wake.signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
        });
      }
    }
  };
  const ready = run();
  // Docker answering means the first set-up is worth waiting for; otherwise retries go on in the background.
  const reachable = await opts.docker.ping().then(
    () => true,
    () => false,
  );
  if (reachable) await ready;
  return {
    ready,
    async stop() {
      stopped = true;
      wake.abort();
      await manager?.stop();
    },
  };
}
