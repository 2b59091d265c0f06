import { describe, expect, test } from "bun:test";
import {
  CompactedError,
  FutureRevisionError,
  InvalidArgumentError,
  KeyNotFoundError,
  LeaseNotFoundError,
  StoreClosedError,
  StoreError,
  ValueTooLargeError,
} from "../store/index.ts";
import { errorStatus } from "./errors.ts";
import { GrpcError, Status } from "./grpc/status.ts";

describe("store errors map to etcd's gRPC statuses", () => {
  const cases: Array<[unknown, number, string]> = [
    [new CompactedError(2, 5), Status.OUT_OF_RANGE, "etcdserver: mvcc: required revision has been compacted"],
    [new FutureRevisionError(9, 5), Status.OUT_OF_RANGE, "etcdserver: mvcc: required revision is a future revision"],
    [new ValueTooLargeError("k", 2e6), Status.INVALID_ARGUMENT, "etcdserver: request is too large"],
    [new LeaseNotFoundError(7), Status.NOT_FOUND, "etcdserver: requested lease not found"],
    [new KeyNotFoundError("k"), Status.INVALID_ARGUMENT, "etcdserver: key not found"],
    [new InvalidArgumentError("etcdserver: too large lease TTL"), Status.INVALID_ARGUMENT, "etcdserver: too large lease TTL"],
    [new StoreError("lease-exists", "x"), Status.FAILED_PRECONDITION, "etcdserver: lease already exists"],
    [new StoreClosedError(), Status.UNAVAILABLE, "etcdserver: server stopped"],
    [new GrpcError(Status.UNIMPLEMENTED, "nope"), Status.UNIMPLEMENTED, "nope"],
  ];
  for (const [err, code, message] of cases) {
    test(`${(err as Error).constructor.name}: ${message}`, () => {
      expect(errorStatus(err)).toEqual({ code: code as never, message });
    });
  }

  test("anything else is UNKNOWN with its message", () => {
    expect(errorStatus(new Error("boom"))).toEqual({ code: Status.UNKNOWN, message: "boom" });
  });
});
