/**
 * One request to a node's agent over its tunnel: opened, then held until the agent answers
 * READY (the container is there and output follows) or fails with a STATUS error, which becomes
 * the API error the client sees, before anything is written to the client.
 */
import { ApiError, errors, type StatusReason } from "../api/errors.ts";
import { CH_READY, CH_STATUS, NodeNotConnectedError, type StreamRequest, type StreamStatus, type TunnelServer, type TunnelStream } from "../../tunnel/index.ts";

/** How long a request waits for a node whose agent is (re)connecting. */
const NODE_WAIT_MS = 5_000;
/** How long the agent may take to answer READY (a container lookup, an exec create). */
const READY_TIMEOUT_MS = 60_000;

const REASONS: Record<number, StatusReason> = { 400: "BadRequest", 403: "Forbidden", 404: "NotFound", 409: "Conflict", 503: "ServiceUnavailable" };

export function statusError(status: StreamStatus): ApiError {
  const e = status.error ?? { code: 500, message: "the agent failed the request" };
  return new ApiError(e.code, REASONS[e.code] ?? "InternalError", e.message);
}

export interface StreamHandlers {
  /** A message: its channel byte and payload. */
  data(channel: number, payload: Buffer): void;
  end(): void;
  reset(reason: string): void;
}

/** An answered stream; events are held until attach(). */
export interface AgentStream {
  stream: TunnelStream;
  attach(handlers: StreamHandlers): void;
}

type Held = { kind: "data"; channel: number; payload: Buffer } | { kind: "end" } | { kind: "reset"; reason: string };

export async function openAgentStream(tunnels: TunnelServer, node: string, request: StreamRequest): Promise<AgentStream> {
  let stream: TunnelStream;
  try {
    stream = await tunnels.open(node, request, NODE_WAIT_MS);
  } catch (err) {
    if (err instanceof NodeNotConnectedError) throw errors.internal(err);
    throw err;
  }
  const held: Held[] = [];
  let ready = false;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      stream.reset("timed out");
      reject(errors.timeout(`the agent of node ${node} did not answer in time`));
    }, READY_TIMEOUT_MS);
    const settle = (err?: Error) => {
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    };
    stream.onData = (msg) => {
      const channel = msg[0]!;
      const payload = msg.subarray(1);
      if (ready) {
        held.push({ kind: "data", channel, payload });
        stream.pause();
        return;
      }
      if (channel === CH_READY) {
        ready = true;
        settle();
      } else if (channel === CH_STATUS) {
        stream.reset();
        settle(statusError(JSON.parse(payload.toString()) as StreamStatus));
      }
    };
    stream.onEnd = () => (ready ? held.push({ kind: "end" }) : settle(errors.internal(new Error("the agent ended the stream without an answer"))));
    stream.onReset = (reason) => (ready ? held.push({ kind: "reset", reason }) : settle(errors.internal(new Error(reason))));
  });
  return {
    stream,
    attach(h) {
      stream.onData = (msg) => h.data(msg[0]!, msg.subarray(1));
      stream.onEnd = () => h.end();
      stream.onReset = (reason) => h.reset(reason);
      for (const e of held.splice(0)) {
        if (e.kind === "data") h.data(e.channel, e.payload);
        else if (e.kind === "end") h.end();
        else h.reset(e.reason);
      }
      stream.resume();
    },
  };
}
