/**
 * Who the server token makes you, and what a joining node may do with it. The bare secret as a
 * bearer token (or `server:<secret>`) is the cluster admin, as before. An agent presents the same
 * secret as `node:<secret>` and becomes `kts:node-bootstrap` in `system:bootstrappers`: like
 * upstream's bootstrap tokens with the system:node-bootstrapper role, it may only create and read
 * CertificateSigningRequests (and read discovery and health), enough to obtain its node
 * certificate, which the CSR approver then grants.
 */
import type { Authorizer, Attributes, Decision, Rules } from "../apiserver/http/authz.ts";
import type { StaticToken } from "../apiserver/secure/index.ts";
import type { UserInfo } from "../apiserver/index.ts";
import { NODE_BOOTSTRAP_LOGIN, SERVER_TOKEN_USER } from "../agent/index.ts";

export const BOOTSTRAPPERS_GROUP = "system:bootstrappers";
export const NODE_BOOTSTRAP_USER: UserInfo = { username: "kts:node-bootstrap", groups: [BOOTSTRAPPERS_GROUP] };
const ADMIN_USER: UserInfo = { username: "system:admin", groups: ["system:masters"] };

/** The static credentials of a server token's secret. */
export function serverTokenUsers(secret: string): StaticToken[] {
  return [
    // First: a bare bearer secret names no user, and the first entry wins.
    { secret, user: ADMIN_USER, login: SERVER_TOKEN_USER },
    { secret, user: NODE_BOOTSTRAP_USER, login: NODE_BOOTSTRAP_LOGIN },
  ];
}

const CSR_VERBS = new Set(["create", "get", "list", "watch"]);

function isBootstrapper(user: UserInfo): boolean {
  return user.groups.includes(BOOTSTRAPPERS_GROUP) && !user.groups.includes("system:masters");
}

function bootstrapDecision(attrs: Attributes): Decision {
  if (attrs.path !== undefined && attrs.resource === undefined) return attrs.verb === "get" ? { allowed: true } : { allowed: false, reason: "" };
  const csr = attrs.group === "certificates.k8s.io" && attrs.resource === "certificatesigningrequests";
  if (csr && !attrs.subresource && CSR_VERBS.has(attrs.verb)) return { allowed: true };
  // What the CSR approver's SubjectAccessReview asks: may this identity get a node client certificate?
  if (csr && attrs.subresource === "nodeclient" && attrs.verb === "create") return { allowed: true };
  return { allowed: false, reason: "" };
}

const BOOTSTRAP_RULES: Rules = {
  resourceRules: [
    { verbs: [...CSR_VERBS], apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests"] },
    { verbs: ["create"], apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests/nodeclient"] },
  ],
  nonResourceRules: [{ verbs: ["get"], nonResourceURLs: ["*"] }],
  incomplete: false,
};

/** `inner` for everyone but node bootstrappers, who get only what joining needs. */
export function withNodeBootstrapLimits(inner: Authorizer): Authorizer {
  return {
    authorize: (attrs) => (isBootstrapper(attrs.user) ? Promise.resolve(bootstrapDecision(attrs)) : inner.authorize(attrs)),
    rulesFor: async (user, namespace) => {
      if (isBootstrapper(user)) return structuredClone(BOOTSTRAP_RULES);
      return inner.rulesFor ? inner.rulesFor(user, namespace) : { resourceRules: [], nonResourceRules: [], incomplete: true };
    },
  };
}
