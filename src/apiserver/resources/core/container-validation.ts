/**
 * Containers of a pod spec (regular, init and ephemeral), with upstream's paths and messages
 * (validateContainers, validateInitContainers, validateContainerCommon).
 */
import type { V1ContainerResizePolicy } from "@kubernetes/client-node";
import type { FieldError } from "../../api/errors.ts";
import type { Wire } from "../../api/types.ts";
import { field, invalidEach, type FieldPath } from "../../validation/field.ts";
import { isDNS1123Label, isValidPortName, isValidPortNum } from "../../validation/names.ts";
import { validateEnv, validateEnvFrom } from "./env-validation.ts";
import { validateLifecycle, validateLivenessProbe, validateReadinessProbe, validateStartupProbe } from "./probe-validation.ts";
import { validateResourceRequirements } from "./resource-validation.ts";
import { validateContainerSecurityContext } from "./security-context-validation.ts";
import type { Container, ContainerPort, EphemeralContainer, Volume } from "./types.ts";
import { validateVolumeDevices, validateVolumeMounts } from "./volume-validation.ts";

export const PROTOCOLS = ["SCTP", "TCP", "UDP"];
const PULL_POLICIES = ["Always", "IfNotPresent", "Never"];
const INIT_ONLY = "may not be set for init containers without restartPolicy=Always";

/** What every container check needs to know about its pod. */
export interface ContainerContext {
  volumes: Map<string, Volume>;
  podClaimNames: Set<string>;
  gracePeriod: number | undefined;
  restartPolicy: string | undefined;
  hostUsers: boolean;
}

export function validateContainers(containers: Container[] | undefined, ctx: ContainerContext, path: FieldPath): FieldError[] {
  if (!containers?.length) return [field.required(path)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const p = path.index(i);
    errs.push(...validateContainerCommon(c, ctx, p));
    if (names.has(c.name)) errs.push(field.duplicate(p.child("name"), c.name));
    names.add(c.name);
    errs.push(...validateProbesAndLifecycle(c, ctx, p));
    if (c.restartPolicy != null) errs.push(field.forbidden(p.child("restartPolicy"), "may not be set for non-init containers"));
  });
  return [...errs, ...checkHostPortConflicts(containers, path)];
}

export function validateInitContainers(init: Container[] | undefined, regular: Container[] | undefined, ctx: ContainerContext, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set((regular ?? []).map((c) => c.name));
  (init ?? []).forEach((c, i) => {
    const p = path.index(i);
    errs.push(...validateContainerCommon(c, ctx, p));
    if (c.restartPolicy != null && c.restartPolicy !== "Always") errs.push(field.notSupported(p.child("restartPolicy"), c.restartPolicy, ["Always"]));
    if (names.has(c.name)) errs.push(field.duplicate(p.child("name"), c.name));
    else if (c.name) names.add(c.name);
    // Init containers run one by one, so host ports only conflict within one container.
    errs.push(...checkHostPortConflicts([c], path));
    if (c.restartPolicy === "Always") errs.push(...validateProbesAndLifecycle(c, ctx, p));
    else {
      for (const key of ["lifecycle", "livenessProbe", "readinessProbe", "startupProbe"] as const) {
        if (c[key]) errs.push(field.forbidden(p.child(key), INIT_ONLY));
      }
    }
  });
  return errs;
}

/** Ephemeral containers: common checks, unique names, a real target, and no pod-service fields. */
export function validateEphemeralContainers(
  ephemeral: EphemeralContainer[] | undefined,
  containers: Container[] | undefined,
  init: Container[] | undefined,
  ctx: ContainerContext,
  path: FieldPath,
): FieldError[] {
  const errs: FieldError[] = [];
  const others = new Set([...(containers ?? []), ...(init ?? [])].map((c) => c.name));
  const all = new Set(others);
  (ephemeral ?? []).forEach((ec, i) => {
    const p = path.index(i);
    errs.push(...validateContainerCommon(ec, ctx, p));
    if (all.has(ec.name)) errs.push(field.duplicate(p.child("name"), ec.name));
    else all.add(ec.name);
    if (ec.targetContainerName && !others.has(ec.targetContainerName)) errs.push(field.notFound(p.child("targetContainerName"), ec.targetContainerName));
    for (const key of ["lifecycle", "livenessProbe", "ports", "readinessProbe", "resizePolicy", "resources", "restartPolicy", "startupProbe"] as const) {
      if (isSet(ec[key])) errs.push(field.forbidden(p.child(key), "cannot be set for an Ephemeral Container"));
    }
    (ec.volumeMounts ?? []).forEach((vm, j) => {
      if (vm.subPath) errs.push(field.forbidden(p.child("volumeMounts").index(j).child("subPath"), "cannot be set for an Ephemeral Container"));
      if (vm.subPathExpr) errs.push(field.forbidden(p.child("volumeMounts").index(j).child("subPathExpr"), "cannot be set for an Ephemeral Container"));
    });
  });
  return errs;
}

