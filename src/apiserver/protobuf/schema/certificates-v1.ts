/**
 * certificates.k8s.io/v1 protobuf schema (kinds below and every message they reach), as of Kubernetes 1.32.
 * Field numbers follow k8s.io/api certificates/v1; JSON names, pointer-ness (`*`) and omitempty follow the Go
 * struct tags, because decoding must yield the JSON that upstream's json.Marshal would print.
 * Fields are listed in Go declaration order, which is JSON key order. Format: ./table.ts.
 */
import type { GroupSchema } from "./table.ts";

export const CERTIFICATES_V1: GroupSchema = {
  group: "certificates.k8s.io",
  version: "v1",
  kinds: [
    "CertificateSigningRequest", "CertificateSigningRequestList",
  ],
  messages: {
    CertificateSigningRequest: {
      metadata: [1, "meta.ObjectMeta"], spec: [2, "CertificateSigningRequestSpec", "always"],
      status: [3, "CertificateSigningRequestStatus"],
    },
    CertificateSigningRequestCondition: {
      type: [1, "string", "always"], status: [6, "string", "always"], reason: [2, "string"], message: [3, "string"],
      lastUpdateTime: [4, "Time"], lastTransitionTime: [5, "Time"],
    },
    CertificateSigningRequestList: { metadata: [1, "meta.ListMeta"], items: [2, "[]CertificateSigningRequest", "always"] },
    CertificateSigningRequestSpec: {
      request: [1, "bytes", "always"], signerName: [7, "string", "always"], expirationSeconds: [8, "*int32"],
      usages: [5, "[]string"], username: [2, "string"], uid: [3, "string"], groups: [4, "[]string"],
      extra: [6, "map[string]ExtraValue"],
    },
    CertificateSigningRequestStatus: { conditions: [1, "[]CertificateSigningRequestCondition"], certificate: [2, "bytes"] },
    ExtraValue: "[]string",
  },
};
