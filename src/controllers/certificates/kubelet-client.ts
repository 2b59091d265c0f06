/**
 * What a kubelet client certificate request must look like (upstream's ValidateKubeletClientCSR):
 * O=system:nodes exactly, CN=system:node:<name>, no subject alternative names, and the usages
 * {digital signature, client auth}, optionally with key encipherment (RSA keys).
 */
import type { CertificateRequest } from "../../pki/index.ts";
import type { Csr } from "../../apiserver/resources/certificates/types.ts";

export const KUBELET_CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";
export const API_CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client";
export const NODE_USER_PREFIX = "system:node:";
export const NODES_GROUP = "system:nodes";

const REQUIRED_USAGES = [
  ["client auth", "digital signature"],
  ["client auth", "digital signature", "key encipherment"],
];

const sameSet = (a: string[], b: string[]) => new Set(a).size === b.length && b.every((x) => a.includes(x));

/** Why the request is not a kubelet client request, or undefined when it is one. */
export function kubeletClientProblem(req: CertificateRequest, usages: string[]): string | undefined {
  if (req.subject.organizations.length !== 1 || req.subject.organizations[0] !== NODES_GROUP) return `subject organization is not ${NODES_GROUP}`;
  if (req.altNames.dnsNames.length > 0) return "DNS subjectAltNames are not allowed";
  if (req.altNames.emailAddresses.length > 0) return "Email subjectAltNames are not allowed";
  if (req.altNames.ipAddresses.length > 0) return "IP subjectAltNames are not allowed";
  if (req.altNames.uris.length > 0) return "URI subjectAltNames are not allowed";
  if (!req.subject.commonName.startsWith(NODE_USER_PREFIX)) return `subject common name does not begin with ${NODE_USER_PREFIX}`;
  if (!REQUIRED_USAGES.some((want) => sameSet(usages, want))) return `usages did not match [${REQUIRED_USAGES[1]!.join(" ")}]`;
  return undefined;
}

export function conditionOf(csr: Csr, type: string) {
  return (csr.status?.conditions ?? []).find((c) => c.type === type);
}

/** Approved (status True) and not Denied. */
export function isApproved(csr: Csr): boolean {
  return conditionOf(csr, "Approved")?.status === "True" && !conditionOf(csr, "Denied");
}

export function isFinished(csr: Csr): boolean {
  return Boolean(csr.status?.certificate) || conditionOf(csr, "Denied") !== undefined || conditionOf(csr, "Failed") !== undefined;
}

/** The PEM request inside spec.request (base64 on the wire). */
export function requestPem(csr: Csr): string {
  return Buffer.from(csr.spec?.request ?? "", "base64").toString("utf8");
}
