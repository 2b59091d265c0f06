/**
 * authentication.k8s.io/v1 protobuf schema (kinds below and every message they reach), as of Kubernetes 1.32.
 * Field numbers follow k8s.io/api authentication/v1; JSON names, pointer-ness (`*`) and omitempty follow the Go
 * struct tags, because decoding must yield the JSON that upstream's json.Marshal would print.
 * Fields are listed in Go declaration order, which is JSON key order. Format: ./table.ts.
 */
import type { GroupSchema } from "./table.ts";

export const AUTHENTICATION_V1: GroupSchema = {
  group: "authentication.k8s.io",
  version: "v1",
  kinds: [
    "TokenReview", "TokenRequest", "SelfSubjectReview",
  ],
  messages: {
    BoundObjectReference: { kind: [1, "string"], apiVersion: [2, "string"], name: [3, "string"], uid: [4, "string"] },
    ExtraValue: "[]string",
    SelfSubjectReview: { metadata: [1, "meta.ObjectMeta"], status: [2, "SelfSubjectReviewStatus"] },
    SelfSubjectReviewStatus: { userInfo: [1, "UserInfo"] },
    TokenRequest: { metadata: [1, "meta.ObjectMeta"], spec: [2, "TokenRequestSpec", "always"], status: [3, "TokenRequestStatus"] },
    TokenRequestSpec: {
      audiences: [1, "[]string", "always"], expirationSeconds: [4, "*int64", "always"],
      boundObjectRef: [3, "*BoundObjectReference", "always"],
    },
    TokenRequestStatus: { token: [1, "string", "always"], expirationTimestamp: [2, "Time", "always"] },
    TokenReview: { metadata: [1, "meta.ObjectMeta"], spec: [2, "TokenReviewSpec", "always"], status: [3, "TokenReviewStatus"] },
    TokenReviewSpec: { token: [1, "string"], audiences: [2, "[]string"] },
    TokenReviewStatus: { authenticated: [1, "bool"], user: [2, "UserInfo"], audiences: [4, "[]string"], error: [3, "string"] },
    UserInfo: { username: [1, "string"], uid: [2, "string"], groups: [3, "[]string"], extra: [4, "map[string]ExtraValue"] },
  },
};
