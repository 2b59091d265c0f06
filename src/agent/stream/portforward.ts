/**
 * One forwarded connection: dial the pod's IP (its sandbox's address on Docker's bridge) at the
 * port, then copy bytes both ways with half-closes passed along.
 */
import type { DockerApi } from "../runtime/index.ts";
import { connect, type Socket } from "node:net";
import type { PortForwardRequest, TunnelStream } from "../../tunnel/index.ts";
import { CH_INPUT, CH_STDOUT, tagged } from "../../tunnel/index.ts";
import { podIP, StreamError } from "./containers.ts";
import { ready } from "./reply.ts";

const DIAL_TIMEOUT_MS = 10_000;

function dial(ip: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: ip, port, noDelay: true, allowHalfOpen: true });
    const timer = setTimeout(() => socket.destroy(new Error(`dial tcp ${ip}:${port}: i/o timeout`)), DIAL_TIMEOUT_MS);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new StreamError(500, err.code === "ECONNREFUSED" ? `dial tcp ${ip}:${port}: connect: connection refused` : `dial tcp ${ip}:${port}: ${err.message}`));
    });
  });
}

export async function servePortForward(stream: TunnelStream, req: PortForwardRequest, docker: DockerApi, node: string): Promise<void> {
  // The sandbox's address is authoritative: the status may lag behind a recreated sandbox.
  const ip = (await podIP(docker, node, req.pod)) ?? req.podIP;
  if (!ip) throw new StreamError(500, `pod ${req.pod.name} has no IP address yet`);
  const socket = await dial(ip, req.port);
  ready(stream);
  socket.on("data", (chunk: Buffer) => {
    if (!stream.write(tagged(CH_STDOUT, chunk))) socket.pause();
  });
  stream.onDrain = () => socket.resume();
  socket.on("drain", () => stream.resume());
  socket.on("end", () => stream.end());
  socket.on("close", () => stream.end());
  socket.on("error", () => socket.destroy());
  stream.onData = (msg) => {
    if (msg[0] === CH_INPUT && !socket.destroyed && !socket.write(msg.subarray(1))) stream.pause();
  };
  stream.onEnd = () => socket.end();
  stream.onReset = () => socket.destroy();
}
