/**
 * A plain Go error that reached one of upstream's REST handlers (not an apimachinery StatusError):
 * kube-apiserver answers it as a Status with the code and the error's text but no reason, e.g.
 * `Component not found: foo` (500) or a Binding's `target.name: Required value`.
 */
import { ApiError, type Status } from "./errors.ts";

export class PlainServerError extends ApiError {
  constructor(message: string, code = 500) {
    super(code, "InternalError", message);
  }

  override toStatus(): Status {
    const { reason: _none, ...status } = super.toStatus();
    return status;
  }
}
