/**
 * core/v1 services: upstream's defaults and strategy (ClusterIP/NodePort allocation itself is
 * added by allocators/service-allocation.ts), validation, the `kubectl get svc` Table and field
 * selectors.
 */
import type { KubeObject } from "../../api/types.ts";
import type { PrinterColumn, ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { ALL_VERBS } from "../../registry/definition.ts";
import { ageColumn, nameColumn } from "../printing.ts";
import { column, formatLabels } from "./columns.ts";
import { FIELD_DOCS } from "./field-docs.ts";
import { dropTypeDependentFields, externallyAccessible, initIPFamilies, keepAllocatedValues, normalizeClusterIPs } from "./service-fields.ts";
import { validateService, validateServiceUpdate } from "./service-validation.ts";
import { view, type Service } from "./types.ts";

/** upstream's SetDefaults_Service. */
export function defaultService(svc: Service): void {
  const spec = (svc.spec ??= {});
  spec.sessionAffinity ||= "None";
  if (spec.sessionAffinity === "None") delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === "ClientIP" && spec.sessionAffinityConfig?.clientIP?.timeoutSeconds == null) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  spec.type ||= "ClusterIP";
  for (const p of spec.ports ?? []) {
    p.protocol ||= "TCP";
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === "") p.targetPort = p.port;
  }
  if (externallyAccessible(spec)) spec.externalTrafficPolicy ||= "Cluster";
  if (spec.internalTrafficPolicy == null && ["NodePort", "LoadBalancer", "ClusterIP"].includes(spec.type)) spec.internalTrafficPolicy = "Cluster";
  if (spec.type === "LoadBalancer") {
    spec.allocateLoadBalancerNodePorts ??= true;
    for (const ing of svc.status?.loadBalancer?.ingress ?? []) if (ing.ip && ing.ipMode == null) ing.ipMode = "VIP";
  }
}

const strategy: Strategy = {
  defaults: (obj) => defaultService(view<Service>(obj)),
  prepareForCreate(obj) {
    const svc = view<Service>(obj);
    // ServiceStatus is a struct: Go always writes `status: {loadBalancer: {}}`.
    svc.status = { loadBalancer: {} };
    normalizeClusterIPs(svc.spec!);
    initIPFamilies(svc.spec!);
  },
  prepareForUpdate(obj, old) {
    const svc = view<Service>(obj);
    const prev = view<Service>(old);
    const spec = svc.spec!;
    const prevSpec = prev.spec ?? {};
    keepAllocatedValues(spec, prevSpec);
    normalizeClusterIPs(spec, prevSpec);
    dropTypeDependentFields(svc, prev);
    if (spec.type !== prevSpec.type) initIPFamilies(spec);
    else if (spec.type !== "ExternalName") {
      // A full update that leaves the families out keeps them, as a patch would.
      if (!spec.ipFamilies?.length && prevSpec.ipFamilies) spec.ipFamilies = [...prevSpec.ipFamilies];
      spec.ipFamilyPolicy ??= prevSpec.ipFamilyPolicy;
    }
  },
  validate: (obj) => validateService(view<Service>(obj)),
  validateUpdate: (obj, old) => validateServiceUpdate(view<Service>(obj), view<Service>(old)),
};

/** upstream's makePortString: "80/TCP", or "80:30080/TCP" with a node port. */
export function portsCell(svc: Service): string {
  const ports = svc.spec?.ports ?? [];
  if (!ports.length) return "<none>";
  return ports.map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? ""}` : `${p.port}/${p.protocol ?? ""}`)).join(",");
}

/** upstream's getServiceExternalIP (server-side tables are always "wide", so nothing is clipped). */
export function externalIPCell(svc: Service): string {
  const spec = svc.spec ?? {};
  const external = spec.externalIPs ?? [];
  switch (spec.type) {
    case "ClusterIP":
    case "NodePort":
      return external.length ? external.join(",") : "<none>";
    case "LoadBalancer": {
      const lb = [...new Set((svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || "").filter(Boolean))].sort();
      const all = [...lb, ...external];
      return all.length ? all.join(",") : "<pending>";
    }
    case "ExternalName":
      return spec.externalName ?? "";
    default:
      return "<unknown>";
  }
}

const printerColumns: PrinterColumn[] = [
  nameColumn,
  column<Service>("Type", FIELD_DOCS["ServiceSpec.type"], (s) => s.spec?.type ?? ""),
  column<Service>("Cluster-IP", FIELD_DOCS["ServiceSpec.clusterIP"], (s) => s.spec?.clusterIPs?.[0] ?? "<none>"),
  column<Service>("External-IP", FIELD_DOCS["ServiceSpec.externalIPs"], externalIPCell),
  column<Service>("Port(s)", FIELD_DOCS["ServiceSpec.ports"], portsCell),
  ageColumn,
  column<Service>("Selector", FIELD_DOCS["ServiceSpec.selector"], (s) => formatLabels(s.spec?.selector), { priority: 1 }),
];

const svc = (obj: KubeObject) => view<Service>(obj);

export const serviceDefinition: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "Service",
  plural: "services",
  singular: "service",
  shortNames: ["svc"],
  categories: ["all"],
  namespaced: true,
  returnDeletedObject: true,
  verbs: ALL_VERBS,
  storagePath: "services/specs",
  statusSubresource: true,
  nameRule: "dns1035",
  allowCreateOnUpdate: true,
  printerColumns,
  fieldSelectors: {
    "spec.clusterIP": (o) => svc(o).spec?.clusterIP ?? "",
    "spec.type": (o) => svc(o).spec?.type ?? "",
  },
  strategy,
  extraSubresources: [{ name: "proxy", kind: "ServiceProxyOptions", verbs: ["create", "delete", "get", "patch", "update"] }],
};
