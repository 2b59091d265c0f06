/** CertificateSigningRequest controllers: the kubelet client approver and the client CA signer. */
export { CsrApprover } from "./approver.ts";
export { CsrSigner, type CsrSigningOptions } from "./signer.ts";
export { API_CLIENT_SIGNER, KUBELET_CLIENT_SIGNER, kubeletClientProblem } from "./kubelet-client.ts";
