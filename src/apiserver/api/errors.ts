/**
 * API errors, shaped exactly like apimachinery's `Status` so kubectl and client libraries print
 * their familiar messages. Constructors follow k8s.io/apimachinery/pkg/api/errors.
 */
import type { V1Status, V1StatusCause } from "@kubernetes/client-node";
import type { Wire } from "./types.ts";

export type Status = Wire<V1Status>;
export type StatusCause = Wire<V1StatusCause>;

export type StatusReason =
  | "BadRequest"
  | "Unauthorized"
  | "Forbidden"
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Gone"
  | "Expired"
  | "Invalid"
  | "MethodNotAllowed"
  | "NotAcceptable"
  | "RequestEntityTooLarge"
  | "UnsupportedMediaType"
  | "TooManyRequests"
  | "InternalError"
  | "Timeout"
  | "ServiceUnavailable";

/** What an error names: the resource (plural, e.g. "pods"), its group, the object's name and kind. */
export interface ErrorTarget {
  group?: string;
  resource?: string;
  kind?: string;
  name?: string;
}

/** A validation failure of one field, as upstream's field.Error. */
export interface FieldError {
  type: FieldErrorType;
  field: string;
  /** Shown after the type's standard text (e.g. "Required value: ..."). */
  detail?: string;
  /** The offending value, quoted in the message for Invalid/NotSupported/Duplicate. */
  value?: unknown;
}

export type FieldErrorType =
  | "FieldValueRequired"
  | "FieldValueInvalid"
  | "FieldValueNotSupported"
  | "FieldValueDuplicate"
  | "FieldValueForbidden"
  | "FieldValueTooLong"
  | "FieldValueTooMany"
  | "FieldValueNotFound"
  | "InternalError";

const FIELD_ERROR_TEXT: Record<FieldErrorType, string> = {
  FieldValueRequired: "Required value",
  FieldValueInvalid: "Invalid value",
  FieldValueNotSupported: "Unsupported value",
  FieldValueDuplicate: "Duplicate value",
  FieldValueForbidden: "Forbidden",
  FieldValueTooLong: "Too long",
  FieldValueTooMany: "Too many",
  FieldValueNotFound: "Not found",
  InternalError: "Internal error",
};

/** "spec.containers[0].image: Required value" — upstream's field.Error.Error(). */
export function fieldErrorMessage(e: FieldError): string {
  let text = FIELD_ERROR_TEXT[e.type];
  // Too many shows the count when one is given (upstream's field.TooMany since 1.30).
  const showsValue =
    e.type === "FieldValueInvalid" || e.type === "FieldValueNotSupported" || e.type === "FieldValueDuplicate" || e.type === "FieldValueNotFound" || e.type === "FieldValueTooMany";
  if (showsValue && e.value !== undefined) text += `: ${typeof e.value === "string" ? JSON.stringify(e.value) : formatValue(e.value)}`;
  if (e.detail) text += `: ${e.detail}`;
  return e.field ? `${e.field}: ${text}` : text;
}

/**
 * A bad value that carries its own rendering, for values Go prints with `%#v` or `%v` in ways
 * JSON does not (e.g. CRD validation's `map[string]interface {}{"name":"a"}` or a float's `1e+06`).
 */
export class GoFormattedValue {
  constructor(
    readonly text: string,
    readonly value: unknown,
  ) {}

  toJSON(): unknown {
    return this.value;
  }
}

