/**
 * pods/exec and pods/attach: the options from the query, the container chosen as upstream does,
 * the node's agent asked to start the command (or attach), and only then the client's upgrade
 * answered (WebSocket v5/v4/v1 channels, or SPDY/3.1) and bridged to the agent's stream.
 */
import type { UpgradeCall, UpgradeHandler } from "../http/upgrade.ts";
import type { AttachRequest, ExecRequest, StreamStatus, TunnelServer } from "../../tunnel/index.ts";
import type { Logger } from "../../log/index.ts";
import { acceptWebSocket, isWebSocketRequest } from "../../httpstream/index.ts";
import { CH_INPUT, CH_RESIZE, CH_STATUS, CH_STDERR, CH_STDOUT, tagged } from "../../tunnel/index.ts";
import { errors } from "../api/errors.ts";
import { type AgentStream, openAgentStream } from "./agent-stream.ts";
import type { CommandOptions, CommandPeer } from "./command-peer.ts";
import { SPDY_COMMAND_PROTOCOLS, spdyCommandPeer } from "./command-spdy.ts";
import { chooseWebSocketProtocol, WEBSOCKET_PROTOCOLS, webSocketCommandPeer } from "./command-websocket.ts";
import { chooseContainer, currentContainerId, getPod, nodeOf, podRef } from "./pod-target.ts";
import { acceptSpdy, isSpdyUpgrade, negotiateStreamProtocol } from "./spdy-upgrade.ts";

function flag(q: URLSearchParams, name: string): boolean {
  return /^(true|1|t)$/i.test(q.get(name) ?? "");
}

export function commandOptions(q: URLSearchParams): CommandOptions {
  const tty = flag(q, "tty");
  // Upstream ignores stderr with a TTY (the terminal merges it into stdout).
  return { stdin: flag(q, "stdin"), stdout: flag(q, "stdout"), stderr: flag(q, "stderr") && !tty, tty };
}

type Protocol = { kind: "websocket"; name: string } | { kind: "spdy"; name: string };

function negotiate(call: UpgradeCall): Protocol {
  const headers = call.req.headers;
  if (isWebSocketRequest(headers)) {
    const name = chooseWebSocketProtocol(call.protocols);
    if (name === undefined) throw errors.badRequest(`unable to upgrade: unable to negotiate protocol: client supports [${call.protocols.join(" ")}], server supports [${WEBSOCKET_PROTOCOLS.join(" ")}]`);
    return { kind: "websocket", name };
  }
  if (isSpdyUpgrade(headers)) return { kind: "spdy", name: negotiateStreamProtocol(headers, SPDY_COMMAND_PROTOCOLS) };
  throw errors.badRequest("Upgrade request required");
}

export function commandHandler(tunnels: TunnelServer, kind: "exec" | "attach", log: Logger): UpgradeHandler {
  return async (call) => {
    const q = call.url.searchParams;
    const opts = commandOptions(q);
    const command = q.getAll("command");
    if (!opts.stdin && !opts.stdout && !opts.stderr) throw errors.badRequest("you must specify at least 1 of stdin, stdout, stderr");
    if (kind === "exec" && command.length === 0) throw errors.badRequest("you must specify at least one command for the container");
    const pod = await getPod(call.store, call.info.namespace, call.info.name);
    const container = chooseContainer(pod, q.get("container"));
    const node = nodeOf(pod);
    if (!node) throw errors.badRequest(`pod ${call.info.name} does not have a host assigned`);
    const protocol = negotiate(call);
    const target = { pod: podRef(pod), container, containerId: currentContainerId(pod, container) };
    const request: ExecRequest | AttachRequest = kind === "exec" ? { kind, ...target, command, ...opts } : { kind, ...target, ...opts };
    const agent = await openAgentStream(tunnels, node, request);
    const what = kind === "exec" ? `command '${command.join(" ")}'` : `container ${container}`;
    let peer: CommandPeer;
    try {
      if (protocol.kind === "websocket") {
        peer = webSocketCommandPeer(acceptWebSocket(call.socket, call.req.headers, protocol.name || undefined, call.rest), protocol.name, opts, what);
      } else {
        peer = await spdyCommandPeer(acceptSpdy(call.socket, call.rest, protocol.name), protocol.name, opts, what);
      }
    } catch (err) {
      agent.stream.reset("client failed to set up its streams");
      log.v(2).info("streaming client failed", { pod: call.info.name, err });
      call.socket.destroy();
      return;
    }
    bridge(agent, peer);
  };
}

/** Moves bytes between the client and the agent, with backpressure both ways. */
export function bridge(agent: AgentStream, peer: CommandPeer): void {
  const { stream } = agent;
  let status: StreamStatus | undefined;
  let over = false;
  const finish = (s: StreamStatus) => {
    if (over) return;
    over = true;
    peer.finish(s);
    stream.reset();
  };
  agent.attach({
    data(channel, payload) {
      if (channel === CH_STDOUT) {
        if (!peer.stdout(payload)) stream.pause();
      } else if (channel === CH_STDERR) {
        if (!peer.stderr(payload)) stream.pause();
      } else if (channel === CH_STATUS) {
        status = JSON.parse(payload.toString()) as StreamStatus;
      }
    },
    end: () => finish(status ?? { error: { code: 500, message: "the agent ended the stream without a status" } }),
    reset: (reason) => finish(status ?? { error: { code: 500, message: reason } }),
  });
  peer.onDrain = () => stream.resume();
  peer.onInput = (data) => {
    if (!stream.write(tagged(CH_INPUT, data))) peer.pauseInput();
  };
  stream.onDrain = () => peer.resumeInput();
  peer.onInputEnd = () => stream.end();
  peer.onResize = (size) => stream.write(tagged(CH_RESIZE, JSON.stringify(size)));
  peer.onGone = () => {
    over = true;
    stream.reset("client went away");
  };
}
