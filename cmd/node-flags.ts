/** Flags `kts server` and `kts agent` share for the node they run (k3s's agent flags). */
import { Command, InvalidArgumentError } from "commander";
import type { Taint } from "../src/agent/index.ts";
import { parseDuration } from "./flags.ts";

const EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

/** key=value, repeatable. */
export function parseNodeLabel(text: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new InvalidArgumentError(`"${text}" is not key=value`);
  return { ...previous, [text.slice(0, eq)]: text.slice(eq + 1) };
}

/** key=value:Effect or key:Effect, repeatable. */
export function parseNodeTaint(text: string, previous: Taint[] = []): Taint[] {
  const m = /^([^=:]+)(?:=([^:]*))?:([A-Za-z]+)$/.exec(text);
  if (!m) throw new InvalidArgumentError(`"${text}" is not key=value:Effect`);
  if (!EFFECTS.includes(m[3]!)) throw new InvalidArgumentError(`"${m[3]}" is not a taint effect (${EFFECTS.join(", ")})`);
  const taint: Taint = { key: m[1]!, effect: m[3]! };
  if (m[2]) taint.value = m[2];
  return [...previous, taint];
}

/** The kubelet settings `--kubelet-arg key=value` understands. */
export interface KubeletArgs {
  statusIntervalMs?: number;
  leaseDurationSeconds?: number;
}

export function parseKubeletArg(text: string, previous: KubeletArgs = {}): KubeletArgs {
  const eq = text.indexOf("=");
  const key = eq < 0 ? text : text.slice(0, eq).replace(/^--/, "");
  const value = eq < 0 ? "" : text.slice(eq + 1);
  if (key === "node-status-update-frequency") return { ...previous, statusIntervalMs: parseDuration(value) };
  if (key === "node-lease-duration-seconds") {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`"${value}" is not a positive whole number of seconds`);
    return { ...previous, leaseDurationSeconds: n };
  }
  throw new InvalidArgumentError(`unsupported --kubelet-arg "${text}" (supported: node-status-update-frequency=<duration>, node-lease-duration-seconds=<n>)`);
}

/** Labels for every container the agent makes, from KTS_CONTAINER_LABELS="k=v,k2=v2" (tests clean up by them). */
export function containerLabelsFromEnv(): Record<string, string> | undefined {
  const text = process.env.KTS_CONTAINER_LABELS;
  if (!text) return undefined;
  return text.split(",").reduce((acc, kv) => parseNodeLabel(kv.trim(), acc), {} as Record<string, string>);
}

export function addNodeOptions(cmd: Command): Command {
  return cmd
    .option("--node-name <name>", "node name (default: the host name)")
    .option("--node-ip <ip>", "IP address the node advertises (default: the first non-loopback IPv4)")
    .option("--node-label <key=value>", "label to register the node with (repeatable; applied at registration only)", (t: string, p?: Record<string, string>) => parseNodeLabel(t, p))
    .option("--node-taint <key=value:Effect>", "taint to register the node with (repeatable; applied at registration only)", (t: string, p?: Taint[]) => parseNodeTaint(t, p))
    .option("--cluster-dns <ip>", "cluster IP of the DNS Service pods resolve names with (default: the server's; on a server the 10th address of the service CIDR, 10.43.0.10)")
    .option("--cluster-domain <domain>", "cluster domain pods search and the cluster DNS answers (default: the server's, cluster.local)")
    .option("--kubelet-arg <key=value>", "kubelet setting: node-status-update-frequency=10s, node-lease-duration-seconds=40 (repeatable)", (t: string, p?: KubeletArgs) => parseKubeletArg(t, p));
}

/** The node flags as the agent options take them. */
export function nodeSettings(opts: { nodeName?: string; nodeIp?: string; nodeLabel?: Record<string, string>; nodeTaint?: Taint[]; kubeletArg?: KubeletArgs; clusterDns?: string; clusterDomain?: string }) {
  return {
    nodeName: opts.nodeName,
    nodeIP: opts.nodeIp,
    nodeLabels: opts.nodeLabel ?? {},
    nodeTaints: opts.nodeTaint ?? [],
    containerLabels: containerLabelsFromEnv(),
    statusIntervalMs: opts.kubeletArg?.statusIntervalMs,
    leaseDurationSeconds: opts.kubeletArg?.leaseDurationSeconds,
    clusterDNS: opts.clusterDns ? opts.clusterDns.split(",").map((ip) => ip.trim()) : undefined,
    clusterDomain: opts.clusterDomain,
  };
}
