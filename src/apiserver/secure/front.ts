/**
 * The HTTPS front door. Bun.serve cannot show a handler the client's TLS certificate, so a node:tls
 * server terminates TLS, records who each connection is, and pipes the plaintext bytes to an inner
 * Bun.serve on loopback. The inner server finds the identity again by the port its peer connected
 * from (server.requestIP(req).port), which is our end of that inner connection. Bytes are piped
 * untouched, so keep-alive and streaming pass through. A connection that opens with an Upgrade
 * request (exec, attach, port-forward, the agents' tunnel) can be taken by `onUpgrade` instead.
 */
import { connect, type Socket } from "node:net";
import { createServer, type TLSSocket } from "node:tls";
import type { Logger } from "../../log/index.ts";
import { isUpgrade, parseRequestHead, readHead, type RequestHead } from "../../httpstream/index.ts";
import { type PeerCertificateIdentity, peerIdentity } from "./peer.ts";

export interface TlsFrontOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Serving key and certificate chain (PEM). */
  key: string;
  cert: string;
  /** The CA client certificates must chain to (PEM). */
  clientCaPem: string;
  /** The inner plaintext server, always reached on loopback. */
  innerPort: number;
  innerHost?: string;
  /**
   * Offered the first request of each connection when it asks to switch protocols (WebSocket,
   * SPDY): returns true when it took the socket over. Bun.serve cannot hand out the raw socket
   * of an upgrade (SPDY has no Bun support at all), so streaming endpoints are served here, on
   * the plaintext TLS socket; anything declined goes to the inner server as before.
   */
  onUpgrade?: (upgrade: UpgradeRequest) => boolean;
  /** --tls-min-version (default TLS 1.2) and --tls-cipher-suites (default: strong AEAD suites only). */
  tls?: TlsSettings;
  log: Logger;
}

export interface TlsSettings {
  minVersion?: "TLSv1.2" | "TLSv1.3";
  /** OpenSSL cipher names for TLS 1.2 (TLS 1.3's suites are all strong). */
  ciphers?: string[];
}

/** ECDHE key exchange with AES-GCM or ChaCha20-Poly1305: the CIS benchmark's strong suites (no CBC, no RSA key exchange). */
export const STRONG_CIPHERS = [
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-CHACHA20-POLY1305",
];

/** Go's (kube-apiserver's --tls-cipher-suites) names of TLS 1.2 suites → OpenSSL's. */
const GO_CIPHER_NAMES: Record<string, string> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: "ECDHE-ECDSA-AES128-GCM-SHA256",
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: "ECDHE-RSA-AES128-GCM-SHA256",
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: "ECDHE-ECDSA-AES256-GCM-SHA384",
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: "ECDHE-RSA-AES256-GCM-SHA384",
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: "ECDHE-ECDSA-CHACHA20-POLY1305",
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: "ECDHE-ECDSA-CHACHA20-POLY1305",
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: "ECDHE-RSA-CHACHA20-POLY1305",
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: "ECDHE-RSA-CHACHA20-POLY1305",
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: "ECDHE-ECDSA-AES128-SHA",
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: "ECDHE-RSA-AES128-SHA",
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: "ECDHE-ECDSA-AES256-SHA",
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: "ECDHE-RSA-AES256-SHA",
  TLS_RSA_WITH_AES_128_GCM_SHA256: "AES128-GCM-SHA256",
  TLS_RSA_WITH_AES_256_GCM_SHA384: "AES256-GCM-SHA384",
};

/** kube-apiserver's --tls-min-version and --tls-cipher-suites values as the front takes them. */
export function tlsSettingsFromFlags(minVersion?: string, cipherSuites?: string[]): TlsSettings {
  const out: TlsSettings = {};
  if (minVersion) {
    const v = { VersionTLS12: "TLSv1.2", VersionTLS13: "TLSv1.3" }[minVersion];
    if (!v) throw new Error(`unsupported --tls-min-version "${minVersion}" (VersionTLS12 or VersionTLS13)`);
    out.minVersion = v as TlsSettings["minVersion"];
  }
  if (cipherSuites?.length) {
    out.ciphers = cipherSuites.map((c) => {
      if (c.startsWith("TLS_AES_") || c.startsWith("TLS_CHACHA20_")) return "";
      const name = GO_CIPHER_NAMES[c];
      if (!name) throw new Error(`unsupported --tls-cipher-suites value "${c}"`);
      return name;
    }).filter(Boolean);
  }
  return out;
}

