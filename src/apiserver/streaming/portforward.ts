/**
 * pods/portforward. kubectl 1.30+ opens a WebSocket with the subprotocol
 * `SPDY/3.1+portforward.k8s.io` and runs SPDY inside it; older kubectl upgrades straight to
 * SPDY. Either way each forwarded connection is a pair of SPDY streams with the same requestID:
 * `error` (the server writes why the forward failed) and `data` (the bytes). Each pair becomes
 * one stream to the agent, which dials the pod's port. Clients of the older channel protocol
 * (`v4.channel.k8s.io` with ?ports=) are served in portforward-websocket.ts.
 */
import type { UpgradeHandler } from "../http/upgrade.ts";
import type { Logger } from "../../log/index.ts";
import type { SpdyServerSession, SpdyStream } from "../../httpstream/spdy/index.ts";
import type { StreamStatus, TunnelServer } from "../../tunnel/index.ts";
import { acceptWebSocket, isWebSocketRequest } from "../../httpstream/index.ts";
import { CH_INPUT, CH_STATUS, CH_STDOUT, tagged } from "../../tunnel/index.ts";
import { errors } from "../api/errors.ts";
import { getPod, nodeOf, type Pod } from "./pod-target.ts";
import { forwardFailure, openPortStream } from "./port-stream.ts";
import { servePortForwardChannels, WEBSOCKET_PORTFORWARD_PROTOCOLS } from "./portforward-websocket.ts";
import { acceptSpdy, isSpdyUpgrade, negotiateStreamProtocol, spdyOverWebSocket } from "./spdy-upgrade.ts";

export const PORTFORWARD_PROTOCOL = "portforward.k8s.io";
export const TUNNELING_PROTOCOL = `SPDY/3.1+${PORTFORWARD_PROTOCOL}`;
/** How long the second stream of a pair may take (the kubelet's streamCreationTimeout). */
const PAIR_TIMEOUT_MS = 30_000;

export interface ForwardTarget {
  tunnels: TunnelServer;
  node: string;
  pod: Pod;
  log: Logger;
}

export function portForwardHandler(tunnels: TunnelServer, log: Logger): UpgradeHandler {
  return async (call) => {
    const pod = await getPod(call.store, call.info.namespace, call.info.name);
    const node = nodeOf(pod);
    if (!node) throw errors.badRequest(`pod ${call.info.name} does not have a host assigned`);
    const target: ForwardTarget = { tunnels, node, pod, log };
    const headers = call.req.headers;
    if (isWebSocketRequest(headers)) {
      if (call.protocols.includes(TUNNELING_PROTOCOL)) {
        const ws = acceptWebSocket(call.socket, headers, TUNNELING_PROTOCOL, call.rest);
        serveSpdyPortForward(spdyOverWebSocket(ws), target);
        return;
      }
      const legacy = call.protocols.length === 0 ? "" : call.protocols.find((p) => WEBSOCKET_PORTFORWARD_PROTOCOLS.includes(p));
      if (legacy === undefined) throw errors.badRequest(`unable to upgrade: unable to negotiate protocol: client supports [${call.protocols.join(" ")}], server supports [${[TUNNELING_PROTOCOL, ...WEBSOCKET_PORTFORWARD_PROTOCOLS].join(" ")}]`);
      const ports = parsePorts(call.url.searchParams);
      servePortForwardChannels(acceptWebSocket(call.socket, headers, legacy || undefined, call.rest), legacy, ports, target);
      return;
    }
    if (!isSpdyUpgrade(headers)) throw errors.badRequest("Upgrade request required");
    const protocol = negotiateStreamProtocol(headers, [PORTFORWARD_PROTOCOL]);
    serveSpdyPortForward(acceptSpdy(call.socket, call.rest, protocol), target);
  };
}

