/**
 * Runs one probe or lifecycle-hook handler against a container: httpGet and tcpSocket go to the
 * pod IP (or the handler's host), named ports resolve through the container's ports, exec runs in
 * the container, grpc asks the standard health service.
 */
import type { Container, Probe } from "../runtime/index.ts";
import { httpGet, type CheckResult } from "./http.ts";
import { tcpConnect } from "./tcp.ts";

export interface ProbeTarget {
  podIP: string;
  container: Container;
  /** Runs a command in the container (docker exec). */
  exec(cmd: string[], timeoutMs: number): Promise<{ exitCode: number; output: string; timedOut: boolean }>;
}

type Handler = Pick<Probe, "httpGet" | "tcpSocket" | "exec" | "grpc">;

/** A probe port: a number, or the name of one of the container's ports. */
export function resolvePort(port: number | string | undefined, container: Container): number {
  if (typeof port === "number") return port;
  if (port !== undefined && /^\d+$/.test(port)) return Number(port);
  const named = (container.ports ?? []).find((p) => p.name === port);
  if (!named) throw new Error(`couldn't find port: ${port} in ${JSON.stringify(container.ports ?? [])}`);
  return named.containerPort;
}

export async function runHandler(handler: Handler, target: ProbeTarget, timeoutMs: number): Promise<CheckResult> {
  if (handler.exec) {
    const cmd = handler.exec.command ?? [];
    const r = await target.exec(cmd, timeoutMs);
    if (r.timedOut) return { ok: false, output: `command "${cmd.join(" ")}" timed out` };
    return { ok: r.exitCode === 0, output: r.output };
  }
  if (handler.httpGet) {
    const g = handler.httpGet;
    return httpGet({
      scheme: (g.scheme ?? "HTTP") as "HTTP" | "HTTPS",
      host: g.host || target.podIP,
      port: resolvePort(g.port as number | string, target.container),
      path: g.path ?? "/",
      headers: (g.httpHeaders ?? []).map((h) => ({ name: h.name, value: h.value })),
      timeoutMs,
    });
  }
  if (handler.tcpSocket) {
    const t = handler.tcpSocket;
    return tcpConnect(t.host || target.podIP, resolvePort(t.port as number | string, target.container), timeoutMs);
  }
  if (handler.grpc) {
    // Loaded on first use: node:http2 is a few MB that pods without gRPC probes need not pay for.
    const { grpcHealth } = await import("./grpc.ts");
    return grpcHealth(target.podIP, handler.grpc.port, handler.grpc.service ?? "", timeoutMs);
  }
  return { ok: false, output: "missing probe handler" };
}
