/**
 * Store errors. Each has a stable `code` so layers above (the Kubernetes API, the etcd gRPC
 * listener) can map them without string matching.
 */
export type StoreErrorCode =
  | "compacted"
  | "future-revision"
  | "value-too-large"
  | "lease-not-found"
  | "lease-exists"
  | "key-not-found"
  | "invalid-argument"
  | "corrupt"
  | "closed"
  | "locked";

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "StoreError";
  }
}

/** The requested revision has been compacted away; clients must re-list (HTTP 410). */
export class CompactedError extends StoreError {
  constructor(
    readonly requestedRevision: number,
    readonly compactRevision: number,
  ) {
    super("compacted", `required revision ${requestedRevision} has been compacted (compacted up to ${compactRevision})`);
  }
}

export class FutureRevisionError extends StoreError {
  constructor(
    readonly requestedRevision: number,
    readonly currentRevision: number,
  ) {
    super("future-revision", `required revision ${requestedRevision} is a future revision (current ${currentRevision})`);
  }
}

/** etcd's default --max-request-bytes; the API server relies on the store to enforce it. */
export const MAX_VALUE_BYTES = 1.5 * 1024 * 1024;

export class ValueTooLargeError extends StoreError {
  constructor(
    readonly key: string,
    readonly size: number,
  ) {
    super("value-too-large", `value for key ${JSON.stringify(key)} is ${size} bytes, over the limit of ${MAX_VALUE_BYTES} bytes (1.5 MiB)`);
  }
}

export class LeaseNotFoundError extends StoreError {
  constructor(readonly leaseId: number) {
    super("lease-not-found", `requested lease ${leaseId} not found`);
  }
}

/** A put that keeps the current value or lease names a key that does not exist. */
export class KeyNotFoundError extends StoreError {
  constructor(readonly key: string) {
    super("key-not-found", `key ${JSON.stringify(key)} not found`);
  }
}

export class InvalidArgumentError extends StoreError {
  constructor(message: string) {
    super("invalid-argument", message);
  }
}

/** The database file is not a readable kts store: names the file and what is wrong. */
export class CorruptDatabaseError extends StoreError {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super("corrupt", `database file ${path} is corrupt or not a kts store: ${detail}`);
  }
}

export class StoreClosedError extends StoreError {
  constructor() {
    super("closed", "store is closed");
  }
}

/** Another process owns the data directory. */
export class StoreLockedError extends StoreError {
  constructor(
    readonly path: string,
    readonly pid: number,
  ) {
    super("locked", `database ${path} is in use by process ${pid}`);
  }
}
