/**
 * What every pod worker shares: the API client, Docker, images, events, the node's identity and
 * allocatable resources, and the knobs tests turn (backoff bases, resync period).
 */
import type { Client } from "../../client/index.ts";
import type { Logger } from "../../log/index.ts";
import type { ImagePuller } from "../images/index.ts";
import type { SandboxNetwork } from "../network/index.ts";
import type { Backoff, Runtime } from "../runtime/index.ts";
import type { NodeAllocatable, TokenRequester } from "../volumes/index.ts";
import type { EventRecorder } from "./events.ts";
import type { ServiceEnv } from "./service-env.ts";

export interface DnsSettings {
  /** Cluster DNS servers for dnsPolicy ClusterFirst; empty falls back to the node's resolver. */
  clusterDNS: string[];
  clusterDomain: string;
}

export interface AgentContext {
  client: Client;
  nodeName: string;
  nodeIP: string;
  dataDir: string;
  runtime: Runtime;
  puller: ImagePuller;
  recorder: EventRecorder;
  services: ServiceEnv;
  log: Logger;
  pauseImage: string;
  /** Extra labels on every container (tests' cleanup label). */
  labels: Record<string, string>;
  crashBackoff: Backoff;
  node: NodeAllocatable;
  /** Whether Docker may set negative OOM scores here. */
  negativeOom: boolean;
  dns: DnsSettings;
  /** How often a running pod's volumes are refreshed from their ConfigMaps/Secrets. */
  volumeResyncMs: number;
  requestToken?: TokenRequester;
  /** The pod network sandboxes join (src/agent/network); without it, Docker's default bridge. */
  network?: SandboxNetwork;
  /** Wakes a pod's worker, now or after a delay. */
  enqueue(uid: string, afterMs?: number): void;
}

export function podDir(ctx: Pick<AgentContext, "dataDir">, uid: string): string {
  return `${ctx.dataDir}/pods/${uid}`;
}
