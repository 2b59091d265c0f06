/** Wire shapes of certificates.k8s.io/v1, from @kubernetes/client-node's models. */
import type { V1CertificateSigningRequest, V1CertificateSigningRequestCondition, V1CertificateSigningRequestSpec, V1CertificateSigningRequestStatus } from "@kubernetes/client-node";
import type { KubeObject, Wire } from "../../api/types.ts";

export type CsrSpec = Partial<Wire<V1CertificateSigningRequestSpec>>;
export type CsrStatus = Partial<Wire<V1CertificateSigningRequestStatus>>;
export type CsrCondition = Wire<V1CertificateSigningRequestCondition>;
export type Csr = Omit<Wire<V1CertificateSigningRequest>, "spec" | "status"> & { spec?: CsrSpec; status?: CsrStatus };

export const asCsr = (obj: KubeObject) => obj as unknown as Csr;
