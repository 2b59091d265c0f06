/** The Cluster service: kts is a single member, reachable at this listener's client URL. */
import { hostname } from "node:os";
import type { EtcdContext } from "./context.ts";
import type * as M from "./proto/messages.ts";
import type { Wire } from "./proto/messages.ts";
import type { Method } from "./grpc/server.ts";
import { unary } from "./grpc/server.ts";

export function clusterMethods(ctx: EtcdContext): Array<[string, Method]> {
  const c = ctx.codecs;
  // MemberAdd/Remove/Update/Promote are not served: unknown methods answer UNIMPLEMENTED.
  return [["/etcdserverpb.Cluster/MemberList", unary(c.MemberListRequest, c.MemberListResponse, () => memberList(ctx))]];
}

async function memberList(ctx: EtcdContext): Promise<Wire<M.MemberListResponse>> {
  return {
    header: ctx.header(),
    members: [{ ID: ctx.memberId, name: ctx.name || hostname(), peerURLs: [], clientURLs: [ctx.clientUrl], isLearner: false }],
  };
}
