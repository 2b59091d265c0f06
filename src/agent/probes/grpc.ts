/**
 * gRPC health checks (grpc.health.v1.Health/Check) over cleartext HTTP/2, as the kubelet's grpc
 * probe makes them: SERVING succeeds; another status, an error status or a timeout fails with
 * upstream's messages. The messages are tiny, so the protobuf is written and read by hand.
 */
import http2 from "node:http2";
import type { CheckResult } from "./http.ts";

const STATUS = ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"];
const CODES = ["OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound", "AlreadyExists", "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange", "Unimplemented", "Internal", "Unavailable", "DataLoss", "Unauthenticated"];

/** HealthCheckRequest { string service = 1; } in a gRPC length-prefixed frame. */
function requestFrame(service: string): Buffer {
  const s = Buffer.from(service);
  const msg = s.length ? Buffer.concat([Buffer.from([0x0a]), varint(s.length), s]) : Buffer.alloc(0);
  const head = Buffer.alloc(5);
  head.writeUInt32BE(msg.length, 1);
  return Buffer.concat([head, msg]);
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

/** HealthCheckResponse { ServingStatus status = 1; } → the status number (0 when absent). */
function responseStatus(frame: Buffer): number {
  const msg = frame.subarray(5, 5 + frame.readUInt32BE(1));
  let i = 0;
  while (i < msg.length) {
    const key = msg[i++]!;
    if (key === 0x08) {
      let v = 0;
      let shift = 0;
      for (;;) {
        const b = msg[i++]!;
        v |= (b & 0x7f) << shift;
        if (!(b & 0x80)) break;
        shift += 7;
      }
      return v;
    }
    return 0;
  }
  return 0;
}

export function grpcHealth(host: string, port: number, service: string, timeoutMs: number): Promise<CheckResult> {
  const target = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  const secs = `${timeoutMs / 1000}s`;
  return new Promise((resolve) => {
    let done = false;
    const session = http2.connect(`http://${target}`);
    const finish = (r: CheckResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      session.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, output: `timeout: health rpc did not complete within ${secs}` }), timeoutMs);
    session.on("error", (err) => finish({ ok: false, output: `timeout: failed to connect service "${target}" within ${secs}: ${err.message}` }));
    const req = session.request({ ":method": "POST", ":path": "/grpc.health.v1.Health/Check", "content-type": "application/grpc", te: "trailers" });
    const chunks: Buffer[] = [];
    let headerStatus: string | undefined;
    req.on("response", (h) => (headerStatus = h["grpc-status"] as string | undefined));
    req.on("data", (c: Buffer) => chunks.push(c));
    const settle = (trailerStatus: string | undefined, message: string) => {
      const code = Number(trailerStatus ?? headerStatus ?? 0);
      if (code !== 0) {
        const name = CODES[code] ?? String(code);
        if (name === "Unimplemented") return finish({ ok: false, output: `timeout: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${message}` });
        return finish({ ok: false, output: `error: health rpc probe failed: rpc error: code = ${name} desc = ${message}` });
      }
      const body = Buffer.concat(chunks);
      if (body.length < 5) return finish({ ok: false, output: "error: health rpc probe failed: empty response" });
      const status = responseStatus(body);
      if (status !== 1) return finish({ ok: false, output: `service unhealthy (responded with "${STATUS[status] ?? status}")` });
      finish({ ok: true, output: "service healthy" });
    };
    req.on("trailers", (t) => settle(t["grpc-status"] as string | undefined, decodeURIComponent(String(t["grpc-message"] ?? ""))));
    req.on("end", () => settle(undefined, ""));
    req.on("error", (err) => finish({ ok: false, output: `error: health rpc probe failed: ${err.message}` }));
    req.end(requestFrame(service));
  });
}
