/**
 * The older WebSocket port-forward protocol (the kubelet's portforward/websocket.go, used by
 * client libraries): ?ports=a,b gives two channels per port, data (2i) and error (2i+1); the
 * server first sends each channel the port as two little-endian bytes, then one connection per
 * port is forwarded. The WebSocket closes when every port's connection has ended.
 */
import type { WebSocket } from "../../httpstream/index.ts";
import type { StreamStatus } from "../../tunnel/index.ts";
import { CH_INPUT, CH_STATUS, CH_STDOUT, tagged, type TunnelStream } from "../../tunnel/index.ts";
import { forwardFailure, openPortStream } from "./port-stream.ts";
import type { ForwardTarget } from "./portforward.ts";

export const WEBSOCKET_PORTFORWARD_PROTOCOLS = ["v4.channel.k8s.io", "v4.base64.channel.k8s.io"];

export function servePortForwardChannels(ws: WebSocket, protocol: string, ports: number[], target: ForwardTarget): void {
  const base64 = protocol.includes("base64");
  const send = (channel: number, data: Buffer) => (base64 ? ws.send(String.fromCharCode(48 + channel) + data.toString("base64"), false) : ws.send(tagged(channel, data), true));
  const streams: Array<TunnelStream | undefined> = [];
  const early: Buffer[][] = ports.map(() => []);
  let remaining = ports.length;
  const portDone = () => {
    remaining--;
    if (remaining === 0) ws.close();
  };
  ws.onMessage = (raw, binary) => {
    if (raw.length === 0) return;
    const channel = base64 && !binary ? raw[0]! - 48 : raw[0]!;
    const data = base64 && !binary ? Buffer.from(raw.subarray(1).toString(), "base64") : raw.subarray(1);
    // Only data channels carry input.
    if (channel % 2 !== 0 || channel / 2 >= ports.length) return;
    const i = channel / 2;
    const s = streams[i];
    if (s) s.write(tagged(CH_INPUT, data));
    else early[i]!.push(data);
  };
  ws.onClose = () => {
    for (const s of streams) s?.reset("client went away");
  };
  ports.forEach((port, i) => {
    const portBytes = Buffer.alloc(2);
    portBytes.writeUInt16LE(port, 0);
    send(2 * i, portBytes);
    send(2 * i + 1, portBytes);
    void forwardPort(i, port);
  });

  async function forwardPort(i: number, port: number): Promise<void> {
    const fail = (message: string) => send(2 * i + 1, Buffer.from(forwardFailure(target, port, message)));
    const agent = await openPortStream(target, port, fail);
    if (!agent) {
      portDone();
      return;
    }
    streams[i] = agent.stream;
    let over = false;
    const finish = () => {
      if (over) return;
      over = true;
      portDone();
    };
    agent.attach({
      data(channel, payload) {
        if (channel === CH_STDOUT) send(2 * i, payload);
        else if (channel === CH_STATUS) {
          const status = JSON.parse(payload.toString()) as StreamStatus;
          if (status.error) fail(status.error.message);
        }
      },
      end: finish,
      reset: finish,
    });
    for (const d of early[i]!.splice(0)) agent.stream.write(tagged(CH_INPUT, d));
  }
}
