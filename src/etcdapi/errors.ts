/**
 * Store errors and listener errors mapped to the gRPC statuses and messages etcd uses, so that
 * etcdctl and clientv3 recognise them (clientv3 matches on the message text of several).
 */
import type { Logger } from "../log/index.ts";
import {
  CompactedError,
  FutureRevisionError,
  InvalidArgumentError,
  KeyNotFoundError,
  LeaseNotFoundError,
  StoreError,
  ValueTooLargeError,
} from "../store/index.ts";
import type { CallStatus } from "./grpc/call.ts";
import { GrpcError, Status } from "./grpc/status.ts";

/** etcd's rpctypes errors that the listener raises itself. */
export const EtcdErrors = {
  emptyKey: () => new GrpcError(Status.INVALID_ARGUMENT, "etcdserver: key is not provided"),
  valueProvided: () => new GrpcError(Status.INVALID_ARGUMENT, "etcdserver: value is provided"),
  leaseProvided: () => new GrpcError(Status.INVALID_ARGUMENT, "etcdserver: lease is provided"),
  requestTooLarge: () => new GrpcError(Status.INVALID_ARGUMENT, "etcdserver: request is too large"),
  compacted: () => new GrpcError(Status.OUT_OF_RANGE, "etcdserver: mvcc: required revision has been compacted"),
  futureRevision: () => new GrpcError(Status.OUT_OF_RANGE, "etcdserver: mvcc: required revision is a future revision"),
  leaseNotFound: () => new GrpcError(Status.NOT_FOUND, "etcdserver: requested lease not found"),
  stopped: () => new GrpcError(Status.UNAVAILABLE, "etcdserver: server stopped"),
};

/** Translates any error thrown while serving a call into its gRPC status. */
export function errorStatus(err: unknown, log?: Logger): CallStatus {
  const grpc = toGrpcError(err);
  if (grpc) return { code: grpc.code, message: grpc.message };
  log?.error("etcd API call failed", { err });
  return { code: Status.UNKNOWN, message: err instanceof Error ? err.message : String(err) };
}

function toGrpcError(err: unknown): GrpcError | undefined {
  if (err instanceof GrpcError) return err;
  if (!(err instanceof StoreError)) return undefined;
  if (err instanceof CompactedError) return EtcdErrors.compacted();
  if (err instanceof FutureRevisionError) return EtcdErrors.futureRevision();
  if (err instanceof ValueTooLargeError) return EtcdErrors.requestTooLarge();
  if (err instanceof LeaseNotFoundError) return EtcdErrors.leaseNotFound();
  if (err instanceof KeyNotFoundError) return new GrpcError(Status.INVALID_ARGUMENT, "etcdserver: key not found");
  // The store words these as etcd does ("etcdserver: too many operations in txn request").
  if (err instanceof InvalidArgumentError) return new GrpcError(Status.INVALID_ARGUMENT, err.message);
  switch (err.code) {
    case "invalid-argument":
      return new GrpcError(Status.INVALID_ARGUMENT, err.message);
    case "lease-exists":
      return new GrpcError(Status.FAILED_PRECONDITION, "etcdserver: lease already exists");
    case "closed":
      return EtcdErrors.stopped();
    case "corrupt":
      return new GrpcError(Status.DATA_LOSS, `etcdserver: ${err.message}`);
    default:
      return new GrpcError(Status.UNKNOWN, err.message);
  }
}
