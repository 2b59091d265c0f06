/**
 * Service validation with upstream's paths and messages (ValidateService,
 * ValidateServiceClusterIPsRelatedFields, ValidateServiceUpdate).
 */
import type { V1ServicePort } from "@kubernetes/client-node";
import type { FieldError } from "../../api/errors.ts";
import type { Wire } from "../../api/types.ts";
import { field, FieldPath, invalidEach } from "../../validation/field.ts";
import { isIPv6, validateCIDR, validateIP } from "../../validation/ip.ts";
import { validateLabels } from "../../validation/labels.ts";
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidPortNum } from "../../validation/names.ts";
import { PROTOCOLS } from "./container-validation.ts";
import { validateNonSpecialIP } from "./ip-rules.ts";
import { validatePortNumOrName } from "./probe-validation.ts";
import { externallyAccessible, isHeadless, needsHealthCheck } from "./service-fields.ts";
import type { Service } from "./types.ts";

type Spec = NonNullable<Service["spec"]>;

const SPEC = FieldPath.root("spec");
const TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
const ONLY_LB = "may only be used when `type` is 'LoadBalancer'";
const LB_SOURCE_RANGES_ANNOTATION = "service.beta.kubernetes.io/load-balancer-source-ranges";

export function validateService(svc: Service): FieldError[] {
  const spec: Spec = svc.spec ?? {};
  const errs: FieldError[] = [];
  if (!spec.ports?.length && !isHeadless(spec) && spec.type !== "ExternalName") errs.push(field.required(SPEC.child("ports")));
  errs.push(...validateTypeSpecifics(spec));
  const names = new Set<string>();
  (spec.ports ?? []).forEach((p, i) => errs.push(...validateServicePort(p, (spec.ports?.length ?? 0) > 1, names, SPEC.child("ports").index(i))));
  if (spec.selector) errs.push(...validateLabels(spec.selector, SPEC.child("selector")));
  errs.push(...validateSessionAffinity(spec));
  errs.push(...validateClusterIPFields(spec));
  (spec.externalIPs ?? []).forEach((ip, i) => {
    const p = SPEC.child("externalIPs").index(i);
    const bad = validateIP(p, ip);
    errs.push(...(bad.length ? bad : validateNonSpecialIP(ip, p)));
  });
  if (!spec.type) errs.push(field.required(SPEC.child("type")));
  else if (!TYPES.includes(spec.type)) errs.push(field.notSupported(SPEC.child("type"), spec.type, TYPES));
  errs.push(...validatePortUniqueness(spec));
  errs.push(...validateLoadBalancerFields(svc));
  errs.push(...validateTrafficPolicies(spec));
  return errs;
}

function validateTypeSpecifics(spec: Spec): FieldError[] {
  const first = SPEC.child("clusterIPs").index(0);
  switch (spec.type) {
    case "LoadBalancer":
    case "NodePort":
      return isHeadless(spec) ? [field.invalid(first, "None", `may not be set to 'None' for ${spec.type} services`)] : [];
    case "ExternalName": {
      const errs: FieldError[] = [];
      if (spec.clusterIPs?.length) errs.push(field.forbidden(SPEC.child("clusterIPs"), "may not be set for ExternalName services"));
      if (spec.ipFamilies?.length) errs.push(field.forbidden(SPEC.child("ipFamilies"), "may not be set for ExternalName services"));
      if (spec.ipFamilyPolicy != null) errs.push(field.forbidden(SPEC.child("ipFamilyPolicy"), "may not be set for ExternalName services"));
      const cname = (spec.externalName ?? "").replace(/\.$/, "");
      if (cname) errs.push(...invalidEach(SPEC.child("externalName"), cname, isDNS1123Subdomain(cname)));
      else errs.push(field.required(SPEC.child("externalName")));
      return errs;
    }
    default:
      return [];
  }
}

