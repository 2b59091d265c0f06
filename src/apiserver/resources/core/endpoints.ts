/**
 * core/v1 endpoints: port protocol defaults, address and port validation, and the ENDPOINTS
 * column ("10.42.0.5:80,10.42.0.6:80 + 3 more...").
 */
import type { V1EndpointAddress, V1EndpointSubset, CoreV1EndpointPort } from "@kubernetes/client-node";
import type { FieldError } from "../../api/errors.ts";
import type { Wire } from "../../api/types.ts";
import type { ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { ALL_VERBS } from "../../registry/definition.ts";
import { field, FieldPath, invalidEach } from "../../validation/field.ts";
import { isIP, isIPv6, validateIP } from "../../validation/ip.ts";
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidPortNum } from "../../validation/names.ts";
import { ageColumn, nameColumn } from "../printing.ts";
import { column } from "./columns.ts";
import { PROTOCOLS } from "./container-validation.ts";
import { FIELD_DOCS } from "./field-docs.ts";
import { validateNonSpecialIP } from "./ip-rules.ts";
import { view, type Endpoints } from "./types.ts";

type Subset = Wire<V1EndpointSubset>;

export function defaultEndpoints(ep: Endpoints): void {
  for (const ss of ep.subsets ?? []) for (const p of ss.ports ?? []) p.protocol ||= "TCP";
}

export function validateEndpoints(ep: Endpoints): FieldError[] {
  const errs: FieldError[] = [];
  (ep.subsets ?? []).forEach((ss, i) => {
    const p = FieldPath.root("subsets").index(i);
    if (!ss.addresses?.length && !ss.notReadyAddresses?.length) errs.push(field.required(p, "must specify `addresses` or `notReadyAddresses`"));
    (ss.addresses ?? []).forEach((a, j) => errs.push(...validateAddress(a, p.child("addresses").index(j))));
    (ss.notReadyAddresses ?? []).forEach((a, j) => errs.push(...validateAddress(a, p.child("notReadyAddresses").index(j))));
    (ss.ports ?? []).forEach((port, j) => errs.push(...validatePort(port, (ss.ports?.length ?? 0) > 1, p.child("ports").index(j))));
  });
  return errs;
}

function validateAddress(a: Wire<V1EndpointAddress>, path: FieldPath): FieldError[] {
  const errs = validateIP(path.child("ip"), a.ip);
  if (a.hostname) errs.push(...invalidEach(path.child("hostname"), a.hostname, isDNS1123Label(a.hostname)));
  if (a.nodeName != null) errs.push(...invalidEach(path.child("nodeName"), a.nodeName, isDNS1123Subdomain(a.nodeName)));
  // upstream checks the address twice: its syntax, then that it is not a special one.
  if (!isIP(a.ip ?? "")) errs.push(field.invalid(path.child("ip"), a.ip ?? "", "must be a valid IP address"));
  else errs.push(...validateNonSpecialIP(a.ip, path.child("ip")));
  return errs;
}

function validatePort(port: Wire<CoreV1EndpointPort>, requireName: boolean, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (requireName && !port.name) errs.push(field.required(path.child("name")));
  else if (port.name) errs.push(...invalidEach(path.child("name"), port.name, isDNS1123Label(port.name)));
  errs.push(...invalidEach(path.child("port"), port.port, isValidPortNum(port.port)));
  if (!port.protocol) errs.push(field.required(path.child("protocol")));
  else if (!PROTOCOLS.includes(port.protocol)) errs.push(field.notSupported(path.child("protocol"), port.protocol, PROTOCOLS));
  if (port.appProtocol != null) errs.push(...invalidEach(path.child("appProtocol"), port.appProtocol, isQualifiedName(port.appProtocol)));
  return errs;
}

/** net.JoinHostPort: IPv6 addresses in brackets. */
const hostPort = (ip: string, port: number) => (isIPv6(ip) ? `[${ip}]:${port}` : `${ip}:${port}`);

/** upstream's formatEndpoints: the first three ready addresses (with each port), then "+ N more...". */
export function endpointsCell(ep: Endpoints): string {
  const subsets: Subset[] = ep.subsets ?? [];
  if (!subsets.length) return "<none>";
  const max = 3;
  const list: string[] = [];
  let count = 0;
  let more = false;
  const add = (entry: string) => {
    if (list.length === max) more = true;
    else list.push(entry);
  };
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    if (!ss.ports?.length) {
      count += addresses.length;
      for (const a of addresses) add(a.ip);
      continue;
    }
    for (const port of ss.ports) {
      count += addresses.length;
      for (const a of addresses) add(hostPort(a.ip, port.port));
    }
  }
  return more ? `${list.join(",")} + ${count - max} more...` : list.join(",");
}

const strategy: Strategy = {
  defaults: (obj) => defaultEndpoints(view<Endpoints>(obj)),
  validate: (obj) => validateEndpoints(view<Endpoints>(obj)),
};

export const endpointsDefinition: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "Endpoints",
  plural: "endpoints",
  singular: "endpoints",
  shortNames: ["ep"],
  namespaced: true,
  verbs: ALL_VERBS,
  storagePath: "services/endpoints",
  nameRule: "subdomain",
  allowCreateOnUpdate: true,
  printerColumns: [nameColumn, column<Endpoints>("Endpoints", FIELD_DOCS["Endpoints.subsets"], endpointsCell), ageColumn],
  strategy,
};
