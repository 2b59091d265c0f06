/**
 * The agent end: dials the server's HTTPS port with the node's client certificate, upgrades to
 * a WebSocket on TUNNEL_PATH and serves the streams the server opens. A lost connection is
 * dialed again with exponential backoff (with jitter), so a restarting server finds its agents
 * back within seconds; workers need no inbound port.
 */
import { connect as tlsConnect } from "node:tls";
import type { Logger } from "../log/index.ts";
import { connectWebSocket, UpgradeRefusedError } from "../httpstream/index.ts";
import { MuxSession, type TunnelStream } from "./mux.ts";
import { TUNNEL_PATH } from "./protocol.ts";

export interface TunnelClientOptions {
  /** https://host:port of the API server. */
  serverUrl: string;
  /** The cluster's server CA (PEM): the server's certificate must chain to it. */
  caPem: string;
  /** The node's client certificate and key (CN system:node:<name>, O system:nodes). */
  certPem: string;
  keyPem: string;
  /** A stream the server opened, with its request. */
  onStream(stream: TunnelStream, request: unknown): void;
  log: Logger;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface TunnelClient {
  isConnected(): boolean;
  /** Resolves once a tunnel is up (tests). */
  whenConnected(): Promise<void>;
  stop(): Promise<void>;
}

/** A connection that lasted this long resets the backoff. */
const STABLE_MS = 10_000;

export function startTunnelClient(opts: TunnelClientOptions): TunnelClient {
  const url = new URL(opts.serverUrl);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port || 443);
  const minBackoff = opts.minBackoffMs ?? 500;
  const maxBackoff = opts.maxBackoffMs ?? 30_000;
  const log = opts.log;
  let stopped = false;
  let session: MuxSession | undefined;
  let backoff = minBackoff;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let wake: (() => void) | undefined;
  let connectedWaiters: Array<() => void> = [];
  let loop: Promise<void> = Promise.resolve();

  const dial = async (): Promise<{ session: MuxSession; closed: Promise<void> }> => {
    const socket = tlsConnect({
      host,
      port,
      ca: opts.caPem,
      cert: opts.certPem,
      key: opts.keyPem,
      servername: /^[\d.]+$|:/.test(host) ? undefined : host,
      ALPNProtocols: ["http/1.1"],
    });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    const timer = setTimeout(() => socket.destroy(new Error("timed out connecting to the server")), 30_000);
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once("secureConnect", () => resolve());
        socket.once("error", reject);
        socket.once("close", () => reject(new Error("connection closed")));
      });
    } finally {
      clearTimeout(timer);
    }
    const { ws } = await connectWebSocket(socket, { host: url.host, path: TUNNEL_PATH, headers: { "User-Agent": "kts-agent-tunnel" } });
    const closed = Promise.withResolvers<void>();
    const session = new MuxSession(ws, { isServer: false, onOpen: (stream, request) => opts.onStream(stream, request), onClose: () => closed.resolve() });
    return { session, closed: closed.promise };
  };

  const connectOnce = async (): Promise<void> => {
    const started = Date.now();
    try {
      const { session: s, closed } = await dial();
      if (stopped) {
        s.close("agent stopping");
        return;
      }
      session = s;
      log.info("tunnel to the server is up", { server: opts.serverUrl });
      for (const w of connectedWaiters) w();
      connectedWaiters = [];
      await closed;
      session = undefined;
      if (Date.now() - started > STABLE_MS) backoff = minBackoff;
      if (!stopped) log.info("tunnel to the server closed; reconnecting");
    } catch (err) {
      const detail = err instanceof UpgradeRefusedError ? `${err.status} ${err.body.slice(0, 300)}` : String(err);
      if (!stopped) log.v(1).info("tunnel connect failed", { server: opts.serverUrl, err: detail, retryInMs: backoff });
    }
  };

  const run = async () => {
    while (!stopped) {
      await connectOnce();
      if (stopped) break;
      const wait = Math.round(backoff * (0.8 + Math.random() * 0.4));
      backoff = Math.min(maxBackoff, backoff * 2);
      await new Promise<void>((resolve) => {
        wake = resolve;
        retryTimer = setTimeout(resolve, wait);
      });
    }
  };
  loop = run();

  return {
    isConnected: () => !!session && !session.isClosed,
    whenConnected: () => (session && !session.isClosed ? Promise.resolve() : new Promise((resolve) => connectedWaiters.push(resolve))),
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      wake?.();
      session?.close("agent stopping");
      await loop;
    },
  };
}
