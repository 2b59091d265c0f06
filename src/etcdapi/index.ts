import type { Backend } from "../store/index.ts";
import type { Logger } from "../log/index.ts";

export interface EtcdServerOptions {
  backend: Backend;
  host: string;
  port: number;
  log: Logger;
}

export interface EtcdServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Serves the etcd v3 gRPC API (KV, Watch, Lease, Maintenance, Cluster) over the store. */
export async function startEtcdServer(_opts: EtcdServerOptions): Promise<EtcdServer> {
  throw new Error("the etcd v3 listener is not implemented yet");
}