/** A connection whose first request asks to switch protocols. */
export interface UpgradeRequest {
  head: RequestHead;
  /** Bytes the client sent after the head (the start of the new protocol). */
  rest: Buffer;
  socket: TLSSocket;
  connection: FrontConnection;
}

/** One client connection through the front. */
export interface FrontConnection {
  remoteAddress: string;
  remotePort: number;
  /** Undefined when the client presented no certificate. */
  peer?: PeerCertificateIdentity;
}

export interface TlsFront {
  readonly port: number;
  /** The connection whose inner leg comes from `innerRemotePort`; undefined if it did not come through the front. */
  connectionOf(innerRemotePort: number): FrontConnection | undefined;
  identityOf(innerRemotePort: number): PeerCertificateIdentity | undefined;
  /** Client connections open, and inner ports remembered (tests check that neither leaks). */
  stats(): { open: number; tracked: number };
  /** Stops accepting, closes open connections, and resolves when the listener is gone. */
  close(): Promise<void>;
}

/** TCP keep-alive on client connections finds dead peers under long watches (Go servers do the same). */
const KEEPALIVE_MS = 30_000;
/** How long a new connection may take to send its first request head (Go's ReadHeaderTimeout is similar). */
const FIRST_HEAD_TIMEOUT_MS = 60_000;

export async function startTlsFront(opts: TlsFrontOptions): Promise<TlsFront> {
  const byInnerPort = new Map<number, FrontConnection>();
  const open = new Set<TLSSocket>();
  const log = opts.log;
  const server = createServer({
    key: opts.key,
    cert: opts.cert,
    ca: opts.clientCaPem,
    requestCert: true,
    minVersion: opts.tls?.minVersion ?? "TLSv1.2",
    ciphers: (opts.tls?.ciphers?.length ? opts.tls.ciphers : STRONG_CIPHERS).join(":"),
    honorCipherOrder: true,
    // Unverified certificates still connect: authentication decides, as upstream's x509 authenticator does.
    rejectUnauthorized: false,
    // Only HTTP/1.1: Go clients then never try h2, and Upgrade (exec, port-forward) needs HTTP/1.1.
    ALPNProtocols: ["http/1.1"],
    allowHalfOpen: true,
  });
  // Sockets still in their handshake are not in `open` yet; close() must not wait for them.
  const handshaking = new Set<Socket>();
  server.on("connection", (raw: Socket) => {
    handshaking.add(raw);
    raw.once("close", () => handshaking.delete(raw));
  });
  server.on("secureConnection", (tls) => {
    open.add(tls);
    tls.once("close", () => open.delete(tls));
    bridge(tls, opts, byInnerPort, log);
  });
  // Failed handshakes (scanners, wrong CA on the client side) are routine: log, never crash.
  server.on("tlsClientError", (err) => log.v(4).info("TLS handshake failed", { err }));
  server.on("error", (err) => log.error("TLS listener error", { err }));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : opts.port;
  return {
    port,
    connectionOf: (p) => byInnerPort.get(p),
    identityOf: (p) => byInnerPort.get(p)?.peer,
    stats: () => ({ open: open.size, tracked: byInnerPort.size }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of open) s.destroy();
        for (const s of handshaking) s.destroy();
      }),
  };
}

