/**
 * The etcd v3 API listener: etcd's gRPC services (KV, Watch, Lease, Maintenance, Cluster) over
 * the store's Backend, so etcdctl and other etcd clients work against kts. Auth is not served:
 * its methods, like any unknown one, answer UNIMPLEMENTED.
 */
import type { Backend } from "../store/index.ts";
import type { Logger } from "../log/index.ts";
import type { Method } from "./grpc/server.ts";
import { clusterMethods } from "./cluster.ts";
import { EtcdContext, MAX_MESSAGE_BYTES } from "./context.ts";
import { errorStatus } from "./errors.ts";
import { GrpcServer } from "./grpc/server.ts";
import { kvMethods } from "./kv.ts";
import { leaseMethods } from "./lease.ts";
import { maintenanceMethods } from "./maintenance.ts";
import { etcdCodecs } from "./proto/codec.ts";
import { watchMethods } from "./watch.ts";

export interface EtcdServerOptions {
  backend: Backend;
  host: string;
  /** 0 picks a free port; the server reports the real one. */
  port: number;
  log: Logger;
  /** How often idle watches with progress_notify hear from the server (default 5 s; tests shorten it). */
  progressNotifyIntervalMs?: number;
}

export interface EtcdServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Serves the etcd v3 gRPC API (KV, Watch, Lease, Maintenance, Cluster) over the store. */
export async function startEtcdServer(opts: EtcdServerOptions): Promise<EtcdServer> {
  const ctx = new EtcdContext(opts.backend, etcdCodecs(), opts.log, "kts");
  const methods = new Map<string, Method>([
    ...kvMethods(ctx),
    ...watchMethods(ctx, opts.progressNotifyIntervalMs),
    ...leaseMethods(ctx),
    ...maintenanceMethods(ctx),
    ...clusterMethods(ctx),
  ]);
  const server = new GrpcServer({
    methods,
    maxMessageBytes: MAX_MESSAGE_BYTES,
    toStatus: (err) => errorStatus(err, opts.log),
    log: opts.log,
  });
  const port = await server.listen(opts.host, opts.port);
  ctx.bind(clientUrl(opts.host, port));
  return {
    host: opts.host,
    port,
    close: () => server.close(),
  };
}

/** The URL clients reach this listener at; a wildcard address is advertised as loopback. */
function clientUrl(host: string, port: number): string {
  const reachable = host === "0.0.0.0" || host === "" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return reachable.includes(":") ? `http://[${reachable}]:${port}` : `http://${reachable}:${port}`;
}
