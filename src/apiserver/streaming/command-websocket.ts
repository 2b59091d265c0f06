/**
 * exec/attach over WebSocket (k8s.io/apimachinery wsstream and remotecommand): each message is a
 * channel byte (0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize) and data; the base64 variants
 * send text messages with the channel as an ASCII digit. v5 adds the close signal (255, channel)
 * that ends stdin. The session ends with the Status on channel 3 and a normal close (1000),
 * which kubectl's readers take as EOF.
 */
import type { WebSocket } from "../../httpstream/index.ts";
import type { StreamStatus } from "../../tunnel/index.ts";
import { CLOSE_NORMAL } from "../../httpstream/index.ts";
import { type CommandOptions, type CommandPeer, parseSizes, statusBytes } from "./command-peer.ts";

/** In the order they are preferred when a client offers several. */
export const WEBSOCKET_PROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io", "v4.base64.channel.k8s.io", "channel.k8s.io", "base64.channel.k8s.io"];

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
const CLOSE = 255;

/** The client's first offered protocol we speak; "" when it offered none; undefined when none fits. */
export function chooseWebSocketProtocol(offered: string[]): string | undefined {
  if (offered.length === 0) return "";
  return offered.find((p) => WEBSOCKET_PROTOCOLS.includes(p));
}

export function webSocketCommandPeer(ws: WebSocket, protocol: string, opts: CommandOptions, what: string): CommandPeer {
  const base64 = protocol.includes("base64");
  const supportsClose = protocol === "v5.channel.k8s.io";
  let finished = false;
  const send = (channel: number, data: Buffer): boolean => {
    if (base64) return ws.send(String.fromCharCode(48 + channel) + data.toString("base64"), false);
    const msg = Buffer.alloc(1 + data.length);
    msg[0] = channel;
    data.copy(msg, 1);
    return ws.send(msg, true);
  };
  const peer: CommandPeer = {
    stdout: (data) => send(STDOUT, data),
    stderr: (data) => send(STDERR, data),
    finish(status: StreamStatus) {
      if (finished) return;
      finished = true;
      const bytes = statusBytes(protocol || "channel.k8s.io", status, what);
      if (bytes) send(ERROR, bytes);
      ws.close(CLOSE_NORMAL);
    },
    pauseInput: () => ws.pause(),
    resumeInput: () => ws.resume(),
    onInput: () => {},
    onInputEnd: () => {},
    onResize: () => {},
    onGone: () => {},
    onDrain: () => {},
  };
  let inputEnded = false;
  ws.onMessage = (raw, binary) => {
    if (raw.length === 0) return;
    let channel: number;
    let data: Buffer;
    if (supportsClose && binary && raw[0] === CLOSE) {
      if (raw.length === 2 && raw[1] === STDIN && !inputEnded) {
        inputEnded = true;
        peer.onInputEnd();
      }
      return;
    }
    if (base64) {
      channel = raw[0]! - 48;
      data = Buffer.from(raw.subarray(1).toString(), "base64");
    } else {
      channel = raw[0]!;
      data = raw.subarray(1);
    }
    if (channel === STDIN && opts.stdin && !inputEnded) peer.onInput(data);
    else if (channel === RESIZE && opts.tty) for (const size of parseSizes(data.toString())) peer.onResize(size);
  };
  ws.onDrain = () => peer.onDrain();
  ws.onClose = () => {
    if (!finished) peer.onGone();
    finished = true;
  };
  // The kubelet's "connection is established" signal: an empty message on the lowest output channel.
  send(opts.stdout ? STDOUT : opts.stderr ? STDERR : ERROR, Buffer.alloc(0));
  return peer;
}
