/**
 * Defaults that only a Pod gets (upstream's SetDefaults_Pod), on top of the PodSpec defaults
 * every pod template gets: requests copied from limits, enableServiceLinks, and host ports under
 * hostNetwork.
 */
import { defaultPodSpec } from "./pod-spec-defaults.ts";
import type { Container, Pod } from "./types.ts";

export function defaultPod(pod: Pod): void {
  const spec = (pod.spec ??= { containers: [] });
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) requestsFromLimits(c);
  spec.enableServiceLinks ??= true;
  if (spec.hostNetwork) {
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) hostPortsFromContainerPorts(c);
  }
  defaultPodSpec(spec);
}

/** A limit without a request means the request equals the limit. */
function requestsFromLimits(c: Container): void {
  const limits = c.resources?.limits;
  if (!limits) return;
  const requests = (c.resources!.requests ??= {});
  for (const [name, value] of Object.entries(limits)) if (!(name in requests)) requests[name] = value;
}

/** With the host's network a container port is a host port. */
function hostPortsFromContainerPorts(c: Container): void {
  for (const p of c.ports ?? []) if (!p.hostPort) p.hostPort = p.containerPort;
}
