/**
 * networking.k8s.io/v1 Ingress (upstream pkg/registry/networking/ingress strategy, validation in
 * ingress-validation.ts, printIngress). Status belongs to the ingress controller, through the
 * status subresource; spec changes bump the generation.
 */
import type { KubeObject } from "../../api/types.ts";
import type { PrinterColumn, ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { ageColumn, columnsOf, nameColumn } from "../printing.ts";
import { keepOldStatus } from "../workloads/status.ts";
import { classAnnotationWarnings, STRICT, updateOptions, validateClassAnnotation, validateIngressSpec } from "./ingress-validation.ts";
import { NETWORKING_GROUP, view, type Ingress, type IngressBackend, type IngressRule } from "./types.ts";

const ingress = (obj: KubeObject) => view<Ingress>(obj);

/** A service backend's `port` has no omitempty upstream: it is always written, `{}` when empty. */
function defaultBackendPort(backend: IngressBackend | undefined): void {
  if (backend?.service) backend.service.port ??= {};
}

/** Go writes the spec struct, and each service backend's port struct, even when empty. */
export function defaultIngress(ing: Ingress): void {
  const spec = (ing.spec ??= {});
  defaultBackendPort(spec.defaultBackend);
  for (const rule of spec.rules ?? []) for (const p of rule?.http?.paths ?? []) defaultBackendPort(p?.backend);
}

/**
 * Upstream validates an update differently from a create (no annotation check; lenient where the
 * stored object already was), but the store calls `validate` on both paths. prepareForUpdate,
 * which only runs on updates, records the stored object so `validate` can tell them apart.
 */
const storedOf = new WeakMap<KubeObject, Ingress>();

const strategy: Strategy = {
  defaults: (obj) => defaultIngress(ingress(obj)),
  // IngressStatus holds a struct, so a new ingress reads back with `status: {loadBalancer: {}}`.
  prepareForCreate: (obj) => void (obj.status = { loadBalancer: {} }),
  prepareForUpdate: (obj, old) => {
    keepOldStatus(obj, old);
    storedOf.set(obj, ingress(old));
  },
  validate: (obj) => {
    const old = storedOf.get(obj);
    const spec = ingress(obj).spec ?? {};
    if (old) return validateIngressSpec(spec, updateOptions(old));
    return [...validateIngressSpec(spec, STRICT), ...validateClassAnnotation(ingress(obj))];
  },
  warnings: (obj, old) => (old ? [] : classAnnotationWarnings(ingress(obj))),
};

/** Up to three hosts, then "+ N more..." counted over all rules (hostless ones too), as upstream counts. */
export function formatHosts(rules: IngressRule[] | undefined): string {
  const list: string[] = [];
  let more = false;
  for (const rule of rules ?? []) {
    if (list.length === 3) more = true;
    if (!more && rule?.host) list.push(rule.host);
  }
  if (list.length === 0) return "*";
  return more ? `${list.join(",")} + ${(rules?.length ?? 0) - 3} more...` : list.join(",");
}

/** IPs or hostnames of the load balancer, sorted and unique (server-side tables are never clipped). */
export function formatAddress(ing: Ingress): string {
  const set = new Set<string>();
  for (const lb of ing.status?.loadBalancer?.ingress ?? []) {
    if (lb?.ip) set.add(lb.ip);
    else if (lb?.hostname) set.add(lb.hostname);
  }
  return [...set].sort().join(",");
}

const column = columnsOf<Ingress>();

const columns: PrinterColumn[] = [
  nameColumn,
  column("Class", "The name of the IngressClass resource that should be used for additional configuration", (i) => i.spec?.ingressClassName ?? "<none>"),
  column("Hosts", "Hosts that incoming requests are matched against before the ingress rule", (i) => formatHosts(i.spec?.rules)),
  column("Address", "Address is a list containing ingress points for the load-balancer", formatAddress),
  column("Ports", "Ports of TLS configurations that open", (i) => (i.spec?.tls?.length ? "80, 443" : "80")),
  ageColumn,
];

export const ingressDefinition: ResourceDefinition = {
  group: NETWORKING_GROUP,
  version: "v1",
  kind: "Ingress",
  plural: "ingresses",
  singular: "ingress",
  shortNames: ["ing"],
  namespaced: true,
  statusSubresource: true,
  tracksGeneration: true,
  printerColumns: columns,
  strategy,
};