/** ?ports=80,443 (repeatable), each 1-65535; 400 as upstream's NewV4Options words it. */
export function parsePorts(q: URLSearchParams): number[] {
  const raw = q.getAll("ports").flatMap((v) => v.split(","));
  if (raw.length === 0) throw errors.badRequest(`query parameter "port" is required`);
  return raw.map((p) => {
    const n = Number(p.trim());
    if (!/^\d+$/.test(p.trim()) || n > 65535) throw errors.badRequest(`unable to parse "${p}" as a port: strconv.ParseUint: parsing "${p}": invalid syntax`);
    if (n < 1) throw errors.badRequest(`port "${p}" must be > 0`);
    return n;
  });
}

interface Pair {
  data?: SpdyStream;
  error?: SpdyStream;
  timer: ReturnType<typeof setTimeout>;
}

/** Pairs the client's streams by requestID and forwards each complete pair. */
export function serveSpdyPortForward(session: SpdyServerSession, target: ForwardTarget): void {
  const pairs = new Map<string, Pair>();
  session.onStream = (stream) => {
    const port = Number(stream.header("port") ?? "");
    const type = stream.header("streamtype");
    if (!Number.isInteger(port) || port < 1 || port > 65535 || (type !== "error" && type !== "data")) {
      stream.reset();
      return;
    }
    // Old clients send no requestID: streams of one connection then have consecutive odd ids.
    const requestId = stream.header("requestid") ?? String(type === "error" ? stream.id : stream.id - 2);
    let pair = pairs.get(requestId);
    if (!pair) {
      const created: Pair = {
        timer: setTimeout(() => {
          pairs.delete(requestId);
          created.error?.write(Buffer.from(`(conn) request=${requestId} timed out waiting for streams`));
          created.error?.end();
          created.data?.end();
        }, PAIR_TIMEOUT_MS),
      };
      pair = created;
      pairs.set(requestId, pair);
    }
    if (pair[type]) {
      stream.write(Buffer.from(`error processing stream for request ${requestId}: ${type} stream already assigned`));
      stream.end();
      return;
    }
    pair[type] = stream;
    hold(stream);
    if (pair.data && pair.error) {
      clearTimeout(pair.timer);
      pairs.delete(requestId);
      void forward(target, port, pair.data, pair.error);
    }
  };
}

/** What a stream received before its pair was forwarded. */
const holds = new WeakMap<SpdyStream, { data: Buffer[]; ended: boolean }>();

function hold(stream: SpdyStream): void {
  const h = { data: [] as Buffer[], ended: false };
  holds.set(stream, h);
  stream.onData = (d) => h.data.push(d);
  stream.onEnd = () => (h.ended = true);
}

/** One forwarded connection: the agent dials the pod's port; bytes flow until either side ends. */
async function forward(target: ForwardTarget, port: number, data: SpdyStream, error: SpdyStream): Promise<void> {
  const fail = (message: string) => {
    error.write(Buffer.from(forwardFailure(target, port, message)));
    error.end();
    data.end();
  };
  const agent = await openPortStream(target, port, fail);
  if (!agent) return;
  const { stream } = agent;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    data.end();
    error.end();
  };
  agent.attach({
    data(channel, payload) {
      if (channel === CH_STDOUT) {
        if (!data.write(payload)) stream.pause();
      } else if (channel === CH_STATUS) {
        const status = JSON.parse(payload.toString()) as StreamStatus;
        if (status.error && !closed) {
          closed = true;
          fail(status.error.message);
        }
      }
    },
    end: close,
    reset: close,
  });
  data.onDrain = () => stream.resume();
  stream.onDrain = () => data.resume();
  const input = (d: Buffer) => {
    if (!stream.write(tagged(CH_INPUT, d))) data.pause();
  };
  data.onData = input;
  data.onEnd = () => stream.end();
  data.onReset = () => {
    stream.reset("client closed the connection");
    close();
  };
  const held = holds.get(data);
  for (const d of held?.data.splice(0) ?? []) input(d);
  if (held?.ended) stream.end();
  target.log.v(4).info("port-forward connection", { pod: target.pod.metadata?.name, port });
}
