/**
 * The CSR approver (upstream's csrapproving controller): kubelet client certificate requests are
 * approved when the requester may have them: a SubjectAccessReview must allow it to create
 * certificatesigningrequests/nodeclient (new nodes, by their bootstrap identity) or
 * /selfnodeclient (a node renewing its own certificate), as upstream asks. kts also keeps
 * nodeclient to system:bootstrappers and system:masters and selfnodeclient to a node asking for
 * its own name, so that clusters without RBAC approve no more than before.
 * One kube-apiserver-client request is approved too: a node's for the service proxy's own
 * certificate (CN=system:kube-proxy, nothing more; kube-proxy-client.ts says why).
 * Other requests are left for a person (`kubectl certificate approve`).
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { Csr, CsrCondition } from "../../apiserver/resources/certificates/types.ts";
import { parseCertificateRequest, InvalidRequestError } from "../../pki/index.ts";
import { ApiError } from "../../apiserver/api/errors.ts";
import { CsrController, CSRS } from "./csr-controller.ts";
import { API_CLIENT_SIGNER, conditionOf, KUBELET_CLIENT_SIGNER, kubeletClientProblem, NODES_GROUP, requestPem } from "./kubelet-client.ts";
import { kubeProxyClientProblem, requestedByNode } from "./kube-proxy-client.ts";

const NODE_CLIENT_GROUPS = ["system:bootstrappers", "system:masters"];

interface Recognized {
  permission: "nodeclient" | "selfnodeclient";
  message: string;
}

export class CsrApprover extends CsrController {
  readonly name = "certificatesigningrequest-approving-controller";

  protected async handle(csr: Csr): Promise<void> {
    if (csr.status?.certificate || conditionOf(csr, "Approved") || conditionOf(csr, "Denied")) return;
    if (csr.spec?.signerName === API_CLIENT_SIGNER) return this.handleKubeProxy(csr);
    if (csr.spec?.signerName !== KUBELET_CLIENT_SIGNER) return;
    let recognized: Recognized | undefined;
    try {
      recognized = recognize(csr);
    } catch (err) {
      // A request that does not parse is the signer's to fail, not ours to approve.
      if (err instanceof InvalidRequestError) return;
      throw err;
    }
    if (!recognized) return;
    if (!(await this.permitted(csr, recognized.permission))) return;
    await this.approve(csr, recognized.message);
    this.log.info("approved kubelet client certificate request", { csr: csr.metadata?.name, requester: csr.spec?.username, as: recognized.permission });
  }

  /** A node asking for the service proxy's certificate: approved in that exact form only. */
  private async handleKubeProxy(csr: Csr): Promise<void> {
    if (!requestedByNode(csr)) return;
    try {
      if (kubeProxyClientProblem(parseCertificateRequest(requestPem(csr)), csr.spec?.usages ?? []) !== undefined) return;
    } catch (err) {
      if (err instanceof InvalidRequestError) return;
      throw err;
    }
    await this.approve(csr, "Auto approving kube-proxy client certificate for a node.");
    this.log.info("approved kube-proxy client certificate request", { csr: csr.metadata?.name, requester: csr.spec?.username });
  }

  private async approve(csr: Csr, message: string): Promise<void> {
    const approved: CsrCondition = { type: "Approved", status: "True", reason: "AutoApproved", message };
    csr.status = { ...csr.status, conditions: [...(csr.status?.conditions ?? []), approved] };
    await this.client.update(CSRS, "", csr as unknown as KubeObject, { subresource: "approval" });
  }

  /** Whether the requester may create the request as `permission` (upstream's authorize step). */
  private async permitted(csr: Csr, permission: Recognized["permission"]): Promise<boolean> {
    const spec = csr.spec;
    const review = {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SubjectAccessReview",
      spec: {
        user: spec?.username,
        uid: spec?.uid,
        groups: spec?.groups,
        extra: spec?.extra,
        resourceAttributes: { group: "certificates.k8s.io", resource: "certificatesigningrequests", verb: "create", subresource: permission },
      },
    } as unknown as KubeObject;
    try {
      const answer = (await this.client.create(SUBJECT_ACCESS_REVIEWS, "", review)) as { status?: { allowed?: boolean } };
      return answer.status?.allowed === true;
    } catch (err) {
      // An API without the access reviews (a bare registry) has no authorizer to ask.
      if (err instanceof ApiError && err.code === 404) return true;
      throw err;
    }
  }
}

const SUBJECT_ACCESS_REVIEWS = { group: "authorization.k8s.io", version: "v1", resource: "subjectaccessreviews" };

function recognize(csr: Csr): Recognized | undefined {
  const req = parseCertificateRequest(requestPem(csr));
  if (kubeletClientProblem(req, csr.spec?.usages ?? []) !== undefined) return undefined;
  const groups = csr.spec?.groups ?? [];
  if (csr.spec?.username === req.subject.commonName && groups.includes(NODES_GROUP)) {
    return { permission: "selfnodeclient", message: "Auto approving self kubelet client certificate after SubjectAccessReview." };
  }
  if (groups.some((g) => NODE_CLIENT_GROUPS.includes(g))) {
    return { permission: "nodeclient", message: "Auto approving kubelet client certificate after SubjectAccessReview." };
  }
  return undefined;
}
