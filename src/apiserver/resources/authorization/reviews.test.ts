import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import type { Attributes, Authorizer } from "../../http/authz.ts";
import type { RequestContext, ResourceDefinition, UserInfo } from "../../registry/definition.ts";
import { allowAuthenticated } from "../../http/authz.ts";
import { GenericStore } from "../../registry/store.ts";
import { tempStore } from "../../../store/sqlite/testing.ts";
import { authorizationDefinitions } from "./index.ts";
import { apiFailure as failure } from "../../api/testing.ts";

/** Records what it was asked; allows bob to get pods. */
const asked: Attributes[] = [];
const recording: Authorizer = {
  async authorize(attrs) {
    asked.push(attrs);
    return attrs.user.username === "bob" && attrs.verb === "get" && attrs.resource === "pods" ? { allowed: true, reason: "bob may" } : { allowed: false };
  },
};

const defs = (authorizer: Authorizer) => Object.fromEntries(authorizationDefinitions({ authorizer }).map((d) => [d.kind, d])) as Record<string, ResourceDefinition>;
const ctx = (namespace = "", user: UserInfo = { username: "bob", groups: ["system:authenticated"] }): RequestContext => ({ user, namespace, dryRun: false, now: Date.now() });

async function post(def: ResourceDefinition, body: Record<string, unknown>, c = ctx()): Promise<KubeObject> {
  const backend = tempStore();
  try {
    return await new GenericStore(def, backend).create(c.namespace, { apiVersion: "authorization.k8s.io/v1", kind: def.kind, ...body }, c);
  } finally {
    await backend.dispose();
  }
}


describe("subjectaccessreviews", () => {
  const d = defs(recording);

  test("asks the authorizer about the named user and answers allowed and the reason", async () => {
    asked.length = 0;
    const answer = await post(d.SubjectAccessReview!, { spec: { user: "bob", groups: ["g"], uid: "u", resourceAttributes: { namespace: "ns", verb: "get", resource: "pods", name: "p1" } } }, ctx("", { username: "admin", groups: [] }));
    expect(answer.status).toEqual({ allowed: true, reason: "bob may" });
    expect(answer.metadata).toEqual({ creationTimestamp: null as unknown as string });
    expect(asked).toEqual([{ user: { username: "bob", groups: ["g"], uid: "u" }, verb: "get", group: "", version: undefined, resource: "pods", subresource: undefined, namespace: "ns", name: "p1" }]);
    expect((await post(d.SubjectAccessReview!, { spec: { user: "carol", nonResourceAttributes: { path: "/healthz", verb: "get" } } })).status).toEqual({ allowed: false });
    expect(asked[1]).toEqual({ user: { username: "carol", groups: [] }, verb: "get", path: "/healthz" });
  });

  test("exactly one kind of attributes, a subject, and no metadata", async () => {
    const err = await failure(post(d.SubjectAccessReview!, { metadata: { name: "x" }, spec: {} }));
    expect(err.toStatus()).toMatchObject({
      code: 422,
      message:
        'SubjectAccessReview.authorization.k8s.io "x" is invalid: [spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified, spec.user: Invalid value: "": at least one of user or group must be specified, metadata: Invalid value: {"name":"x"}: must be empty]',
    });
    const both = await failure(post(d.SubjectAccessReview!, { spec: { user: "bob", resourceAttributes: { verb: "get", fieldSelector: {} }, nonResourceAttributes: { path: "/" } } }));
    expect(both.message).toContain('spec.nonResourceAttributes: Invalid value: {"path":"/"}: cannot be specified in combination with resourceAttributes');
    expect(both.message).toContain("spec.resourceAttributes.fieldSelector.requirements: Required value: when spec.resourceAttributes.fieldSelector is specified, requirements or rawSelector is required");
  });
});

describe("selfsubjectaccessreviews", () => {
  test("ask about the requester: `kubectl auth can-i get pods`", async () => {
    const d = defs(allowAuthenticated);
    const yes = await post(d.SelfSubjectAccessReview!, { metadata: { creationTimestamp: null }, spec: { resourceAttributes: { namespace: "default", verb: "get", resource: "pods" } } });
    expect(yes.status).toEqual({ allowed: true });
    const anonymous = ctx("", { username: "system:anonymous", groups: ["system:unauthenticated"] });
    expect((await post(d.SelfSubjectAccessReview!, { spec: { nonResourceAttributes: { path: "/", verb: "get" } } }, anonymous)).status).toEqual({ allowed: false });
  });
});

describe("localsubjectaccessreviews", () => {
  const d = defs(recording);

  test("the namespace of the request, in metadata and attributes", async () => {
    const answer = await post(d.LocalSubjectAccessReview!, { spec: { user: "bob", resourceAttributes: { namespace: "team", verb: "get", resource: "pods" } } }, ctx("team"));
    expect(answer.metadata).toEqual({ namespace: "team", creationTimestamp: null as unknown as string });
    expect(answer.status).toEqual({ allowed: true, reason: "bob may" });
    const other = await failure(post(d.LocalSubjectAccessReview!, { spec: { user: "bob", resourceAttributes: { namespace: "elsewhere", verb: "get" } } }, ctx("team")));
    expect(other.message).toBe('LocalSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes.namespace: Invalid value: "elsewhere": must match metadata.namespace');
    const nonResource = await failure(post(d.LocalSubjectAccessReview!, { spec: { user: "bob", nonResourceAttributes: { path: "/", verb: "get" } } }, ctx("team")));
    expect(nonResource.message).toContain('spec.nonResourceAttributes: Invalid value: {"path":"/","verb":"get"}: disallowed on this kind of request');
  });
});

describe("selfsubjectrulesreviews", () => {
  test("the authorizer's rules: everything for an authenticated user with today's authorizer", async () => {
    const answer = await post(defs(allowAuthenticated).SelfSubjectRulesReview!, { spec: { namespace: "default" } });
    expect(answer).toEqual({
      kind: "SelfSubjectRulesReview",
      apiVersion: "authorization.k8s.io/v1",
      metadata: { creationTimestamp: null as unknown as string },
      spec: {},
      status: { resourceRules: [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }], nonResourceRules: [{ verbs: ["*"], nonResourceURLs: ["*"] }], incomplete: false },
    });
  });

  test("an authorizer that cannot list its rules answers an incomplete, empty list; a namespace is required", async () => {
    const d = defs(recording);
    expect((await post(d.SelfSubjectRulesReview!, { spec: { namespace: "default" } })).status).toEqual({ resourceRules: [], nonResourceRules: [], incomplete: true });
    expect((await failure(post(d.SelfSubjectRulesReview!, { spec: {} }))).toStatus()).toMatchObject({ code: 400, message: "no namespace on request" });
  });

  test("a future authorizer provides rules through rulesFor", async () => {
    const rbac: Authorizer = { ...recording, rulesFor: async (user, namespace) => ({ resourceRules: [{ verbs: ["get"], apiGroups: [""], resources: [`pods-in-${namespace}-for-${user.username}`] }], nonResourceRules: [], incomplete: false }) };
    expect((await post(defs(rbac).SelfSubjectRulesReview!, { spec: { namespace: "ns" } })).status).toEqual({
      resourceRules: [{ verbs: ["get"], apiGroups: [""], resources: ["pods-in-ns-for-bob"] }],
      nonResourceRules: [],
      incomplete: false,
    });
  });
});
