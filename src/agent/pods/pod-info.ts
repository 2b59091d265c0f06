/**
 * Small readings of a pod spec shared by the pod worker's parts: its identity, which list each
 * container comes from, event field paths, and the spec hash that detects changed containers.
 */
import { createHash } from "node:crypto";
import type { Container, Pod } from "../runtime/index.ts";
import type { ContainerKind, PodRef } from "../runtime/index.ts";

export const PODS = { group: "", version: "v1", resource: "pods" };

export function podRef(pod: Pod): PodRef {
  return { uid: pod.metadata?.uid ?? "", name: pod.metadata?.name ?? "", namespace: pod.metadata?.namespace ?? "" };
}

export const isSidecar = (c: Container | undefined) => c?.restartPolicy === "Always";

export interface ContainerSpec {
  kind: ContainerKind;
  spec: Container;
}

/** Every container of the pod by name, with the list it comes from. */
export function containerSpecs(pod: Pod): Map<string, ContainerSpec> {
  const out = new Map<string, ContainerSpec>();
  for (const c of pod.spec?.initContainers ?? []) out.set(c.name, { kind: isSidecar(c) ? "sidecar" : "init", spec: c });
  for (const c of pod.spec?.containers ?? []) out.set(c.name, { kind: "regular", spec: c });
  for (const c of pod.spec?.ephemeralContainers ?? []) out.set(c.name, { kind: "ephemeral", spec: c as Container });
  return out;
}

/** The event field path of a container ("spec.containers{app}"). */
export function fieldPath(kind: ContainerKind, name: string): string {
  const list = kind === "regular" ? "containers" : kind === "ephemeral" ? "ephemeralContainers" : "initContainers";
  return `spec.${list}{${name}}`;
}

/**
 * A hash of what a running container was made from: the fields that, when changed in the pod
 * spec, mean the container must be recreated (image, command, env, …; not resources or probes).
 */
export function specHash(c: Container): string {
  const { resources: _r, livenessProbe: _l, readinessProbe: _rp, startupProbe: _s, ...rest } = c;
  return createHash("sha256").update(JSON.stringify(rest)).digest("hex").slice(0, 16);
}

/** Seconds a pod's containers get to stop: the deletion's grace period, else the spec's. */
export function gracePeriod(pod: Pod): number {
  return pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
}
