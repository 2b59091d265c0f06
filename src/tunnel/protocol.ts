/**
 * What the server asks an agent for over the tunnel, and how the messages of one stream are
 * tagged. Every message starts with a channel byte (as Kubernetes' remotecommand does):
 *
 *   server -> agent: INPUT (stdin, or bytes for the pod's port), RESIZE (JSON {Width, Height});
 *                    the stream's END is the end of input.
 *   agent -> server: READY (the container answered; output follows), STDOUT (also log bytes and
 *                    bytes from the pod's port), STDERR, STATUS (JSON StreamStatus, last).
 */

/** The path agents open their tunnel on (k3s uses /v1-k3s/connect). */
export const TUNNEL_PATH = "/v1-kts/connect";

export const CH_INPUT = 0;
export const CH_STDOUT = 1;
export const CH_STDERR = 2;
export const CH_STATUS = 3;
export const CH_RESIZE = 4;
export const CH_READY = 5;

export interface PodRef {
  namespace: string;
  name: string;
  uid: string;
}

interface ContainerTarget {
  pod: PodRef;
  container: string;
  /** The runtime's container id from the pod status (`docker://...` stripped), when known. */
  containerId?: string;
}

export interface LogRequest extends ContainerTarget {
  kind: "log";
  follow?: boolean;
  /** Logs of the container's previous instance. */
  previous?: boolean;
  timestamps?: boolean;
  tailLines?: number;
  /** Unix seconds (fractional) logs must be newer than. */
  since?: number;
  limitBytes?: number;
}

export interface ExecRequest extends ContainerTarget {
  kind: "exec";
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export interface AttachRequest extends ContainerTarget {
  kind: "attach";
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export interface PortForwardRequest {
  kind: "portforward";
  pod: PodRef;
  port: number;
  /** status.podIP, if the pod status has one. */
  podIP?: string;
}

export type StreamRequest = LogRequest | ExecRequest | AttachRequest | PortForwardRequest;

/** The last message of a stream from the agent. */
export interface StreamStatus {
  /** The command's exit code (exec; attach when the container exited). */
  exitCode?: number;
  /** Why the request failed, as an HTTP status and message (400 "container not found", ...). */
  error?: { code: number; message: string };
}

/** A message on a channel. */
export function tagged(channel: number, payload: Uint8Array | string = new Uint8Array(0)): Buffer {
  const body = typeof payload === "string" ? Buffer.from(payload) : payload;
  const out = Buffer.alloc(1 + body.length);
  out[0] = channel;
  out.set(body, 1);
  return out;
}
