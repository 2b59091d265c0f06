/**
 * The Maintenance service: Status, Defragment, Alarm, Hash/HashKV and Snapshot. A snapshot is
 * written by the store to a temporary file, streamed in chunks (waiting for the client to read),
 * and followed by the SHA-256 of everything sent as a last 32-byte chunk, as etcd does; kts'
 * restore recognises and checks that trailer.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { keyToBytes, RANGE_ALL } from "../store/index.ts";
import type { EtcdContext } from "./context.ts";
import type * as M from "./proto/messages.ts";
import type { Wire } from "./proto/messages.ts";
import type { StreamCall } from "./grpc/call.ts";
import type { Method } from "./grpc/server.ts";
import { ETCD_VERSION, RAFT_TERM } from "./context.ts";
import { serverStream, unary } from "./grpc/server.ts";

/** Bytes per snapshot chunk. */
const SNAPSHOT_CHUNK_BYTES = 64 * 1024;
/** Keys read per step while hashing the keyspace. */
const HASH_PAGE = 1000;

export function maintenanceMethods(ctx: EtcdContext): Array<[string, Method]> {
  const c = ctx.codecs;
  return [
    ["/etcdserverpb.Maintenance/Alarm", unary(c.AlarmRequest, c.AlarmResponse, () => ({ header: ctx.header(), alarms: [] }))],
    ["/etcdserverpb.Maintenance/Status", unary(c.StatusRequest, c.StatusResponse, () => status(ctx))],
    ["/etcdserverpb.Maintenance/Defragment", unary(c.DefragmentRequest, c.DefragmentResponse, () => defragment(ctx))],
    ["/etcdserverpb.Maintenance/Hash", unary(c.HashRequest, c.HashResponse, async () => ({ header: ctx.header(), hash: await hashKv(ctx, 0) }))],
    ["/etcdserverpb.Maintenance/HashKV", unary(c.HashKVRequest, c.HashKVResponse, (req) => hashKvResponse(ctx, req))],
    ["/etcdserverpb.Maintenance/Snapshot", serverStream(c.SnapshotRequest, c.SnapshotResponse, (_req, call) => snapshot(ctx, call))],
  ];
}

function status(ctx: EtcdContext): Wire<M.StatusResponse> {
  const s = ctx.backend.status();
  return {
    header: ctx.header(s.revision),
    version: ETCD_VERSION,
    dbSize: s.dbSize,
    dbSizeInUse: s.dbSizeInUse,
    leader: ctx.memberId,
    // No raft log: every revision stands for one applied entry.
    raftIndex: s.revision,
    raftAppliedIndex: s.revision,
    raftTerm: RAFT_TERM,
    errors: [],
    isLearner: false,
  };
}

async function defragment(ctx: EtcdContext): Promise<Wire<M.HeaderOnly>> {
  await ctx.backend.defragment();
  return { header: ctx.header() };
}

/**
 * CRC-32 over every key, mod revision and value at a revision (0 = current), read in pages at one
 * pinned revision. Only equality between calls means anything: a single member has nothing to
 * compare against but itself over time.
 */
async function hashKv(ctx: EtcdContext, revision: number): Promise<number> {
  const rev = revision > 0 ? revision : ctx.backend.currentRevision();
  let hash = 0;
  let from = "";
  for (;;) {
    const page = await ctx.backend.range({ key: from, end: RANGE_ALL, revision: rev, limit: HASH_PAGE });
    for (const kv of page.kvs) {
      hash = Bun.hash.crc32(keyToBytes(kv.key), hash);
      hash = Bun.hash.crc32(String(kv.modRevision), hash);
      hash = Bun.hash.crc32(kv.value, hash);
    }
    if (!page.more || page.kvs.length === 0) return hash >>> 0;
    from = page.kvs[page.kvs.length - 1]!.key + "\0";
  }
}

async function hashKvResponse(ctx: EtcdContext, req: M.HashKVRequest): Promise<Wire<M.HashKVResponse>> {
  const hash = await hashKv(ctx, req.revision);
  return { header: ctx.header(), hash, compact_revision: ctx.backend.compactRevision() };
}

async function snapshot(ctx: EtcdContext, call: StreamCall<Wire<M.SnapshotResponse>>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "kts-etcd-snapshot-"));
  try {
    const path = join(dir, "snapshot.db");
    const { revision, size } = await ctx.backend.snapshot(path);
    ctx.log.v(1).info("streaming snapshot", { revision, bytes: size });
    await streamFile(ctx, call, path, size, ctx.header(revision));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function streamFile(
  ctx: EtcdContext,
  call: StreamCall<Wire<M.SnapshotResponse>>,
  path: string,
  size: number,
  header: M.ResponseHeader,
): Promise<void> {
  const file = await open(path, "r");
  try {
    const sha = createHash("sha256");
    let sent = 0;
    while (sent < size && call.active) {
      const chunk = Buffer.allocUnsafe(Math.min(SNAPSHOT_CHUNK_BYTES, size - sent));
      const { bytesRead } = await file.read(chunk, 0, chunk.length, sent);
      if (bytesRead === 0) throw new Error(`snapshot file ${path} ended after ${sent} of ${size} bytes`);
      const blob = chunk.subarray(0, bytesRead);
      sha.update(blob);
      sent += bytesRead;
      if (!call.send({ header, remaining_bytes: size - sent, blob })) await call.drained();
    }
    if (call.active) call.send({ header, remaining_bytes: 0, blob: sha.digest() });
    ctx.log.v(2).info("snapshot sent", { bytes: sent });
  } finally {
    await file.close();
  }
}
