/**
 * The CSR signer (upstream's csrsigning controller): approved requests for the client signers get a
 * certificate from the cluster's client CA, valid for the requested expirationSeconds but never more
 * than the signing duration (one year). Kubelet client requests that break the kubelet rules are
 * marked Failed (SignerValidationFailure) instead, as upstream does.
 */
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { ControllerContext } from "../context.ts";
import type { Csr } from "../../apiserver/resources/certificates/types.ts";
import { type CertificateAuthority, InvalidRequestError, isKeyUsage, parseCertificateRequest, signCertificateRequest } from "../../pki/index.ts";
import { CsrController, CSRS } from "./csr-controller.ts";
import { API_CLIENT_SIGNER, isApproved, isFinished, KUBELET_CLIENT_SIGNER, kubeletClientProblem, requestPem } from "./kubelet-client.ts";

export interface CsrSigningOptions {
  /** Signs kube-apiserver-client and kube-apiserver-client-kubelet requests. */
  clientCa: CertificateAuthority;
  /** kube-controller-manager's --cluster-signing-duration (default one year). */
  maxDurationSeconds?: number;
}

const YEAR_SECONDS = 365 * 86_400;
const BACKDATE_SECONDS = 5 * 60;
const SHORT_SECONDS = 8 * 3600;

export class CsrSigner extends CsrController {
  readonly name = "certificatesigningrequest-signing-controller";

  constructor(
    ctx: ControllerContext,
    private readonly opts: CsrSigningOptions,
  ) {
    super(ctx);
  }

  protected async handle(csr: Csr): Promise<void> {
    if (!isApproved(csr) || isFinished(csr)) return;
    const signer = csr.spec?.signerName;
    if (signer !== KUBELET_CLIENT_SIGNER && signer !== API_CLIENT_SIGNER) return;
    const pem = requestPem(csr);
    const usages = csr.spec?.usages ?? [];
    let problem: string | undefined;
    try {
      const req = parseCertificateRequest(pem);
      if (signer === KUBELET_CLIENT_SIGNER) problem = kubeletClientProblem(req, usages);
      else if (!usages.includes("client auth")) problem = "invalid usage for client certificate: client auth is required";
    } catch (err) {
      if (!(err instanceof InvalidRequestError)) throw err;
      problem = `unable to parse csr: ${err.message}`;
    }
    if (problem === undefined && !usages.every(isKeyUsage)) problem = `unsupported usages ${JSON.stringify(usages)}`;
    if (problem !== undefined) return this.fail(csr, problem);
    const seconds = Math.min(csr.spec?.expirationSeconds ?? Infinity, this.opts.maxDurationSeconds ?? YEAR_SECONDS);
    // Certificates start BACKDATE early; long-lived ones end that much early too, so they last
    // exactly their duration (upstream's PermissiveSigningPolicy; short ones keep the whole duration).
    const lifetime = seconds >= SHORT_SECONDS ? seconds - BACKDATE_SECONDS : seconds;
    const cert = signCertificateRequest(this.opts.clientCa, pem, { usages: usages.filter(isKeyUsage), days: lifetime / 86_400 });
    csr.status = { ...csr.status, certificate: Buffer.from(cert.certPem).toString("base64") };
    await this.client.update(CSRS, "", csr as unknown as KubeObject, { subresource: "status" });
    this.log.info("signed certificate", { csr: csr.metadata?.name, subject: cert.cert.subject.commonName, notAfter: cert.cert.notAfter.toISOString() });
  }

  private async fail(csr: Csr, message: string): Promise<void> {
    const failed = { type: "Failed", status: "True", reason: "SignerValidationFailure", message };
    csr.status = { ...csr.status, conditions: [...(csr.status?.conditions ?? []), failed] };
    await this.client.update(CSRS, "", csr as unknown as KubeObject, { subresource: "status" });
    this.log.warn("certificate request failed validation", { csr: csr.metadata?.name, reason: message });
  }
}
