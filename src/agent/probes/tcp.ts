/**
 * TCP checks: success when a connection opens within the timeout. Errors read like Go's dialer
 * ("dial tcp 10.0.0.1:80: connect: connection refused"), which is what users see in events.
 */
import net from "node:net";
import type { CheckResult } from "./http.ts";

export function dialError(host: string, port: number, err: unknown): string {
  const code = (err as { code?: string }).code;
  const target = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  switch (code) {
    case "ECONNREFUSED":
      return `dial tcp ${target}: connect: connection refused`;
    case "EHOSTUNREACH":
      return `dial tcp ${target}: connect: no route to host`;
    case "ENETUNREACH":
      return `dial tcp ${target}: connect: network is unreachable`;
    case "ETIMEDOUT":
      return `dial tcp ${target}: i/o timeout`;
    case "ECONNRESET":
      return `read tcp ${target}: read: connection reset by peer`;
  }
  return `dial tcp ${target}: ${err instanceof Error ? err.message : String(err)}`;
}

export function tcpConnect(host: string, port: number, timeoutMs: number): Promise<CheckResult> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ ok: false, output: dialError(host, port, { code: "ETIMEDOUT" }) });
    }, timeoutMs);
    sock.once("connect", () => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ ok: true, output: "" });
    });
    sock.once("error", (err) => {
      clearTimeout(timer);
      resolve({ ok: false, output: dialError(host, port, err) });
    });
  });
}
