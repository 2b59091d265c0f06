/**
 * The server end: one tunnel per node, opened by that node's agent. Streaming requests for a
 * pod go to the tunnel of the pod's node. A node that connects again replaces its old tunnel.
 */
import type { Duplex } from "node:stream";
import type { Logger } from "../log/index.ts";
import { acceptWebSocket } from "../httpstream/index.ts";
import { MuxSession, type TunnelStream } from "./mux.ts";
import type { StreamRequest } from "./protocol.ts";

export class NodeNotConnectedError extends Error {
  constructor(readonly nodeName: string) {
    super(`node "${nodeName}" has no tunnel to the server (is its agent running?)`);
  }
}

export class TunnelServer {
  private readonly sessions = new Map<string, MuxSession>();
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(private readonly log: Logger) {}

  /** Completes the WebSocket handshake of an authenticated agent and registers its tunnel. */
  accept(socket: Duplex, headers: Headers, rest: Buffer, nodeName: string): void {
    const ws = acceptWebSocket(socket, headers, undefined, rest);
    const session: MuxSession = new MuxSession(ws, {
      isServer: true,
      onClose: (reason) => {
        if (this.sessions.get(nodeName) === session) this.sessions.delete(nodeName);
        this.log.info("agent tunnel closed", { node: nodeName, reason });
      },
    });
    const previous = this.sessions.get(nodeName);
    this.sessions.set(nodeName, session);
    previous?.close("replaced by a new tunnel");
    this.log.info("agent tunnel connected", { node: nodeName });
    for (const wake of this.waiters.get(nodeName) ?? []) wake();
    this.waiters.delete(nodeName);
  }

  isConnected(nodeName: string): boolean {
    return this.sessions.has(nodeName);
  }

  nodes(): string[] {
    return [...this.sessions.keys()];
  }

  /**
   * Opens a stream to the node's agent. A node that is not connected gets `waitMs` to (re)connect
   * (an agent restarting); then NodeNotConnectedError.
   */
  async open(nodeName: string, request: StreamRequest, waitMs = 0): Promise<TunnelStream> {
    let session = this.sessions.get(nodeName);
    if (!session && waitMs > 0) {
      await this.waitFor(nodeName, waitMs);
      session = this.sessions.get(nodeName);
    }
    if (!session) throw new NodeNotConnectedError(nodeName);
    return session.open(request);
  }

  close(): void {
    for (const s of this.sessions.values()) s.close("server shutting down");
    this.sessions.clear();
  }

  private waitFor(nodeName: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(nodeName) ?? new Set();
      this.waiters.set(nodeName, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
    });
  }
}
