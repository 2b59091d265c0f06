/**
 * EndpointSlice validation (upstream pkg/apis/discovery/validation, 1.32): addresses of the
 * slice's address type, at most 1000 endpoints of at most 100 addresses each, uniquely named
 * ports. The port limit is upstream's 20000, not the 100 its API docs still mention.
 */
import type { DiscoveryV1EndpointPort, V1Endpoint, V1EndpointSlice } from "@kubernetes/client-node";
import type { FieldError } from "../../api/errors.ts";
import type { Wire } from "../../api/types.ts";
import { field, FieldPath, invalidEach } from "../../validation/field.ts";
import { isIP, isIPv4, isIPv6 } from "../../validation/ip.ts";
import { validateLabels } from "../../validation/labels.ts";
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from "../../validation/names.ts";
import { validateNonSpecialIP } from "../core/ip-rules.ts";

/** `endpoints` and `ports` have no omitempty upstream, so an empty slice reads back with nulls. */
export type EndpointSlice = Omit<Wire<V1EndpointSlice>, "endpoints" | "ports"> & { endpoints?: Endpoint[] | null; ports?: EndpointPort[] | null };
export type Endpoint = Wire<V1Endpoint>;
export type EndpointPort = Wire<DiscoveryV1EndpointPort>;

export const ADDRESS_TYPES = ["FQDN", "IPv4", "IPv6"];
const PROTOCOLS = ["SCTP", "TCP", "UDP"];
const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 20000;
const MAX_TOPOLOGY_LABELS = 16;
const MAX_ZONE_HINTS = 8;

export function validateAddressType(addressType: string | undefined): FieldError[] {
  if (!addressType) return [field.required("addressType")];
  return ADDRESS_TYPES.includes(addressType) ? [] : [field.notSupported("addressType", addressType, ADDRESS_TYPES)];
}

/** An IP of the slice's family that is not unspecified, loopback or link-local. */
function validateIPAddress(address: string, family: "IPv4" | "IPv6", path: FieldPath): FieldError[] {
  const ok = family === "IPv4" ? isIPv4(address) : isIPv6(address);
  const errs = ok ? [] : [field.invalid(path, address, `must be a valid ${family} address`)];
  if (!isIP(address)) return [...errs, field.invalid(path, address, "must be a valid IP address")];
  return [...errs, ...validateNonSpecialIP(address, path)];
}

/** upstream's IsFullyQualifiedDomainName: a DNS subdomain of two or more labels (a trailing dot is fine). */
function validateFQDN(address: string, path: FieldPath): FieldError[] {
  if (!address) return [field.required(path)];
  const name = address.endsWith(".") ? address.slice(0, -1) : address;
  const subdomain = isDNS1123Subdomain(name);
  if (subdomain.length) return [field.invalid(path, name, subdomain.join(","))];
  const labels = name.split(".");
  if (labels.length < 2) return [field.invalid(path, name, "should be a domain with at least two segments separated by dots")];
  for (const label of labels) {
    const problems = isDNS1123Label(label);
    if (problems.length) return [field.invalid(path, label, problems.join(","))];
  }
  return [];
}

function validateAddress(address: string, addressType: string, path: FieldPath): FieldError[] {
  if (addressType === "IPv4" || addressType === "IPv6") return validateIPAddress(address, addressType, path);
  // Unknown types were reported on addressType; their addresses go unchecked.
  return addressType === "FQDN" ? validateFQDN(address, path) : [];
}

function validateHints(hints: NonNullable<Endpoint["hints"]>, path: FieldPath): FieldError[] {
  const zones = hints.forZones ?? [];
  const p = path.child("forZones");
  if (zones.length > MAX_ZONE_HINTS) return [field.tooMany(p, zones.length, MAX_ZONE_HINTS)];
  const seen = new Set<string>();
  return zones.flatMap((zone, i) => {
    const name = zone?.name ?? "";
    const errs = seen.has(name) ? [field.duplicate(p.index(i).child("name"), name)] : [];
    seen.add(name);
    return [...errs, ...invalidEach(p.index(i).child("name"), name, isValidLabelValue(name))];
  });
}

function validateEndpoint(ep: Endpoint, addressType: string, path: FieldPath): FieldError[] {
  const addresses = ep.addresses ?? [];
  const addrPath = path.child("addresses");
  const errs: FieldError[] = [];
  if (addresses.length === 0) errs.push(field.required(addrPath, "must contain at least 1 address"));
  else if (addresses.length > MAX_ADDRESSES) errs.push(field.tooMany(addrPath, addresses.length, MAX_ADDRESSES));
  addresses.forEach((a, i) => errs.push(...validateAddress(a, addressType, addrPath.index(i))));
  if (ep.nodeName != null) errs.push(...invalidEach(path.child("nodeName"), ep.nodeName, isDNS1123Subdomain(ep.nodeName)));
  const topology = ep.deprecatedTopology ?? {};
  const topoPath = path.child("deprecatedTopology");
  if (Object.keys(topology).length > MAX_TOPOLOGY_LABELS) errs.push(field.tooMany(topoPath, Object.keys(topology).length, MAX_TOPOLOGY_LABELS));
  errs.push(...validateLabels(topology, topoPath));
  if (ep.hostname != null) errs.push(...invalidEach(path.child("hostname"), ep.hostname, isDNS1123Label(ep.hostname)));
  if (ep.hints) errs.push(...validateHints(ep.hints, path.child("hints")));
  return errs;
}

export function validateEndpoints(endpoints: Endpoint[] | null | undefined, addressType: string): FieldError[] {
  const path = FieldPath.root("endpoints");
  const list = endpoints ?? [];
  if (list.length > MAX_ENDPOINTS) return [field.tooMany(path, list.length, MAX_ENDPOINTS)];
  return list.flatMap((ep, i) => validateEndpoint(ep ?? { addresses: [] }, addressType, path.index(i)));
}

export function validatePorts(ports: EndpointPort[] | null | undefined): FieldError[] {
  const path = FieldPath.root("ports");
  const list = ports ?? [];
  if (list.length > MAX_PORTS) return [field.tooMany(path, list.length, MAX_PORTS)];
  const names = new Set<string>();
  return list.flatMap((port, i) => {
    const p = path.index(i);
    const name = port?.name ?? "";
    const errs = name ? invalidEach(p.child("name"), name, isDNS1123Label(name)) : [];
    if (names.has(name)) errs.push(field.duplicate(p.child("name"), name));
    names.add(name);
    if (port?.protocol == null) errs.push(field.required(p.child("protocol")));
    else if (!PROTOCOLS.includes(port.protocol)) errs.push(field.notSupported(p.child("protocol"), port.protocol, PROTOCOLS));
    if (port?.appProtocol != null) errs.push(...invalidEach(p.child("appProtocol"), port.appProtocol, isQualifiedName(port.appProtocol)));
    return errs;
  });
}

export function validateEndpointSlice(slice: EndpointSlice): FieldError[] {
  const addressType = slice.addressType ?? "";
  return [...validateAddressType(addressType), ...validateEndpoints(slice.endpoints, addressType), ...validatePorts(slice.ports)];
}