/** Connects the client's TLS socket to a fresh inner connection (or an upgrade handler) and keeps the port map in step. */
function bridge(tls: TLSSocket, opts: TlsFrontOptions, byInnerPort: Map<number, FrontConnection>, log: Logger): void {
  const conn: FrontConnection = { remoteAddress: tls.remoteAddress ?? "", remotePort: tls.remotePort ?? 0, peer: peerIdentity(tls) };
  tls.setKeepAlive(true, KEEPALIVE_MS);
  tls.setNoDelay(true);
  // Hold the client's bytes until the inner leg is registered: the inner server must never see a
  // request before we can tell it who sent it.
  tls.pause();
  const onUpgrade = opts.onUpgrade;
  if (!onUpgrade) return toInner(tls, conn, Buffer.alloc(0), opts, byInnerPort, log);
  tls.on("error", () => tls.destroy());
  const timer = setTimeout(() => tls.destroy(), FIRST_HEAD_TIMEOUT_MS);
  readHead(tls).then(
    ({ head, rest }) => {
      clearTimeout(timer);
      let parsed: RequestHead | undefined;
      try {
        parsed = parseRequestHead(head);
      } catch {
        parsed = undefined;
      }
      if (parsed && isUpgrade(parsed.headers) && onUpgrade({ head: parsed, rest, socket: tls, connection: conn })) return;
      toInner(tls, conn, Buffer.concat([head, rest]), opts, byInnerPort, log);
    },
    () => {
      clearTimeout(timer);
      tls.destroy();
    },
  );
}

/** Pipes the client to a new inner connection, starting with bytes already read from it. */
function toInner(tls: TLSSocket, conn: FrontConnection, already: Buffer, opts: TlsFrontOptions, byInnerPort: Map<number, FrontConnection>, log: Logger): void {
  const client = `${conn.remoteAddress}:${conn.remotePort}`;
  const inner: Socket = connect({ host: opts.innerHost ?? "127.0.0.1", port: opts.innerPort, noDelay: true });
  let innerPort: number | undefined;
  inner.once("connect", () => {
    innerPort = inner.localPort;
    if (innerPort !== undefined) byInnerPort.set(innerPort, conn);
    if (already.length > 0) inner.write(already);
    // The client's half-close is not passed on (see closeWhenAnswered); the inner server's end is.
    tls.pipe(inner, { end: false });
    inner.pipe(tls);
    tls.resume();
  });
  inner.once("close", () => {
    // The inner port may already belong to a newer connection: only remove our own entry.
    if (innerPort !== undefined && byInnerPort.get(innerPort) === conn) byInnerPort.delete(innerPort);
    endGracefully(tls);
  });
  // The client is gone: drop the inner leg, which aborts whatever request (a watch) it was serving.
  tls.once("close", () => inner.destroy());
  closeWhenAnswered(tls, inner, already.length > 0);
  inner.on("error", (err) => {
    if (innerPort === undefined) log.warn("cannot reach the inner server", { err, client });
    else log.v(2).info("inner connection error", { err, client });
  });
  tls.on("error", (err) => {
    log.v(4).info("client connection error", { err, client });
    tls.destroy();
  });
}

/** How long a client that stopped sending may wait for the rest of an answer once the inner side falls quiet. */
const QUIET_MS = 200;
/** How long a client may take to close after we ended our side. */
const CLOSE_GRACE_MS = 5_000;

/** Ends our side (flushing what is buffered) and destroys the socket if the client never closes its side. */
function endGracefully(tls: TLSSocket): void {
  if (tls.destroyed) return;
  tls.end();
  setTimeout(() => tls.destroy(), CLOSE_GRACE_MS).unref();
}

/**
 * A client that half-closes (sends its request, then FIN) still expects the answer, but Bun.serve
 * drops a connection on FIN, answer and all. So the FIN is held back, and the inner leg closed
 * once nothing is owed: the client's last bytes were answered and the answer has been flushed.
 * A client that closes an idle keep-alive connection is released within QUIET_MS.
 */
function closeWhenAnswered(tls: TLSSocket, inner: Socket, owedAlready: boolean): void {
  let owed = owedAlready;
  tls.on("data", () => (owed = true));
  inner.on("data", () => (owed = false));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const settle = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (owed || tls.writableLength > 0 || inner.isPaused()) settle();
      else inner.destroy();
    }, QUIET_MS);
    timer.unref();
  };
  tls.once("end", () => {
    settle();
    inner.on("data", settle);
  });
  inner.once("close", () => clearTimeout(timer));
}
