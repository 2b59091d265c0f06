/**
 * Turns an error reply into the API server's ApiError, as client-go's errors.FromObject does: a
 * Status body keeps its code, reason, message and details; anything else gets the reason upstream
 * infers from the HTTP status code.
 */
import { ApiError, type Status, type StatusReason } from "../../apiserver/api/errors.ts";

const REASON_BY_CODE: Record<number, StatusReason> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  406: "NotAcceptable",
  409: "Conflict",
  410: "Gone",
  413: "RequestEntityTooLarge",
  415: "UnsupportedMediaType",
  422: "Invalid",
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

export function reasonForCode(code: number): StatusReason {
  return REASON_BY_CODE[code] ?? (code >= 500 ? "InternalError" : "BadRequest");
}

function asStatus(text: string): Status | undefined {
  try {
    const body = JSON.parse(text) as Status;
    return body && body.kind === "Status" ? body : undefined;
  } catch {
    return undefined;
  }
}

export function apiErrorFromReply(httpStatus: number, text: string): ApiError {
  const status = asStatus(text);
  if (status) {
    const code = status.code || httpStatus;
    return new ApiError(code, (status.reason as StatusReason | undefined) || reasonForCode(code), status.message ?? "", status.details);
  }
  const message = text.trim() || `the server responded with the status code ${httpStatus}`;
  return new ApiError(httpStatus, reasonForCode(httpStatus), message);
}

/** A watch ERROR event carries a Status as its object. */
export function apiErrorFromStatus(status: Status): ApiError {
  const code = status.code ?? 500;
  return new ApiError(code, (status.reason as StatusReason | undefined) || reasonForCode(code), status.message ?? "", status.details);
}
