/**
 * The cluster's PKI: CAs, serving and client certificates, CSR signing, and kubeconfig files.
 * Built on node:crypto keys and signatures with a small DER encoder of our own (see der.ts).
 */
export {
  type CertificateAuthority,
  type IssuedCertificate,
  type LeafOptions,
  CA_DAYS,
  LEAF_DAYS,
  createCertificateAuthority,
  generateKey,
  issueClientCertificate,
  issueServingCertificate,
  loadCertificateAuthority,
  privateKeyPem,
} from "./ca.ts";
export { type ClusterPki, type ClusterPkiFiles, type ClusterPkiOptions, RENEW_WITHIN_DAYS, clusterPkiFiles, ensureClusterPki, servingSans } from "./cluster.ts";
export { type CertificateRequest, type SignRequestOptions, InvalidRequestError, createCertificateRequest, parseCertificateRequest, signCertificateRequest } from "./csr.ts";
export { type KubeconfigCredentials, readKubeconfig, renderKubeconfig, writeKubeconfig } from "./kubeconfig.ts";
export type { AltNames, Subject } from "./names.ts";
export { type ParsedCertificate, parseCertificate } from "./parse.ts";
export { fromPem, toPem } from "./pem.ts";
export { type KeyUsage, isKeyUsage } from "./usages.ts";
export { type ServiceAccountKey, type ServiceAccountKeyType, ensureServiceAccountKey, readPublicKeys, serviceAccountKeyFile } from "./service-account-key.ts";
