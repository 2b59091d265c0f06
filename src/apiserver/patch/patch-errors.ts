/**
 * The failures kube-apiserver's PATCH handler (apiserver/pkg/endpoints/handlers/patch.go)
 * answers with. The engine's own description of what went wrong is kept as the error's `cause`
 * for logs; upstream does not send it to the client for 422s, and neither do we.
 */
import { ApiError, errors, fieldErrorMessage, type FieldError } from "../api/errors.ts";

export const PATCH_TYPES = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
} as const;

function withCause(err: ApiError, cause: string): ApiError {
  err.cause = cause;
  return err;
}

/**
 * A patch that decoded but could not be applied (failed `test`, missing path, ...). Upstream
 * builds this with NewGenericServerResponse(422), whose message is fixed and whose details are
 * empty; kubectl prints "The request is invalid: the server rejected our request ...".
 */
export function patchRejected(cause: string): ApiError {
  return withCause(new ApiError(422, "Invalid", "the server rejected our request due to an error in our request", {}), cause);
}

/** 400 for a body that is not a well-formed patch document. */
export function badPatch(message: string): ApiError {
  return errors.badRequest(message);
}

/**
 * Errors upstream returns as plain Go errors, which the apiserver sends as 500 with the bare
 * message. Upstream leaves `reason` empty; ApiError requires one, so InternalError stands in.
 */
export function patchInternal(message: string): ApiError {
  return new ApiError(500, "InternalError", message);
}

/** The 415 for a content type the resource does not accept as a patch (negotiation.NewUnsupportedMediaTypeError). */
export function unsupportedPatchType(accepted: readonly string[]): ApiError {
  return new ApiError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`);
}

export function tooManyOperations(max: number, got: number): ApiError {
  return errors.tooLarge(`Request entity too large: The allowed maximum operations in a JSON patch is ${max}, got ${got}`);
}

/**
 * The patched document is not an object, so it cannot be decoded into the resource type.
 * Upstream reports the decoder's failure as an Invalid error on the field "patch", with an
 * empty kind and name (hence the message's leading space).
 */
export function patchedNotAnObject(patchedJson: string, kind: string): ApiError {
  const goType = 'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }';
  const detail = `couldn't get version/kind; json parse error: json: cannot unmarshal ${kind} into Go value of type ${goType}`;
  const fe: FieldError = { type: "FieldValueInvalid", field: "patch", value: patchedJson, detail };
  const cause = { reason: fe.type, message: fieldErrorMessage({ ...fe, field: "" }), field: fe.field };
  return new ApiError(422, "Invalid", ` "" is invalid: ${fieldErrorMessage(fe)}`, { causes: [cause] });
}
