/** State shared by the etcd services: the store, codecs, identity, and the response header. */
import type { Logger } from "../log/index.ts";
import type { Backend } from "../store/index.ts";
import type { ResponseHeader } from "./proto/messages.ts";
import type { EtcdCodecs } from "./proto/codec.ts";

/** The etcd version kts reports: the API level it implements, which etcdctl 3.4 expects. */
export const ETCD_VERSION = "3.4.23";
/** kts is one member that is always the leader of its term. */
export const RAFT_TERM = 1;
/** etcd's default --max-request-bytes: larger writes fail with "request is too large". */
export const MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;
/** gRPC's receive limit in etcd: the request limit plus room for protocol overhead. */
export const MAX_MESSAGE_BYTES = MAX_REQUEST_BYTES + 512 * 1024;

export class EtcdContext {
  /** Set once the listener is bound: the member id is derived from its client URL. */
  clientUrl = "";
  memberId = 0;
  readonly clusterId: number;

  constructor(
    readonly backend: Backend,
    readonly codecs: EtcdCodecs,
    readonly log: Logger,
    readonly name: string,
  ) {
    this.clusterId = stableId(`kts-cluster/${name}`);
  }

  bind(clientUrl: string): void {
    this.clientUrl = clientUrl;
    this.memberId = stableId(`kts-member/${clientUrl}`);
  }

  /** The header every response carries; revision defaults to the store's current one. */
  header(revision = this.backend.currentRevision()): ResponseHeader {
    return { cluster_id: this.clusterId, member_id: this.memberId, revision, raft_term: RAFT_TERM };
  }
}

/** A nonzero id below 2^52 (exact as a JS number) derived from a name. */
function stableId(name: string): number {
  const h = Bun.hash.wyhash(name);
  return Number(h & 0xf_ffff_ffff_ffffn) || 1;
}
