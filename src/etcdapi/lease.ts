/**
 * The Lease service. Keep-alives arrive on a bidirectional stream and are answered in order; an
 * unknown or expired lease is answered with TTL 0 (not an error), which clientv3 reports as
 * "lease expired or revoked", exactly as etcd does.
 */
import { keyToBytes, LeaseNotFoundError } from "../store/index.ts";
import type { EtcdContext } from "./context.ts";
import type * as M from "./proto/messages.ts";
import type { Wire } from "./proto/messages.ts";
import type { StreamCall } from "./grpc/call.ts";
import type { BidiHandlers, Method } from "./grpc/server.ts";
import { bidi, unary } from "./grpc/server.ts";

export function leaseMethods(ctx: EtcdContext): Array<[string, Method]> {
  const c = ctx.codecs;
  return [
    ["/etcdserverpb.Lease/LeaseGrant", unary(c.LeaseGrantRequest, c.LeaseGrantResponse, (req) => grant(ctx, req))],
    ["/etcdserverpb.Lease/LeaseRevoke", unary(c.LeaseRevokeRequest, c.LeaseRevokeResponse, (req) => revoke(ctx, req))],
    ["/etcdserverpb.Lease/LeaseKeepAlive", bidi(c.LeaseKeepAliveRequest, c.LeaseKeepAliveResponse, (call) => keepAliveStream(ctx, call))],
    ["/etcdserverpb.Lease/LeaseTimeToLive", unary(c.LeaseTimeToLiveRequest, c.LeaseTimeToLiveResponse, (req) => timeToLive(ctx, req))],
    ["/etcdserverpb.Lease/LeaseLeases", unary(c.LeaseLeasesRequest, c.LeaseLeasesResponse, () => leases(ctx))],
  ];
}

async function grant(ctx: EtcdContext, req: M.LeaseGrantRequest): Promise<Wire<M.LeaseGrantResponse>> {
  const info = await ctx.backend.grantLease(req.TTL, req.ID);
  return { header: ctx.header(), ID: info.id, TTL: info.grantedTtl };
}

async function revoke(ctx: EtcdContext, req: M.LeaseIdRequest): Promise<Wire<M.HeaderOnly>> {
  const { revision } = await ctx.backend.revokeLease(req.ID);
  return { header: ctx.header(revision) };
}

function keepAliveStream(ctx: EtcdContext, call: StreamCall<Wire<M.LeaseKeepAliveResponse>>): BidiHandlers<M.LeaseIdRequest> {
  // Requests are answered in arrival order: each waits for the one before it.
  let queue: Promise<void> = Promise.resolve();
  return {
    message(req) {
      queue = queue.then(async () => {
        if (!call.active) return;
        try {
          const info = await ctx.backend.keepAliveLease(req.ID);
          call.send({ header: ctx.header(), ID: req.ID, TTL: info.ttl });
        } catch (err) {
          if (err instanceof LeaseNotFoundError) call.send({ header: ctx.header(), ID: req.ID, TTL: 0 });
          else call.finish(err);
        }
      });
    },
  };
}

async function timeToLive(ctx: EtcdContext, req: M.LeaseTimeToLiveRequest): Promise<Wire<M.LeaseTimeToLiveResponse>> {
  const info = ctx.backend.leaseTimeToLive(req.ID, req.keys);
  // The store reports an unknown lease as ttl -1 with no granted TTL; etcd answers TTL -1 too.
  if (info.ttl < 0 && info.grantedTtl === 0) return { header: ctx.header(), ID: req.ID, TTL: -1 };
  return {
    header: ctx.header(),
    ID: info.id,
    TTL: info.ttl,
    grantedTTL: info.grantedTtl,
    keys: (info.keys ?? []).map((k) => keyToBytes(k)),
  };
}

async function leases(ctx: EtcdContext): Promise<Wire<M.LeaseLeasesResponse>> {
  return { header: ctx.header(), leases: ctx.backend.listLeases().map((ID) => ({ ID })) };
}
