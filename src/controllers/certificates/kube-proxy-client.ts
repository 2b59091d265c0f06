/**
 * The one kube-apiserver-client request kts approves by itself: a node asking for the service
 * proxy's certificate. k3s hands every agent a kube-proxy client certificate (CN=system:kube-proxy,
 * signed by the client CA) so its kube-proxy runs with upstream's system:node-proxier role instead
 * of the node's identity; kts's agents ask for it with their node certificate, so this must be
 * approved for any node, but for nothing else: the subject is exactly CN=system:kube-proxy with no
 * organization (no groups, so no system:masters, no system:nodes), no subject alternative names,
 * only client usages, and the requester a node (system:node:<name> in system:nodes). Anything else
 * for this signer stays pending for a person, as upstream leaves it.
 */
import type { CertificateRequest } from "../../pki/index.ts";
import type { Csr } from "../../apiserver/resources/certificates/types.ts";
import { NODE_USER_PREFIX, NODES_GROUP } from "./kubelet-client.ts";

export const KUBE_PROXY_USER = "system:kube-proxy";

const ALLOWED_USAGES = [
  ["client auth", "digital signature"],
  ["client auth", "digital signature", "key encipherment"],
];

const sameSet = (a: string[], b: string[]) => new Set(a).size === a.length && a.length === b.length && b.every((x) => a.includes(x));

/** Whether the request's author is a node (upstream's NodeIdentity: the user name and the group). */
export function requestedByNode(csr: Csr): boolean {
  const user = csr.spec?.username ?? "";
  return user.startsWith(NODE_USER_PREFIX) && user.length > NODE_USER_PREFIX.length && (csr.spec?.groups ?? []).includes(NODES_GROUP);
}

/** Why the request is not exactly a kube-proxy client request, or undefined when it is one. */
export function kubeProxyClientProblem(req: CertificateRequest, usages: string[]): string | undefined {
  if (req.subject.commonName !== KUBE_PROXY_USER) return `subject common name is not ${KUBE_PROXY_USER}`;
  if (req.subject.organizations.length > 0) return "subject organizations are not allowed";
  const alt = req.altNames;
  if (alt.dnsNames.length + alt.emailAddresses.length + alt.ipAddresses.length + alt.uris.length > 0) return "subjectAltNames are not allowed";
  if (!ALLOWED_USAGES.some((want) => sameSet(usages, want))) return `usages did not match [${ALLOWED_USAGES[1]!.join(" ")}]`;
  return undefined;
}
