/**
 * authorization.k8s.io/v1 protobuf schema (kinds below and every message they reach), as of Kubernetes 1.32.
 * Field numbers follow k8s.io/api authorization/v1; JSON names, pointer-ness (`*`) and omitempty follow the Go
 * struct tags, because decoding must yield the JSON that upstream's json.Marshal would print.
 * Fields are listed in Go declaration order, which is JSON key order. Format: ./table.ts.
 */
import type { GroupSchema } from "./table.ts";

export const AUTHORIZATION_V1: GroupSchema = {
  group: "authorization.k8s.io",
  version: "v1",
  kinds: [
    "SelfSubjectRulesReview", "SelfSubjectAccessReview", "SubjectAccessReview", "LocalSubjectAccessReview",
  ],
  messages: {
    ExtraValue: "[]string",
    FieldSelectorAttributes: { rawSelector: [1, "string"], requirements: [2, "[]meta.FieldSelectorRequirement"] },
    LabelSelectorAttributes: { rawSelector: [1, "string"], requirements: [2, "[]meta.LabelSelectorRequirement"] },
    LocalSubjectAccessReview: {
      metadata: [1, "meta.ObjectMeta"], spec: [2, "SubjectAccessReviewSpec", "always"], status: [3, "SubjectAccessReviewStatus"],
    },
    NonResourceAttributes: { path: [1, "string"], verb: [2, "string"] },
    NonResourceRule: { verbs: [1, "[]string", "always"], nonResourceURLs: [2, "[]string"] },
    ResourceAttributes: {
      namespace: [1, "string"], verb: [2, "string"], group: [3, "string"], version: [4, "string"], resource: [5, "string"],
      subresource: [6, "string"], name: [7, "string"], fieldSelector: [8, "*FieldSelectorAttributes"],
      labelSelector: [9, "*LabelSelectorAttributes"],
    },
    ResourceRule: {
      verbs: [1, "[]string", "always"], apiGroups: [2, "[]string"], resources: [3, "[]string"], resourceNames: [4, "[]string"],
    },
    SelfSubjectAccessReview: {
      metadata: [1, "meta.ObjectMeta"], spec: [2, "SelfSubjectAccessReviewSpec", "always"],
      status: [3, "SubjectAccessReviewStatus"],
    },
    SelfSubjectAccessReviewSpec: {
      resourceAttributes: [1, "*ResourceAttributes"], nonResourceAttributes: [2, "*NonResourceAttributes"],
    },
    SelfSubjectRulesReview: {
      metadata: [1, "meta.ObjectMeta"], spec: [2, "SelfSubjectRulesReviewSpec", "always"],
      status: [3, "SubjectRulesReviewStatus"],
    },
    SelfSubjectRulesReviewSpec: { namespace: [1, "string"] },
    SubjectAccessReview: {
      metadata: [1, "meta.ObjectMeta"], spec: [2, "SubjectAccessReviewSpec", "always"], status: [3, "SubjectAccessReviewStatus"],
    },
    SubjectAccessReviewSpec: {
      resourceAttributes: [1, "*ResourceAttributes"], nonResourceAttributes: [2, "*NonResourceAttributes"], user: [3, "string"],
      groups: [4, "[]string"], extra: [5, "map[string]ExtraValue"], uid: [6, "string"],
    },
    SubjectAccessReviewStatus: {
      allowed: [1, "bool", "always"], denied: [4, "bool"], reason: [2, "string"], evaluationError: [3, "string"],
    },
    SubjectRulesReviewStatus: {
      resourceRules: [1, "[]ResourceRule", "always"], nonResourceRules: [2, "[]NonResourceRule", "always"],
      incomplete: [3, "bool", "always"], evaluationError: [4, "string"],
    },
  },
};
