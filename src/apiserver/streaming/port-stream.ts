/**
 * What both port-forward protocols (SPDY stream pairs, WebSocket channels) do per forwarded
 * port: open the agent stream that dials the port in the pod, and word a failure as the
 * kubelet does on the port's error stream.
 */
import type { PortForwardRequest } from "../../tunnel/index.ts";
import { isApiError } from "../api/errors.ts";
import { type AgentStream, openAgentStream } from "./agent-stream.ts";
import { podRef } from "./pod-target.ts";
import type { ForwardTarget } from "./portforward.ts";

/** The text a failed forward writes to the port's error stream. */
export function forwardFailure(target: ForwardTarget, port: number, message: string): string {
  return `error forwarding port ${port} to pod ${target.pod.metadata?.name}, uid ${target.pod.metadata?.uid}: ${message}`;
}

/** The agent stream for one forwarded connection; undefined (after `fail` got the reason) when it cannot be opened. */
export async function openPortStream(target: ForwardTarget, port: number, fail: (message: string) => void): Promise<AgentStream | undefined> {
  const { pod } = target;
  const request: PortForwardRequest = { kind: "portforward", pod: podRef(pod), port, podIP: pod.status?.podIP || undefined };
  try {
    return await openAgentStream(target.tunnels, target.node, request);
  } catch (err) {
    fail(isApiError(err) ? err.message : String(err));
    return undefined;
  }
}
