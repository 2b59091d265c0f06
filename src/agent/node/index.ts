/**
 * Being a node: register the Node, keep its status current (every statusIntervalMs, ~10 s like the
 * kubelet's --node-status-update-frequency) and renew its Lease (every quarter of its duration).
 * The container runtime is probed on every status pass; whoever needs it (the pod manager) hears
 * about its state through onRuntime.
 */
import type { DockerApi } from "../runtime/index.ts";
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { Client } from "../../client/index.ts";
import type { Logger } from "../../log/index.ts";
import { ApiError } from "../../apiserver/api/errors.ts";
import { filesystemUsage, hostFacts, memoryUsage } from "./host.ts";
import { NodeLease } from "./lease.ts";
import { NODES, registerNode, type NodeRegistration } from "./register.ts";
import { probeRuntime } from "./runtime.ts";
import { nodeStatus, type NodeStatus, type RuntimeState } from "./status.ts";

export { defaultLabels, CONTROL_PLANE_ROLE, type Taint } from "./labels.ts";
export { DEFAULT_LEASE_DURATION_SECONDS, LEASES, NODE_LEASE_NAMESPACE } from "./lease.ts";
export { NODES, type NodeRegistration } from "./register.ts";
export { defaultNodeIP, goArch } from "./host.ts";
export type { RuntimeState } from "./status.ts";

export interface NodeAgentOptions {
  client: Client;
  registration: NodeRegistration;
  nodeIP: string;
  /** The file system holding it is the node's ephemeral storage. */
  dataDir: string;
  kubeletVersion: string;
  docker: DockerApi;
  statusIntervalMs: number;
  leaseDurationSeconds: number;
  log: Logger;
  /** Called after every runtime probe. */
  onRuntime?(state: RuntimeState): void;
}

export interface NodeAgent {
  /** The Node's uid as last registered. */
  readonly uid: string;
  stop(): Promise<void>;
}

/** Runs `fn` every `ms`, never two at once; stop() waits for a pass in progress. */
function every(ms: number, fn: () => Promise<void>): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (!running) running = fn().finally(() => (running = undefined));
  }, ms);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

export async function startNodeAgent(opts: NodeAgentOptions): Promise<NodeAgent> {
  const { client, log } = opts;
  const name = opts.registration.name;
  const host = hostFacts();
  let runtimeUp: boolean | undefined;

  const observe = async (): Promise<RuntimeState> => {
    const runtime = await probeRuntime(opts.docker);
    if (runtime.up !== runtimeUp) {
      if (runtime.up) log.info("container runtime is up", { runtime: runtime.version });
      else log.error("cannot reach Docker Engine; the node reports NotReady and the agent keeps retrying", { err: runtime.error });
      runtimeUp = runtime.up;
    }
    opts.onRuntime?.(runtime);
    return runtime;
  };
  const statusFor = async (previous: NodeStatus | undefined): Promise<NodeStatus> =>
    nodeStatus(previous, {
      host,
      memory: memoryUsage(),
      nodefs: filesystemUsage(opts.dataDir),
      runtime: await observe(),
      nodeIP: opts.nodeIP,
      nodeName: name,
      kubeletVersion: opts.kubeletVersion,
      now: new Date(),
    });

  let node = await registerNode(client, opts.registration, await statusFor(undefined), log);
  const lease = new NodeLease(client, name, opts.leaseDurationSeconds, log);
  const owner = () => ({ name, uid: node.metadata?.uid ?? "" });

  const reportStatus = async () => {
    let current: KubeObject;
    try {
      current = await client.get(NODES, "", name);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 404)) throw err;
      // Someone deleted the Node: register again, as a restarted kubelet would.
      log.warn("node object is gone; registering again", { node: name });
      node = await registerNode(client, opts.registration, await statusFor(undefined), log);
      return;
    }
    const next = structuredClone(current) as KubeObject & { status?: NodeStatus };
    next.status = await statusFor(next.status);
    node = await client.update(NODES, "", next, { subresource: "status" });
  };
  const logged = (what: string, fn: () => Promise<void>) => async () => {
    try {
      await fn();
    } catch (err) {
      log.warn(`${what} failed; retrying`, { node: name, err });
    }
  };

  await reportStatus().catch((err) => log.warn("node status update failed; retrying", { node: name, err }));
  await lease.renew(owner()).catch((err) => log.warn("node lease renewal failed; retrying", { node: name, err }));
  const loops = [
    every(opts.statusIntervalMs, logged("node status update", reportStatus)),
    every(Math.max(250, (opts.leaseDurationSeconds * 1000) / 4), logged("node lease renewal", () => lease.renew(owner()))),
  ];
  return {
    get uid() {
      return node.metadata?.uid ?? "";
    },
    async stop() {
      await Promise.all(loops.map((l) => l.stop()));
    },
  };
}
