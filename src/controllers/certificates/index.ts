/** CertificateSigningRequest controllers: the kubelet client approver, the client CA signer and the cleaner. */
export { CsrApprover } from "./approver.ts";
export { CsrCleaner, type CsrCleanerOptions, expiredBecause } from "./cleaner.ts";
export { CsrSigner, type CsrSigningOptions } from "./signer.ts";
export { API_CLIENT_SIGNER, KUBELET_CLIENT_SIGNER, kubeletClientProblem } from "./kubelet-client.ts";
