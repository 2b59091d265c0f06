/**
 * The downward API's values, shared by environment variables and downwardAPI volumes: pod fields
 * by field path, and container resources by resource name and divisor (limits left unset read as
 * the node's allocatable amount, as the kubelet does).
 */
import type { Container, Pod } from "../runtime/index.ts";
import { milliValue, wholeValue } from "../runtime/index.ts";

export interface NodeAllocatable {
  /** Millicores. */
  cpuMilli: number;
  memoryBytes: number;
  ephemeralStorageBytes: number;
}

export interface RuntimeIPs {
  podIPs: string[];
  hostIPs: string[];
}

/** Go's %q for label and annotation values (close enough: JSON quoting of a string). */
function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\u007f/g, "\\x7f");
}

/** upstream fieldpath.FormatMap: sorted key="value" lines. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${goQuote(m![k]!)}`)
    .join("\n");
}

const SUBSCRIPT = /^metadata\.(labels|annotations)\['(.+)'\]$/;

/** The value of a pod field path, or an error message. */
export function fieldValue(pod: Pod, fieldPath: string, ips: RuntimeIPs): string {
  const sub = SUBSCRIPT.exec(fieldPath);
  if (sub) {
    const map = sub[1] === "labels" ? pod.metadata?.labels : pod.metadata?.annotations;
    return map?.[sub[2]!] ?? "";
  }
  switch (fieldPath) {
    case "metadata.name":
      return pod.metadata?.name ?? "";
    case "metadata.namespace":
      return pod.metadata?.namespace ?? "";
    case "metadata.uid":
      return pod.metadata?.uid ?? "";
    case "metadata.labels":
      return formatMap(pod.metadata?.labels);
    case "metadata.annotations":
      return formatMap(pod.metadata?.annotations);
    case "spec.nodeName":
      return pod.spec?.nodeName ?? "";
    case "spec.serviceAccountName":
      return pod.spec?.serviceAccountName ?? "";
    case "status.hostIP":
      return ips.hostIPs[0] ?? "";
    case "status.hostIPs":
      return ips.hostIPs.join(",");
    case "status.podIP":
      return ips.podIPs[0] ?? "";
    case "status.podIPs":
      return ips.podIPs.join(",");
  }
  throw new Error(`unsupported fieldPath: ${fieldPath}`);
}

export interface ResourceRef {
  containerName?: string;
  resource: string;
  divisor?: string | number;
}

/** A container resource as the downward API renders it (upstream ExtractContainerResourceValue). */
export function resourceValue(pod: Pod, container: Container | undefined, ref: ResourceRef, node: NodeAllocatable): string {
  const target = ref.containerName
    ? [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === ref.containerName)
    : container;
  if (!target) throw new Error(`container ${ref.containerName} not found`);
  const limits = (target.resources?.limits ?? {}) as Record<string, string>;
  const requests = (target.resources?.requests ?? {}) as Record<string, string>;
  const divisor = ref.divisor === undefined || ref.divisor === "" || ref.divisor === "0" ? "1" : String(ref.divisor);
  const cpu = (milli: number) => String(Math.ceil(milli / Math.max(1, milliValue(divisor))));
  const bytes = (n: number) => String(Math.ceil(n / Math.max(1, wholeValue(divisor))));
  switch (ref.resource) {
    case "limits.cpu":
      return cpu(limits.cpu !== undefined ? milliValue(limits.cpu) : node.cpuMilli);
    case "requests.cpu":
      return cpu(milliValue(requests.cpu ?? "0"));
    case "limits.memory":
      return bytes(limits.memory !== undefined ? wholeValue(limits.memory) : node.memoryBytes);
    case "requests.memory":
      return bytes(wholeValue(requests.memory ?? "0"));
    case "limits.ephemeral-storage":
      return bytes(limits["ephemeral-storage"] !== undefined ? wholeValue(limits["ephemeral-storage"]) : node.ephemeralStorageBytes);
    case "requests.ephemeral-storage":
      return bytes(wholeValue(requests["ephemeral-storage"] ?? "0"));
  }
  if (ref.resource.startsWith("limits.hugepages-") || ref.resource.startsWith("requests.hugepages-")) {
    const [kind, name] = ref.resource.split(/\.(.*)/s) as [string, string];
    return bytes(wholeValue((kind === "limits" ? limits : requests)[name] ?? "0"));
  }
  throw new Error(`unsupported container resource : ${ref.resource}`);
}
