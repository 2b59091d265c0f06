/**
 * Names outside the cluster go to the upstream resolvers, as CoreDNS's `forward . /etc/resolv.conf`:
 * the nameservers of a resolv.conf, UDP first, TCP when the answer was truncated and the client
 * can take a long one. Each query gets a fresh random ID on one shared UDP socket; an upstream
 * that does not answer in time is skipped for the next one in the list.
 */
import { readFileSync } from "node:fs";
import type { udp } from "bun";
import type { Logger } from "../log/index.ts";
import { FLAG, header } from "./wire.ts";

export interface Upstream {
  host: string;
  port: number;
}

/** The nameservers of a resolv.conf (port 53); none when it cannot be read. */
export function upstreamsFromResolvConf(path = "/etc/resolv.conf"): Upstream[] {
  let text = "";
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return [];
  }
  const out: Upstream[] = [];
  for (const line of text.split("\n")) {
    const [key, value] = line.trim().split(/\s+/);
    if (key === "nameserver" && value) out.push({ host: value.replace(/%.*$/, ""), port: 53 });
  }
  return out;
}

/** "1.2.3.4", "1.2.3.4:5353", "[::1]:53" → an upstream. */
export function parseUpstream(text: string): Upstream {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracket) return { host: bracket[1]!, port: Number(bracket[2] ?? 53) };
  const colons = text.split(":").length - 1;
  if (colons === 1) {
    const [host, port] = text.split(":");
    return { host: host!, port: Number(port) };
  }
  return { host: text, port: 53 };
}

interface Pending {
  resolve(reply: Uint8Array): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
  upstream: Upstream;
}

export class ForwardError extends Error {}

type UdpSocket = udp.Socket<"uint8array">;

export interface ForwarderOptions {
  upstreams: Upstream[];
  /** Per-upstream wait before trying the next (default 2 s). */
  timeoutMs?: number;
  log: Logger;
}

export class Forwarder {
  private sockets = new Map<string, UdpSocket>();
  private readonly pending = new Map<number, Pending>();
  private next = 0;
  private closed = false;

  constructor(private readonly opts: ForwarderOptions) {}

  get upstreams(): Upstream[] {
    return this.opts.upstreams;
  }

  private async socketFor(family: "v4" | "v6"): Promise<UdpSocket> {
    let s = this.sockets.get(family);
    if (s) return s;
    s = await Bun.udpSocket({
      hostname: family === "v4" ? "0.0.0.0" : "::",
      binaryType: "uint8array",
      socket: { data: (_sock, buf, port, address) => this.onReply(buf, port, address) },
    });
    this.sockets.set(family, s);
    return s;
  }

  private onReply(buf: Uint8Array, port: number, address: string): void {
    if (buf.length < 12) return;
    const id = (buf[0]! << 8) | buf[1]!;
    const p = this.pending.get(id);
    // Replies from anyone but the upstream asked are dropped (a spoofing guard, with the random ID).
    if (!p || p.upstream.port !== port || normalizeAddress(p.upstream.host) !== normalizeAddress(address)) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.resolve(new Uint8Array(buf));
  }

  private freshId(): number {
    for (;;) {
      const id = Math.floor(Math.random() * 0x10000);
      if (!this.pending.has(id)) return id;
    }
  }

  /**
   * Sends `query` (any ID) upstream and resolves with the reply, carrying the query's own ID.
   * `tcp`: retry over TCP when the UDP reply is truncated.
   */
  async exchange(query: Uint8Array, tcp: boolean): Promise<Uint8Array> {
    const upstreams = this.opts.upstreams;
    if (upstreams.length === 0) throw new ForwardError("no upstream nameservers");
    const originalId = (query[0]! << 8) | query[1]!;
    const start = this.next++ % upstreams.length;
    let lastErr: Error = new ForwardError("no upstream answered");
    for (let i = 0; i < Math.min(upstreams.length, 3); i++) {
      const upstream = upstreams[(start + i) % upstreams.length]!;
      try {
        let reply = await this.udp(query, upstream);
        if (tcp && header(reply).flags & FLAG.TC) reply = await this.tcp(query, upstream);
        reply[0] = originalId >> 8;
        reply[1] = originalId & 0xff;
        return reply;
      } catch (err) {
        lastErr = err as Error;
      }
    }
    throw lastErr;
  }

  private async udp(query: Uint8Array, upstream: Upstream): Promise<Uint8Array> {
    if (this.closed) throw new ForwardError("forwarder closed");
    const sock = await this.socketFor(upstream.host.includes(":") ? "v6" : "v4");
    const id = this.freshId();
    const msg = new Uint8Array(query);
    msg[0] = id >> 8;
    msg[1] = id & 0xff;
    return new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ForwardError(`${upstream.host}:${upstream.port} did not answer`));
      }, this.opts.timeoutMs ?? 2000);
      this.pending.set(id, { resolve, reject, timer, upstream });
      sock.send(msg, upstream.port, upstream.host);
    });
  }

  private tcp(query: Uint8Array, upstream: Upstream): Promise<Uint8Array> {
    const framed = new Uint8Array(query.length + 2);
    framed[0] = query.length >> 8;
    framed[1] = query.length & 0xff;
    framed.set(query, 2);
    return new Promise<Uint8Array>((resolve, reject) => {
      let got = new Uint8Array(0);
      let done = false;
      const finish = (err?: Error, reply?: Uint8Array) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(reply!);
      };
      const timer = setTimeout(() => finish(new ForwardError(`${upstream.host}:${upstream.port} did not answer over TCP`)), this.opts.timeoutMs ?? 2000);
      Bun.connect({
        hostname: upstream.host,
        port: upstream.port,
        socket: {
          open: (s) => void s.write(framed),
          data: (s, chunk) => {
            const next = new Uint8Array(got.length + chunk.length);
            next.set(got);
            next.set(chunk, got.length);
            got = next;
            if (got.length >= 2) {
              const len = (got[0]! << 8) | got[1]!;
              if (got.length >= len + 2) {
                finish(undefined, got.slice(2, len + 2));
                s.end();
              }
            }
          },
          close: () => finish(new ForwardError(`${upstream.host}:${upstream.port} closed the TCP connection`)),
          error: (_s, err) => finish(err),
          connectError: (_s, err) => finish(err),
        },
      }).catch((err: Error) => finish(err));
    });
  }

  close(): void {
    this.closed = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new ForwardError("forwarder closed"));
    }
    this.pending.clear();
    for (const s of this.sockets.values()) s.close();
    this.sockets.clear();
  }
}

/** "::ffff:1.2.3.4" and "1.2.3.4" are the same sender. */
function normalizeAddress(a: string): string {
  return a.startsWith("::ffff:") ? a.slice(7) : a.toLowerCase();
}
