/**
 * Probes and lifecycle handlers, as upstream validates them (validateProbe, validateHandler).
 */
import type { V1ExecAction, V1GRPCAction, V1HTTPGetAction, V1Lifecycle, V1LifecycleHandler, V1SleepAction, V1TCPSocketAction } from "@kubernetes/client-node";
import type { FieldError } from "../../api/errors.ts";
import type { IntOrString } from "@kubernetes/client-node";
import type { Wire } from "../../api/types.ts";
import { field, invalidEach, type FieldPath } from "../../validation/field.ts";
import { isHTTPHeaderName } from "../../validation/keys.ts";
import { isValidPortName, isValidPortNum } from "../../validation/names.ts";
import { validateNonnegative } from "../../validation/numbers.ts";
import type { Probe } from "./types.ts";

interface Handler {
  exec?: Wire<V1ExecAction>;
  httpGet?: Wire<V1HTTPGetAction>;
  tcpSocket?: Wire<V1TCPSocketAction>;
  grpc?: Wire<V1GRPCAction>;
  sleep?: Wire<V1SleepAction>;
}

/** A port given by number or by name (an IntOrString). */
export function validatePortNumOrName(port: IntOrString | undefined, path: FieldPath): FieldError[] {
  if (typeof port === "number") return invalidEach(path, port, isValidPortNum(port));
  return invalidEach(path, port ?? "", isValidPortName(port ?? ""));
}

export function validateLivenessProbe(probe: Probe | undefined, grace: number | undefined, path: FieldPath): FieldError[] {
  if (!probe) return [];
  const errs = validateProbe(probe, grace, path);
  if (probe.successThreshold !== 1) errs.push(field.invalid(path.child("successThreshold"), probe.successThreshold ?? 0, "must be 1"));
  return errs;
}

export const validateStartupProbe = validateLivenessProbe;

export function validateReadinessProbe(probe: Probe | undefined, grace: number | undefined, path: FieldPath): FieldError[] {
  if (!probe) return [];
  const errs = validateProbe(probe, grace, path);
  if (probe.terminationGracePeriodSeconds != null) {
    errs.push(field.invalid(path.child("terminationGracePeriodSeconds"), probe.terminationGracePeriodSeconds, "must not be set for readinessProbes"));
  }
  return errs;
}

function validateProbe(probe: Probe, grace: number | undefined, path: FieldPath): FieldError[] {
  const { exec, httpGet, tcpSocket, grpc } = probe;
  const errs = validateHandler({ exec, httpGet, tcpSocket, grpc }, grace, path);
  for (const key of ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"] as const) {
    errs.push(...validateNonnegative(probe[key], path.child(key)));
  }
  const tgps = probe.terminationGracePeriodSeconds;
  if (tgps != null && tgps <= 0) errs.push(field.invalid(path.child("terminationGracePeriodSeconds"), tgps, "must be greater than 0"));
  return errs;
}

export function validateLifecycle(l: Wire<V1Lifecycle>, grace: number | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const hooks: Array<[string, Wire<V1LifecycleHandler> | undefined]> = [["postStart", l.postStart], ["preStop", l.preStop]];
  for (const [name, h] of hooks) {
    if (h) errs.push(...validateHandler({ exec: h.exec, httpGet: h.httpGet, tcpSocket: h.tcpSocket, sleep: h.sleep }, grace, path.child(name)));
  }
  return errs;
}

/** Exactly one handler type, each valid. */
function validateHandler(h: Handler, grace: number | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  const check = (name: keyof Handler, validate: () => FieldError[]) => {
    if (!h[name]) return;
    if (count++ > 0) errs.push(field.forbidden(path.child(name), "may not specify more than 1 handler type"));
    else errs.push(...validate());
  };
  check("exec", () => (h.exec?.command?.length ? [] : [field.required(path.child("exec", "command"))]));
  check("httpGet", () => validateHTTPGet(h.httpGet!, path.child("httpGet")));
  check("tcpSocket", () => validatePortNumOrName(h.tcpSocket!.port, path.child("tcpSocket", "port")));
  check("grpc", () => validatePortNumOrName(h.grpc!.port, path.child("grpc", "port")));
  check("sleep", () => validateSleep(h.sleep!, grace, path.child("sleep")));
  if (count === 0) errs.push(field.required(path, "must specify a handler type"));
  return errs;
}

function validateHTTPGet(h: Wire<V1HTTPGetAction>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!h.path) errs.push(field.required(path.child("path")));
  errs.push(...validatePortNumOrName(h.port, path.child("port")));
  if (h.scheme !== "HTTP" && h.scheme !== "HTTPS") errs.push(field.notSupported(path.child("scheme"), h.scheme ?? "", ["HTTP", "HTTPS"]));
  for (const header of h.httpHeaders ?? []) errs.push(...invalidEach(path.child("httpHeaders"), header.name, isHTTPHeaderName(header.name)));
  return errs;
}

function validateSleep(s: Wire<V1SleepAction>, grace: number | undefined, path: FieldPath): FieldError[] {
  if (grace === undefined || (s.seconds > 0 && s.seconds <= grace)) return [];
  return [
    field.invalid(
      path,
      s.seconds,
      `must be greater than 0 and less than terminationGracePeriodSeconds (${grace}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`,
    ),
  ];
}
