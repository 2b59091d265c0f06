/**
 * discovery.k8s.io/v1 EndpointSlice (upstream SetDefaults_EndpointPort, the endpointslice strategy,
 * printEndpointSlice; validation in endpointslice-validation.ts). Every change outside metadata
 * bumps the generation. v1 writes may not set deprecatedTopology.
 */
import type { KubeObject } from "../../api/types.ts";
import type { PrinterColumn, ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { field } from "../../validation/field.ts";
import { isDNS1123Subdomain } from "../../validation/names.ts";
import { ageColumn, columnsOf, nameColumn } from "../printing.ts";
import { semanticEqual } from "../workloads/semantic-equal.ts";
import { validateEndpointSlice, type Endpoint, type EndpointPort, type EndpointSlice } from "./endpointslice-validation.ts";

const HOSTNAME_LABEL = "kubernetes.io/hostname";

const slice = (obj: KubeObject) => obj as unknown as EndpointSlice;

/** Go writes `endpoints`, `ports` and each endpoint's `conditions` even when empty; ports default to TCP with an empty name. */
export function defaultEndpointSlice(s: EndpointSlice): void {
  if (s.endpoints === undefined) s.endpoints = null;
  if (s.ports === undefined) s.ports = null;
  for (const ep of s.endpoints ?? []) {
    if (!ep) continue;
    ep.conditions ??= {};
    // forNodes arrived after 1.32, whose decoder drops it.
    if (ep.hints) delete ep.hints.forNodes;
  }
  for (const port of s.ports ?? []) {
    if (!port) continue;
    port.name ??= "";
    port.protocol ??= "TCP";
  }
}

const topologyNodeNames = (endpoints: Endpoint[] | null | undefined) =>
  new Set((endpoints ?? []).map((ep) => ep?.deprecatedTopology?.[HOSTNAME_LABEL]).filter((n): n is string => n !== undefined));

/**
 * upstream's dropTopologyOnV1: deprecatedTopology is dropped from v1 writes, unless an update
 * leaves the endpoints alone; a node name kept there by the stored slice moves to nodeName.
 */
function dropTopology(s: EndpointSlice, old?: EndpointSlice): void {
  if (old && semanticEqual(s.endpoints ?? [], old.endpoints ?? [])) return;
  const known = topologyNodeNames(old?.endpoints);
  for (const ep of s.endpoints ?? []) {
    if (!ep) continue;
    const host = ep.deprecatedTopology?.[HOSTNAME_LABEL];
    if (ep.nodeName == null && host !== undefined && known.has(host) && isDNS1123Subdomain(host).length === 0) ep.nodeName = host;
    delete ep.deprecatedTopology;
  }
}

const strategy: Strategy = {
  defaults: (obj) => defaultEndpointSlice(slice(obj)),
  prepareForCreate: (obj) => dropTopology(slice(obj)),
  // Upstream also bumps the generation when only the labels change; kts's generic store bumps it
  // on changes outside metadata only (the shared conformance contract), so that case is not copied.
  prepareForUpdate: (obj, old) => dropTopology(slice(obj), slice(old)),
  validate: (obj) => validateEndpointSlice(slice(obj)),
  validateUpdate: (obj, old) => {
    const type = slice(obj).addressType ?? "";
    return type === (slice(old).addressType ?? "") ? [] : [field.immutable("addressType", type)];
  },
};

/** Up to three items, then "+ N more...", or "<unset>" for none (upstream's listWithMoreString). */
function listWithMore(items: string[]): string {
  if (items.length === 0) return "<unset>";
  const shown = items.slice(0, 3).join(",");
  return items.length > 3 ? `${shown} + ${items.length - 3} more...` : shown;
}

/** A port prints as its number, else its name, else "*" (all ports). */
export function formatPorts(ports: EndpointPort[] | null | undefined): string {
  return listWithMore((ports ?? []).map((p) => (p?.port != null ? String(p.port) : p?.name != null ? p.name : "*")));
}

export function formatEndpoints(endpoints: Endpoint[] | null | undefined): string {
  return listWithMore((endpoints ?? []).flatMap((ep) => ep?.addresses ?? []));
}

const column = columnsOf<EndpointSlice>();

/** Descriptions are the discovery/v1beta1 docs upstream's printer still takes them from. */
const columns: PrinterColumn[] = [
  nameColumn,
  column(
    "AddressType",
    "addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name.",
    (s) => s.addressType ?? "",
  ),
  column(
    "Ports",
    'ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. When ports is empty, it indicates that there are no defined ports. When a port is defined with a nil port value, it indicates "all ports". Each slice may include a maximum of 100 ports.',
    (s) => formatPorts(s.ports),
  ),
  column("Endpoints", "endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints.", (s) => formatEndpoints(s.endpoints)),
  ageColumn,
];

export const endpointSliceDefinition: ResourceDefinition = {
  group: "discovery.k8s.io",
  version: "v1",
  kind: "EndpointSlice",
  plural: "endpointslices",
  singular: "endpointslice",
  namespaced: true,
  tracksGeneration: true,
  printerColumns: columns,
  strategy,
};
