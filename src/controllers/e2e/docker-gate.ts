/**
 * For end-to-end tests: a Unix socket that forwards to this machine's Docker Engine and can be shut,
 * so one agent (started with DOCKER_HOST=unix://<path>) sees its container runtime go down while
 * Docker itself, and every other agent and test on the machine, keep running.
 */
import { existsSync, rmSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";

export interface DockerGate {
  /** The DOCKER_HOST value for the agent. */
  host: string;
  /** Forwards connections (again). */
  open(): Promise<void>;
  /** Refuses new connections and cuts the open ones (an agent's event stream included). */
  close(): Promise<void>;
}

export async function dockerGate(path: string, target = "/var/run/docker.sock"): Promise<DockerGate> {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  const open = async () => {
    if (server) return;
    if (existsSync(path)) rmSync(path);
    server = createServer((client) => {
      const upstream = connect(target);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
        s.on("error", () => undefined);
      }
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => server!.listen(path, resolve));
  };
  await open();
  return {
    host: `unix://${path}`,
    open,
    async close() {
      const s = server;
      server = undefined;
      for (const sock of sockets) sock.destroy();
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
      if (existsSync(path)) rmSync(path);
    },
  };
}
