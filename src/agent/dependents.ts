/**
 * The parts of the agent that come after registration: the pod manager (pods on Docker; it waits
 * for Docker Engine itself, retrying) and the stream tunnel (logs, exec, attach, port-forward
 * through a connection the agent opens). Whatever fails to start is retried on the next runtime
 * probe, so a missing or broken Docker never stops the agent.
 */
import type { DockerEngine } from "./runtime/index.ts";
import type { Client } from "../client/index.ts";
import type { Logger } from "../log/index.ts";
import type { NodeCredentials } from "./join/index.ts";
import type { RuntimeState } from "./node/index.ts";
import type { SandboxNetwork } from "./network/index.ts";
import { startPodManager } from "./pods/index.ts";
import { startStreamTunnel } from "./stream/index.ts";
import { serviceAccountTokenRequester } from "./service-account-tokens.ts";
import { HttpClient } from "../client/http/index.ts";

export interface DependentsOptions {
  serverUrl: string;
  nodeName: string;
  nodeIP: string;
  dataDir: string;
  containerLabels?: Record<string, string>;
  clusterDNS: string[];
  clusterDomain: string;
  client: Client;
  credentials: NodeCredentials;
  docker: DockerEngine;
  /** The pod network sandboxes join. */
  network?: SandboxNetwork;
  log: Logger;
}

export interface Dependents {
  /** Called after every runtime probe; starts what is not running yet once enabled. */
  onRuntime(state: RuntimeState): void;
  /** Registration is done: start now, with the last runtime state seen. */
  enable(): void;
  stop(): Promise<void>;
}

interface Stoppable {
  stop(): Promise<void>;
}

export function agentDependents(opts: DependentsOptions): Dependents {
  const { log } = opts;
  let tunnel: Stoppable | undefined;
  let pods: Stoppable | undefined;
  let enabled = false;
  let stopped = false;
  let starting: Promise<void> | undefined;

  const startTunnel = async () => {
    try {
      tunnel = await startStreamTunnel({
        serverUrl: opts.serverUrl,
        caPem: opts.credentials.caPem,
        certPem: opts.credentials.certPem,
        keyPem: opts.credentials.keyPem,
        nodeName: opts.nodeName,
        docker: opts.docker,
        containerLabels: opts.containerLabels,
        log: log.child("stream"),
      });
    } catch (err) {
      log.error("the stream tunnel could not start; retrying", { err });
    }
  };
  const startPods = async () => {
    try {
      pods = await startPodManager({
        client: opts.client,
        nodeName: opts.nodeName,
        nodeIP: opts.nodeIP,
        docker: opts.docker,
        dataDir: opts.dataDir,
        containerLabels: opts.containerLabels,
        clusterDNS: opts.clusterDNS,
        clusterDomain: opts.clusterDomain,
        network: opts.network,
        requestToken: serviceAccountTokenRequester(new HttpClient({ server: opts.serverUrl, caPem: opts.credentials.caPem, certPem: opts.credentials.certPem, keyPem: opts.credentials.keyPem, userAgent: `kts-agent/${opts.nodeName}` })),
        log: log.child("pods"),
      });
    } catch (err) {
      log.error("the pod manager could not start; retrying", { err });
    }
  };
  const ensure = async () => {
    if (!pods && !stopped) await startPods();
    if (!tunnel && !stopped) await startTunnel();
  };
  const kick = () => {
    if (!enabled || stopped || starting) return;
    starting = ensure().finally(() => (starting = undefined));
  };
  return {
    onRuntime() {
      kick();
    },
    enable() {
      enabled = true;
      kick();
    },
    async stop() {
      stopped = true;
      await starting;
      await pods?.stop();
      await tunnel?.stop();
    },
  };
}