function validateServicePort(p: Wire<V1ServicePort>, requireName: boolean, names: Set<string>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (requireName && !p.name) errs.push(field.required(path.child("name")));
  else if (p.name) {
    errs.push(...invalidEach(path.child("name"), p.name, isDNS1123Label(p.name)));
    if (names.has(p.name)) errs.push(field.duplicate(path.child("name"), p.name));
    names.add(p.name);
  }
  errs.push(...invalidEach(path.child("port"), p.port, isValidPortNum(p.port)));
  if (!p.protocol) errs.push(field.required(path.child("protocol")));
  else if (!PROTOCOLS.includes(p.protocol)) errs.push(field.notSupported(path.child("protocol"), p.protocol, PROTOCOLS));
  errs.push(...validatePortNumOrName(p.targetPort, path.child("targetPort")));
  if (p.appProtocol != null) errs.push(...invalidEach(path.child("appProtocol"), p.appProtocol, isQualifiedName(p.appProtocol)));
  return errs;
}

function validateSessionAffinity(spec: Spec): FieldError[] {
  const path = SPEC.child("sessionAffinity");
  if (!spec.sessionAffinity) return [field.required(path)];
  if (spec.sessionAffinity === "None") {
    return spec.sessionAffinityConfig ? [field.forbidden(SPEC.child("sessionAffinityConfig"), "must not be set when session affinity is None")] : [];
  }
  if (spec.sessionAffinity !== "ClientIP") return [field.notSupported(path, spec.sessionAffinity, ["ClientIP", "None"])];
  const cfg = SPEC.child("sessionAffinityConfig");
  const why = "when session affinity type is ClientIP";
  if (!spec.sessionAffinityConfig) return [field.required(cfg, why)];
  if (!spec.sessionAffinityConfig.clientIP) return [field.required(cfg.child("clientIP"), why)];
  const timeout = spec.sessionAffinityConfig.clientIP.timeoutSeconds;
  const tp = cfg.child("clientIP", "timeoutSeconds");
  if (timeout == null) return [field.required(tp, why)];
  return timeout <= 0 || timeout > 86400 ? [field.invalid(tp, timeout, "must be greater than 0 and less than 86400")] : [];
}