/** A Go zero value (nil, empty list or map) counts as unset. */
function isSet(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v).length > 0;
  return true;
}

function validateProbesAndLifecycle(c: Container, ctx: ContainerContext, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (c.lifecycle) errs.push(...validateLifecycle(c.lifecycle, ctx.gracePeriod, p.child("lifecycle")));
  errs.push(...validateLivenessProbe(c.livenessProbe, ctx.gracePeriod, p.child("livenessProbe")));
  errs.push(...validateReadinessProbe(c.readinessProbe, ctx.gracePeriod, p.child("readinessProbe")));
  errs.push(...validateStartupProbe(c.startupProbe, ctx.gracePeriod, p.child("startupProbe")));
  return errs;
}

function validateContainerCommon(c: Container | EphemeralContainer, ctx: ContainerContext, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!c.name) errs.push(field.required(path.child("name")));
  else errs.push(...invalidEach(path.child("name"), c.name, isDNS1123Label(c.name)));
  if (!c.image) errs.push(field.required(path.child("image")));
  errs.push(...validateOneOf(c.terminationMessagePolicy, ["File", "FallbackToLogsOnError"], path.child("terminationMessagePolicy")));
  errs.push(...validateContainerPorts(c.ports, path.child("ports")));
  errs.push(...validateEnv(c.env, path.child("env")));
  errs.push(...validateEnvFrom(c.envFrom, path.child("envFrom")));
  errs.push(...validateVolumeMounts(c, ctx.volumes, path.child("volumeMounts")));
  errs.push(...validateVolumeDevices(c, ctx.volumes, path.child("volumeDevices")));
  errs.push(...validateOneOf(c.imagePullPolicy, PULL_POLICIES, path.child("imagePullPolicy")));
  errs.push(...validateResourceRequirements(c.resources, ctx.podClaimNames, path.child("resources")));
  errs.push(...validateResizePolicy(c.resizePolicy, ctx.restartPolicy, path.child("resizePolicy")));
  errs.push(...validateContainerSecurityContext(c.securityContext, ctx.hostUsers, path.child("securityContext")));
  return errs;
}

/** Required when empty, NotSupported when unknown. */
export function validateOneOf(value: string | undefined, allowed: string[], path: FieldPath): FieldError[] {
  if (!value) return [field.required(path)];
  return allowed.includes(value) ? [] : [field.notSupported(path, value, allowed)];
}

export function validateContainerPorts(ports: ContainerPort[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((port, i) => {
    const p = path.index(i);
    if (port.name) {
      const msgs = isValidPortName(port.name);
      if (msgs.length) errs.push(...invalidEach(p.child("name"), port.name, msgs));
      else if (names.has(port.name)) errs.push(field.duplicate(p.child("name"), port.name));
      else names.add(port.name);
    }
    if (!port.containerPort) errs.push(field.required(p.child("containerPort")));
    else errs.push(...invalidEach(p.child("containerPort"), port.containerPort, isValidPortNum(port.containerPort)));
    if (port.hostPort) errs.push(...invalidEach(p.child("hostPort"), port.hostPort, isValidPortNum(port.hostPort)));
    if (!port.protocol) errs.push(field.required(p.child("protocol")));
    else if (!PROTOCOLS.includes(port.protocol)) errs.push(field.notSupported(p.child("protocol"), port.protocol, PROTOCOLS));
  });
  return errs;
}

/** Two containers may not claim the same protocol/hostIP/hostPort. */
function checkHostPortConflicts(containers: Container[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  containers.forEach((c, ci) => {
    (c.ports ?? []).forEach((port, pi) => {
      if (!port.hostPort) return;
      const key = `${port.protocol ?? ""}/${port.hostIP ?? ""}/${port.hostPort}`;
      if (seen.has(key)) errs.push(field.duplicate(path.index(ci).child("ports").index(pi).child("hostPort"), key));
      seen.add(key);
    });
  });
  return errs;
}

function validateResizePolicy(policies: Array<Wire<V1ContainerResizePolicy>> | undefined, podRestartPolicy: string | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (policies ?? []).forEach((p, i) => {
    if (seen.has(p.resourceName)) errs.push(field.duplicate(path.index(i), p.resourceName));
    seen.add(p.resourceName);
    if (!p.resourceName) errs.push(field.required(path));
    else if (!["cpu", "memory"].includes(p.resourceName)) errs.push(field.notSupported(path, p.resourceName, ["cpu", "memory"]));
    if (!p.restartPolicy) errs.push(field.required(path));
    else if (!["NotRequired", "RestartContainer"].includes(p.restartPolicy)) errs.push(field.notSupported(path, p.restartPolicy, ["NotRequired", "RestartContainer"]));
    if (podRestartPolicy === "Never" && p.restartPolicy !== "NotRequired") {
      errs.push(field.invalid(path, p.restartPolicy, "must be 'NotRequired' when `restartPolicy` is 'Never'"));
    }
  });
  return errs;
}
