/**
 * Probe checks against real loopback servers (HTTP, TCP, gRPC health over HTTP/2), and the
 * worker's thresholds and startup gating.
 */
import { afterAll, describe, expect, test } from "bun:test";
import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import type { Container } from "../runtime/index.ts";
import { grpcHealth } from "./grpc.ts";
import { ContainerProbes, httpGet, resolvePort, runHandler, tcpConnect } from "./index.ts";

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)));
}

const seen: http.IncomingHttpHeaders[] = [];
const web = http.createServer((req, res) => {
  seen.push(req.headers);
  if (req.url === "/ok") return res.end("fine");
  if (req.url === "/redirect") {
    res.writeHead(302, { location: "/ok" });
    return res.end();
  }
  res.writeHead(503);
  res.end("down");
});
const webPort = await listen(web);

let serving = 1;
const grpc = http2.createServer();
grpc.on("stream", (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
  if (headers[":path"] !== "/grpc.health.v1.Health/Check") {
    stream.respond({ ":status": 200, "content-type": "application/grpc", "grpc-status": "12", "grpc-message": "unknown%20method" });
    return stream.end();
  }
  stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
  stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
  const msg = Buffer.from([0x08, serving]);
  const frame = Buffer.alloc(5);
  frame.writeUInt32BE(msg.length, 1);
  stream.end(Buffer.concat([frame, msg]));
});
const grpcPort = await listen(grpc as unknown as net.Server);

afterAll(() => {
  web.close();
  grpc.close();
});

describe("checks", () => {
  test("httpGet: 2xx/3xx succeed, same-host redirects are followed, other codes fail", async () => {
    const base = { scheme: "HTTP" as const, host: "127.0.0.1", port: webPort, headers: [{ name: "X-Probe", value: "1" }], timeoutMs: 1000 };
    expect(await httpGet({ ...base, path: "/ok" })).toEqual({ ok: true, output: "fine" });
    expect((await httpGet({ ...base, path: "/redirect" })).ok).toBe(true);
    expect(await httpGet({ ...base, path: "/bad" })).toEqual({ ok: false, output: "HTTP probe failed with statuscode: 503" });
    expect(seen.at(-1)?.["user-agent"]).toBe("kube-probe/1.32");
    expect(seen.at(-1)?.["x-probe"]).toBe("1");
  });

  test("connection errors read like the kubelet's", async () => {
    const free = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    expect((await tcpConnect("127.0.0.1", webPort, 1000)).ok).toBe(true);
    expect(await tcpConnect("127.0.0.1", free, 1000)).toEqual({ ok: false, output: `dial tcp 127.0.0.1:${free}: connect: connection refused` });
    const r = await httpGet({ scheme: "HTTP", host: "127.0.0.1", port: free, path: "/", headers: [], timeoutMs: 1000 });
    expect(r.output).toBe(`Get "http://127.0.0.1:${free}/": dial tcp 127.0.0.1:${free}: connect: connection refused`);
  });

  test("grpc health: SERVING succeeds, NOT_SERVING fails", async () => {
    serving = 1;
    expect(await grpcHealth("127.0.0.1", grpcPort, "", 2000)).toEqual({ ok: true, output: "service healthy" });
    serving = 2;
    expect(await grpcHealth("127.0.0.1", grpcPort, "svc", 2000)).toEqual({ ok: false, output: 'service unhealthy (responded with "NOT_SERVING")' });
  });

  test("a grpc probe handler goes to the pod IP's health service", async () => {
    serving = 1;
    const target = { podIP: "127.0.0.1", container: { name: "c" } as Container, exec: async () => ({ exitCode: 0, output: "", timedOut: false }) };
    expect(await runHandler({ grpc: { port: grpcPort } }, target, 2000)).toEqual({ ok: true, output: "service healthy" });
  });

  test("named ports resolve through the container's ports", () => {
    const c = { name: "c", ports: [{ name: "http", containerPort: 8080 }] } as Container;
    expect(resolvePort("http", c)).toBe(8080);
    expect(resolvePort(81, c)).toBe(81);
    expect(() => resolvePort("nope", c)).toThrow("couldn't find port");
  });
});

describe("workers", () => {
  test("readiness follows thresholds; liveness waits for the startup probe", async () => {
    let exitCode = 1;
    const calls: string[] = [];
    const events: string[] = [];
    let changes = 0;
    const container = {
      name: "c",
      startupProbe: { exec: { command: ["startup"] }, periodSeconds: 1, failureThreshold: 30 },
      readinessProbe: { exec: { command: ["ready"] }, periodSeconds: 1, successThreshold: 2 },
      livenessProbe: { exec: { command: ["live"] }, periodSeconds: 1, failureThreshold: 1 },
    } as unknown as Container;
    const probes = new ContainerProbes(
      "id",
      Date.now(),
      {
        podIP: "127.0.0.1",
        container,
        exec: async (cmd) => {
          calls.push(cmd[0]!);
          if (cmd[0] === "startup") return { exitCode, output: "starting", timedOut: false };
          if (cmd[0] === "ready") return { exitCode: 0, output: "", timedOut: false };
          return { exitCode: 1, output: "dead", timedOut: false };
        },
      },
      { changed: () => changes++, event: (_t, reason, msg) => events.push(`${reason}: ${msg}`) },
      container,
    );
    try {
      await Bun.sleep(300);
      expect(probes.started).toBe(false);
      expect(calls).toEqual(["startup"]);
      expect(events).toEqual(["Unhealthy: Startup probe failed: starting"]);
      exitCode = 0;
      const deadline = Date.now() + 8000;
      while (!(probes.ready && probes.failure) && Date.now() < deadline) await Bun.sleep(50);
      expect(probes.started).toBe(true);
      expect(probes.ready).toBe(true);
      expect(probes.failure?.kind).toBe("liveness");
      expect(events).toContain("Unhealthy: Liveness probe failed: dead");
      expect(calls.filter((c) => c === "ready").length).toBeGreaterThanOrEqual(2);
      expect(changes).toBeGreaterThanOrEqual(2);
    } finally {
      probes.stop();
    }
  }, 30_000);
});
