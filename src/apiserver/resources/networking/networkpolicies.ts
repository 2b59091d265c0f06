/**
 * networking.k8s.io/v1 NetworkPolicy (upstream SetDefaults_NetworkPolicy(Port),
 * ValidateNetworkPolicySpec, printNetworkPolicy). A policy without policyTypes is an Ingress
 * policy, and an Egress one too when it has egress rules.
 */
import type { FieldError } from "../../api/errors.ts";
import type { KubeObject } from "../../api/types.ts";
import type { ResourceDefinition, Strategy } from "../../registry/definition.ts";
import { validateLabelSelector } from "../../selectors/index.ts";
import { field, FieldPath, invalidEach } from "../../validation/field.ts";
import { goSlice, invalidGo } from "../../validation/go-syntax.ts";
import { validateCIDR } from "../../validation/ip.ts";
import { isValidPortName, isValidPortNum } from "../../validation/names.ts";
import { ageColumn, nameColumn } from "../printing.ts";
import { formatLabelSelector } from "../workloads/label-selector.ts";
import { isStrictSubnet, parseNetwork } from "./cidr.ts";
import { NETWORKING_GROUP, view, type IPBlock, type NetworkPolicy, type NetworkPolicyPeer, type NetworkPolicyPort, type NetworkPolicySpec } from "./types.ts";

const PROTOCOLS = ["TCP", "UDP", "SCTP"];
const POLICY_TYPES = ["Ingress", "Egress"];

const policy = (obj: KubeObject) => view<NetworkPolicy>(obj);

interface Rule {
  ports?: NetworkPolicyPort[];
  peers?: NetworkPolicyPeer[];
}

/** Ingress rules list peers under `from`, egress rules under `to`. */
function rulesOf(spec: NetworkPolicySpec): Array<{ kind: "ingress" | "egress"; peerKey: "from" | "to"; rules: Rule[] }> {
  return [
    { kind: "ingress", peerKey: "from", rules: (spec.ingress ?? []).map((r) => ({ ports: r?.ports, peers: r?.from })) },
    { kind: "egress", peerKey: "to", rules: (spec.egress ?? []).map((r) => ({ ports: r?.ports, peers: r?.to })) },
  ];
}

export function defaultNetworkPolicy(np: NetworkPolicy): void {
  const spec = (np.spec ??= {});
  spec.podSelector ??= {};
  for (const rule of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) {
    for (const port of rule?.ports ?? []) if (port) port.protocol ??= "TCP";
  }
  if (!spec.policyTypes?.length) spec.policyTypes = spec.egress?.length ? ["Ingress", "Egress"] : ["Ingress"];
}

function validatePort(port: NetworkPolicyPort, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (port.protocol != null && !PROTOCOLS.includes(port.protocol)) errs.push(field.notSupported(path.child("protocol"), port.protocol, PROTOCOLS));
  const endPort = path.child("endPort");
  if (port.port == null) {
    if (port.endPort != null) errs.push(field.invalid(endPort, port.endPort, "may not be specified when `port` is not specified"));
  } else if (typeof port.port === "number") {
    errs.push(...invalidEach(path.child("port"), port.port, isValidPortNum(port.port)));
    if (port.endPort != null) {
      if (port.endPort < port.port) errs.push(field.invalid(endPort, port.endPort, "must be greater than or equal to `port`"));
      errs.push(...invalidEach(endPort, port.endPort, isValidPortNum(port.endPort)));
    }
  } else {
    if (port.endPort != null) errs.push(field.invalid(endPort, port.endPort, "may not be specified when `port` is non-numeric"));
    errs.push(...invalidEach(path.child("port"), port.port, isValidPortName(port.port)));
  }
  return errs;
}

/** Every `except` must be a strictly smaller network inside `cidr`. */
function validateIPBlock(block: Partial<IPBlock>, path: FieldPath): FieldError[] {
  if (!block.cidr) return [field.required(path.child("cidr"))];
  const errs = validateCIDR(path.child("cidr"), block.cidr);
  const outer = parseNetwork(block.cidr);
  if (!outer) return errs;
  (block.except ?? []).forEach((except, i) => {
    const p = path.child("except").index(i);
    errs.push(...validateCIDR(p, except));
    const inner = parseNetwork(except);
    if (inner && !isStrictSubnet(inner, outer)) errs.push(field.invalid(p, except, "must be a strict subset of `cidr`"));
  });
  return errs;
}

function validatePeer(peer: NetworkPolicyPeer, path: FieldPath): FieldError[] {
  const errs = [
    ...validateLabelSelector(peer.podSelector, path.child("podSelector")),
    ...validateLabelSelector(peer.namespaceSelector, path.child("namespaceSelector")),
    ...(peer.ipBlock ? validateIPBlock(peer.ipBlock, path.child("ipBlock")) : []),
  ];
  const count = [peer.podSelector, peer.namespaceSelector, peer.ipBlock].filter((p) => p != null).length;
  if (count === 0) errs.push(field.required(path, "must specify a peer"));
  else if (count > 1 && peer.ipBlock) errs.push(field.forbidden(path, "may not specify both ipBlock and another peer"));
  return errs;
}

function validatePolicyTypes(types: string[] | undefined, path: FieldPath): FieldError[] {
  if ((types?.length ?? 0) > POLICY_TYPES.length) return [invalidGo(path, goSlice("networking.PolicyType", types), "may not specify more than two policyTypes")];
  return (types ?? []).flatMap((t, i) => (POLICY_TYPES.includes(t) ? [] : [field.notSupported(path.index(i), t, POLICY_TYPES)]));
}

export function validateNetworkPolicySpec(spec: NetworkPolicySpec): FieldError[] {
  const path = FieldPath.root("spec");
  const errs = validateLabelSelector(spec.podSelector, path.child("podSelector"));
  for (const { kind, peerKey, rules } of rulesOf(spec)) {
    rules.forEach((rule, i) => {
      const p = path.child(kind).index(i);
      (rule.ports ?? []).forEach((port, j) => errs.push(...validatePort(port ?? {}, p.child("ports").index(j))));
      (rule.peers ?? []).forEach((peer, j) => errs.push(...validatePeer(peer ?? {}, p.child(peerKey).index(j))));
    });
  }
  return [...errs, ...validatePolicyTypes(spec.policyTypes, path.child("policyTypes"))];
}

const strategy: Strategy = {
  defaults: (obj) => defaultNetworkPolicy(policy(obj)),
  validate: (obj) => validateNetworkPolicySpec(policy(obj).spec ?? {}),
};

export const networkPolicyDefinition: ResourceDefinition = {
  group: NETWORKING_GROUP,
  version: "v1",
  kind: "NetworkPolicy",
  plural: "networkpolicies",
  singular: "networkpolicy",
  shortNames: ["netpol"],
  namespaced: true,
  tracksGeneration: true,
  printerColumns: [
    nameColumn,
    {
      name: "Pod-Selector",
      type: "string",
      format: "",
      description:
        "Selects the pods to which this NetworkPolicy object applies. The array of ingress rules is applied to any pods selected by this field. Multiple network policies can select the same set of pods.  In this case, the ingress rules for each are combined additively. This field is NOT optional and follows standard label selector semantics. An empty podSelector matches all pods in this namespace.",
      priority: 0,
      cell: (obj) => formatLabelSelector(policy(obj).spec?.podSelector ?? {}),
    },
    ageColumn,
  ],
  strategy,
};