/** clusterIP / clusterIPs / ipFamilies / ipFamilyPolicy consistency (single-stack IPv4 cluster). */
function validateClusterIPFields(spec: Spec): FieldError[] {
  if (spec.type === "ExternalName") return [];
  const errs: FieldError[] = [];
  const ipsPath = SPEC.child("clusterIPs");
  const ips = spec.clusterIPs ?? [];
  if (spec.clusterIP) {
    if (!ips.length) errs.push(field.required(ipsPath));
    else if (ips[0] !== spec.clusterIP) errs.push(field.invalid(ipsPath, ips, "first value must match `clusterIP`"));
  } else if (ips.length) errs.push(field.invalid(ipsPath, ips, "must be empty when `clusterIP` is not specified"));
  const seen = new Set<string>();
  (spec.ipFamilies ?? []).forEach((f, i) => {
    if (f !== "IPv4" && f !== "IPv6") errs.push(field.notSupported(SPEC.child("ipFamilies").index(i), f, ["IPv4", "IPv6"]));
    if (seen.has(f)) errs.push(field.duplicate(SPEC.child("ipFamilies").index(i), f));
    seen.add(f);
  });
  const policies = ["PreferDualStack", "RequireDualStack", "SingleStack"];
  if (spec.ipFamilyPolicy != null && !policies.includes(spec.ipFamilyPolicy)) errs.push(field.notSupported(SPEC.child("ipFamilyPolicy"), spec.ipFamilyPolicy, policies));
  let badIPs = false;
  ips.forEach((ip, i) => {
    if (i === 0 && ip === "None") {
      if (ips.length > 1) {
        badIPs = true;
        errs.push(field.invalid(ipsPath, ips, "'None' must be the first and only value"));
      }
      return;
    }
    const bad = validateIP(ipsPath.index(i), ip);
    badIPs ||= bad.length > 0;
    errs.push(...bad);
  });
  if (ips.length > 2) errs.push(field.invalid(ipsPath, ips, "may only hold up to 2 values"));
  if (badIPs) return errs;
  if (ips.length > 1 && isIPv6(ips[0]!) === isIPv6(ips[1]!)) errs.push(field.invalid(ipsPath, ips, "may specify no more than one IP for each IP family"));
  if (!isHeadless(spec)) {
    ips.forEach((ip, i) => {
      const fam = spec.ipFamilies?.[i];
      if (fam === "IPv4" && isIPv6(ip)) errs.push(field.invalid(ipsPath.index(i), ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (fam === "IPv6" && !isIPv6(ip)) errs.push(field.invalid(ipsPath.index(i), ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return [...errs, ...validateClusterFamilies(spec)];
}

/**
 * What this single-stack IPv4 cluster can serve (upstream checks it while allocating): no IPv6
 * family and no required dual-stack, except for headless services without selector.
 */
function validateClusterFamilies(spec: Spec): FieldError[] {
  if (isHeadless(spec) && Object.keys(spec.selector ?? {}).length === 0) return [];
  const errs: FieldError[] = [];
  if (spec.ipFamilyPolicy === "RequireDualStack") {
    errs.push(field.invalid(SPEC.child("ipFamilyPolicy"), spec.ipFamilyPolicy, "this cluster is not configured for dual-stack services"));
  }
  (spec.ipFamilies ?? []).forEach((f, i) => {
    if (f === "IPv6") errs.push(field.invalid(SPEC.child("ipFamilies").index(i), f, "not configured on this cluster"));
  });
  return errs;
}

function validatePortUniqueness(spec: Spec): FieldError[] {
  const errs: FieldError[] = [];
  const ports = spec.ports ?? [];
  if (spec.type === "ClusterIP") {
    ports.forEach((p, i) => {
      if (p.nodePort) errs.push(field.forbidden(SPEC.child("ports").index(i).child("nodePort"), "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    if (!p.nodePort) return;
    const key = `${p.protocol}/${p.nodePort}`;
    if (nodePorts.has(key)) errs.push(field.duplicate(SPEC.child("ports").index(i).child("nodePort"), p.nodePort));
    nodePorts.add(key);
  });
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const key = `${p.protocol}/${p.port}`;
    if (seen.has(key)) errs.push(field.duplicate(SPEC.child("ports").index(i), { protocol: p.protocol, port: p.port }));
    seen.add(key);
  });
  return errs;
}

function validateLoadBalancerFields(svc: Service): FieldError[] {
  const spec: Spec = svc.spec ?? {};
  const isLB = spec.type === "LoadBalancer";
  const errs: FieldError[] = [];
  if (spec.loadBalancerSourceRanges?.length) {
    const path = SPEC.child("LoadBalancerSourceRanges");
    if (!isLB) errs.push(field.forbidden(path, ONLY_LB));
    spec.loadBalancerSourceRanges.forEach((r, i) => errs.push(...validateCIDR(path.index(i), r.trim())));
  } else {
    const annotation = svc.metadata?.annotations?.[LB_SOURCE_RANGES_ANNOTATION];
    if (annotation !== undefined) {
      const path = FieldPath.root("metadata").child("annotations").key(LB_SOURCE_RANGES_ANNOTATION);
      if (!isLB) errs.push(field.forbidden(path, ONLY_LB));
      const text = annotation.trim();
      if (text) for (const r of text.split(",")) errs.push(...validateCIDR(path, r.trim()));
    }
  }
  if (spec.allocateLoadBalancerNodePorts != null && !isLB) errs.push(field.forbidden(SPEC.child("allocateLoadBalancerNodePorts"), ONLY_LB));
  if (isLB && spec.allocateLoadBalancerNodePorts == null) errs.push(field.required(FieldPath.root("allocateLoadBalancerNodePorts")));
  if (spec.loadBalancerClass != null) {
    if (isLB) errs.push(...invalidEach(SPEC.child("loadBalancerClass"), spec.loadBalancerClass, isQualifiedName(spec.loadBalancerClass)));
    else errs.push(field.forbidden(SPEC.child("loadBalancerClass"), ONLY_LB));
  }
  return errs;
}

function validateTrafficPolicies(spec: Spec): FieldError[] {
  const errs: FieldError[] = [];
  const etp = spec.externalTrafficPolicy;
  if (!externallyAccessible(spec)) {
    if (etp) errs.push(field.invalid(SPEC.child("externalTrafficPolicy"), etp, "may only be set for externally-accessible services"));
  } else if (!etp) errs.push(field.required(SPEC.child("externalTrafficPolicy")));
  else if (etp !== "Cluster" && etp !== "Local") errs.push(field.notSupported(SPEC.child("externalTrafficPolicy"), etp, ["Cluster", "Local"]));
  const hc = spec.healthCheckNodePort;
  // The port for Local load balancers is allocated after validation here, so only its range is checked.
  if (!needsHealthCheck(spec)) {
    if (hc) errs.push(field.invalid(SPEC.child("healthCheckNodePort"), hc, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  } else if (hc) errs.push(...invalidEach(SPEC.child("healthCheckNodePort"), hc, isValidPortNum(hc)));
  const itp = spec.internalTrafficPolicy;
  if (itp == null && ["NodePort", "LoadBalancer", "ClusterIP"].includes(spec.type ?? "")) errs.push(field.required(SPEC.child("internalTrafficPolicy")));
  if (itp != null && itp !== "Cluster" && itp !== "Local") errs.push(field.notSupported(SPEC.child("internalTrafficPolicy"), itp, ["Cluster", "Local"]));
  const td = spec.trafficDistribution;
  if (td != null && td !== "PreferClose") errs.push(field.notSupported(SPEC.child("trafficDistribution"), td, ["PreferClose"]));
  return errs;
}

/** What an update may not change: assigned cluster IPs and families, the LB class, the health check port. */
export function validateServiceUpdate(svc: Service, old: Service): FieldError[] {
  const spec: Spec = svc.spec ?? {};
  const prev: Spec = old.spec ?? {};
  const errs = [...validateClusterIPChange(spec, prev), ...validateFamilyChange(spec, prev)];
  if (prev.type === "LoadBalancer" && spec.type === "LoadBalancer" && (prev.loadBalancerClass ?? null) !== (spec.loadBalancerClass ?? null)) {
    errs.push(field.invalid(SPEC.child("loadBalancerClass"), spec.loadBalancerClass ?? null, "may not change once set"));
  }
  if (needsHealthCheck(prev) && needsHealthCheck(spec) && spec.healthCheckNodePort !== prev.healthCheckNodePort) {
    errs.push(field.forbidden(SPEC.child("healthCheckNodePort"), "field is immutable"));
  }
  return errs;
}

function validateClusterIPChange(spec: Spec, prev: Spec): FieldError[] {
  if (spec.type === "ExternalName" || prev.type === "ExternalName" || (isHeadless(spec) && isHeadless(prev))) return [];
  const now = spec.clusterIPs ?? [];
  const before = prev.clusterIPs ?? [];
  const at = (i: number) => SPEC.child("clusterIPs").index(i);
  const errs: FieldError[] = [];
  if (now.length === before.length) {
    before.forEach((ip, i) => {
      if (ip !== now[i]) errs.push(field.invalid(at(i), now, "may not change once set"));
    });
  } else if (before.length > now.length) {
    if (!now.length) errs.push(field.invalid(at(0), now, "primary clusterIP can not be unset"));
    if (before.length && now.length && now[0] !== before[0]) errs.push(field.invalid(at(0), now, "may not change once set"));
    if (now.length === 1 && spec.ipFamilyPolicy !== "SingleStack") {
      errs.push(field.invalid(SPEC.child("ipFamilyPolicy"), spec.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
    }
  } else if (before.length && now[0] !== before[0]) errs.push(field.invalid(at(0), now, "may not change once set"));
  return errs;
}

function validateFamilyChange(spec: Spec, prev: Spec): FieldError[] {
  if (spec.type === "ExternalName" || prev.type === "ExternalName" || isHeadless(spec) !== isHeadless(prev) || isHeadless(spec)) return [];
  const now = spec.ipFamilies ?? [];
  const before = prev.ipFamilies ?? [];
  const first = SPEC.child("ipFamilies").index(0);
  const errs: FieldError[] = [];
  if (now.length === before.length) {
    before.forEach((f, i) => {
      if (f !== now[i]) errs.push(field.invalid(first, now, "may not change once set"));
    });
  } else if (before.length > now.length) {
    if (!spec.clusterIPs?.length) errs.push(field.invalid(first, now, "primary ipFamily can not be unset"));
    if (now.length && now[0] !== before[0]) errs.push(field.invalid(first, spec.clusterIPs ?? [], "may not change once set"));
    if (now.length === 1 && spec.ipFamilyPolicy !== "SingleStack") {
      errs.push(field.invalid(SPEC.child("ipFamilyPolicy"), spec.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary ipFamily"));
    }
  } else if (before.length && now.length && now[0] !== before[0]) errs.push(field.invalid(first, spec.clusterIPs ?? [], "may not change once set"));
  return errs;
}