function formatValue(v: unknown): string {
  if (v instanceof GoFormattedValue) return v.text;
  if (v === null) return "null";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** A failed API request: HTTP code plus the Status body sent to the client. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: Status["details"],
    /** Extra response headers (Retry-After, ...). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "ApiError";
  }

  toStatus(): Status {
    const status: Status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: this.message, reason: this.reason, code: this.code };
    if (this.details) status.details = this.details;
    return status;
  }
}

/** "pods" or "deployments.apps": how upstream names a resource in messages. */
export function qualifiedResource(t: ErrorTarget): string {
  return t.group ? `${t.resource}.${t.group}` : (t.resource ?? "");
}

/** Upstream names the resource (plural) in details.kind, except for Invalid, which names the Kind. */
function details(t: ErrorTarget, extra: Partial<NonNullable<Status["details"]>> = {}): NonNullable<Status["details"]> {
  const d: NonNullable<Status["details"]> = {};
  if (t.name !== undefined) d.name = t.name;
  if (t.group) d.group = t.group;
  if (t.resource ?? t.kind) d.kind = t.resource ?? t.kind;
  return { ...d, ...extra };
}

export const errors = {
  notFound(t: ErrorTarget): ApiError {
    return new ApiError(404, "NotFound", `${qualifiedResource(t)} "${t.name}" not found`, details(t));
  },
  alreadyExists(t: ErrorTarget): ApiError {
    return new ApiError(409, "AlreadyExists", `${qualifiedResource(t)} "${t.name}" already exists`, details(t));
  },
  conflict(t: ErrorTarget, why: string): ApiError {
    return new ApiError(409, "Conflict", `Operation cannot be fulfilled on ${qualifiedResource(t)} "${t.name}": ${why}`, details(t));
  },
  /** The standard optimistic-concurrency failure. */
  staleResourceVersion(t: ErrorTarget): ApiError {
    return errors.conflict(t, "the object has been modified; please apply your changes to the latest version and try again");
  },
  /** 422 with field causes: `The Pod "p1" is invalid: spec.containers[0].image: Required value`. */
  invalid(t: ErrorTarget & { kind: string }, fieldErrors: FieldError[]): ApiError {
    // A cause's message is the error text without its field prefix; the field travels apart.
    const causes: StatusCause[] = fieldErrors.map((e) => ({ reason: e.type, message: fieldErrorMessage({ ...e, field: "" }), field: e.field }));
    // Identical errors are reported once, as upstream's ErrorList.ToAggregate dedupes them.
    const list = [...new Set(fieldErrors.map(fieldErrorMessage))];
    const summary = list.length === 1 ? list[0] : `[${list.join(", ")}]`;
    // Upstream qualifies the kind with its group here: `Deployment.apps "web" is invalid: ...`.
    const kind = t.group ? `${t.kind}.${t.group}` : t.kind;
    return new ApiError(422, "Invalid", `${kind} "${t.name ?? ""}" is invalid: ${summary}`, { ...details(t, { causes }), kind: t.kind });
  },
  badRequest(message: string): ApiError {
    return new ApiError(400, "BadRequest", message);
  },
  unauthorized(message = "Unauthorized"): ApiError {
    return new ApiError(401, "Unauthorized", message);
  },
  forbidden(t: ErrorTarget, why: string): ApiError {
    const what = t.name ? `${qualifiedResource(t)} "${t.name}"` : qualifiedResource(t);
    return new ApiError(403, "Forbidden", `${what} is forbidden: ${why}`, details(t));
  },
  methodNotSupported(t: ErrorTarget, verb: string): ApiError {
    return new ApiError(405, "MethodNotAllowed", `${verb} is not supported on resources of kind "${qualifiedResource(t)}"`, details(t));
  },
  notAcceptable(message: string): ApiError {
    return new ApiError(406, "NotAcceptable", message);
  },
  unsupportedMediaType(): ApiError {
    return new ApiError(
      415,
      "UnsupportedMediaType",
      "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf",
    );
  },
  tooLarge(message = "the request is too large"): ApiError {
    return new ApiError(413, "RequestEntityTooLarge", message);
  },
  /** 410 for a watch or list from a compacted resourceVersion. */
  resourceExpired(message: string): ApiError {
    return new ApiError(410, "Expired", message);
  },
  gone(message: string): ApiError {
    return new ApiError(410, "Gone", message);
  },
  internal(err: unknown): ApiError {
    const msg = err instanceof Error ? err.message : String(err);
    return new ApiError(500, "InternalError", `Internal error occurred: ${msg}`, { causes: [{ message: msg }] });
  },
  timeout(message: string, retryAfterSeconds = 1): ApiError {
    return new ApiError(504, "Timeout", message, { retryAfterSeconds }, { "Retry-After": String(retryAfterSeconds) });
  },
  serviceUnavailable(message: string): ApiError {
    return new ApiError(503, "ServiceUnavailable", message);
  },
};

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}
