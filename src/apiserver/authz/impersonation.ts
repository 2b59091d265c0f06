/**
 * User impersonation (k8s.io/apiserver's WithImpersonation filter): Impersonate-User, -Uid,
 * -Group and -Extra-<key> headers make the request act as another user, once the requester is
 * authorized to `impersonate` each part: users, groups, serviceaccounts (a user name
 * system:serviceaccount:<ns>:<name>), uids and userextras/<key>. kubectl --as and --as-group send them.
 */
import type { UserInfo } from "../registry/definition.ts";
import type { Attributes, Authorizer } from "../http/authz.ts";
import { ApiError, errors } from "../api/errors.ts";
import { forbiddenReason } from "../http/authz.ts";

export const IMPERSONATE_HEADERS = { user: "impersonate-user", uid: "impersonate-uid", group: "impersonate-group", extraPrefix: "impersonate-extra-" };

const SA_PREFIX = "system:serviceaccount:";
const AUTHENTICATED = "system:authenticated";
const UNAUTHENTICATED = "system:unauthenticated";
const ANONYMOUS = "system:anonymous";

/** A header's values: repeated headers arrive joined with ", ". */
function values(headers: Headers, name: string): string[] {
  const v = headers.get(name);
  if (v === null) return [];
  return v.split(", ").filter((s) => s !== "");
}

/** Whether the request asks to impersonate at all (cheap: most requests do not). */
export function wantsImpersonation(headers: Headers): boolean {
  for (const [k] of headers) if (k.startsWith("impersonate-")) return true;
  return false;
}

interface Check {
  attrs: Omit<Attributes, "user">;
}

/**
 * The user the request acts as: `requester` itself without impersonation headers, the impersonated
 * user once every part is allowed. Throws 403 (not allowed) or 500 (a part without a user, as upstream).
 */
export async function impersonate(headers: Headers, requester: UserInfo, authorizer: Authorizer): Promise<UserInfo> {
  if (!wantsImpersonation(headers)) return requester;
  const userName = headers.get(IMPERSONATE_HEADERS.user);
  const groupsAsked = values(headers, IMPERSONATE_HEADERS.group);
  const uid = headers.get(IMPERSONATE_HEADERS.uid);
  const extra: Record<string, string[]> = {};
  for (const [k] of headers) {
    if (!k.startsWith(IMPERSONATE_HEADERS.extraPrefix)) continue;
    let key: string;
    try {
      key = decodeURIComponent(k.slice(IMPERSONATE_HEADERS.extraPrefix.length)).toLowerCase();
    } catch {
      throw new ApiError(500, "InternalError", `Internal error occurred: invalid impersonation extra key "${k}"`);
    }
    extra[key] = values(headers, k);
  }
  if (userName === null) {
    if (groupsAsked.length > 0 || Object.keys(extra).length > 0 || uid !== null) {
      throw new ApiError(500, "InternalError", "Internal error occurred: requested impersonation of groups, extra or uid without impersonating a user");
    }
    return requester;
  }

  const checks: Check[] = [];
  let groups = [...groupsAsked];
  if (userName.startsWith(SA_PREFIX) && userName.split(":").length === 4) {
    const [, , namespace, name] = userName.split(":") as [string, string, string, string];
    checks.push({ attrs: { verb: "impersonate", group: "", resource: "serviceaccounts", namespace, name } });
    // A service account's groups are fixed: they come with it unless the request names others.
    if (groupsAsked.length === 0) groups = ["system:serviceaccounts", `system:serviceaccounts:${namespace}`];
  } else {
    checks.push({ attrs: { verb: "impersonate", group: "", resource: "users", name: userName } });
  }
  for (const g of groupsAsked) checks.push({ attrs: { verb: "impersonate", group: "", resource: "groups", name: g } });
  for (const [key, vals] of Object.entries(extra)) for (const v of vals) checks.push({ attrs: { verb: "impersonate", group: "authentication.k8s.io", resource: "userextras", subresource: key, name: v } });
  if (uid !== null) checks.push({ attrs: { verb: "impersonate", group: "authentication.k8s.io", resource: "uids", name: uid } });

  for (const c of checks) {
    const attrs: Attributes = { ...c.attrs, user: requester };
    const d = await authorizer.authorize(attrs);
    if (!d.allowed) {
      const msg = forbiddenReason(attrs);
      throw errors.forbidden({ group: attrs.group, resource: attrs.resource, name: attrs.name }, d.reason ? `${msg}: ${d.reason}` : msg);
    }
  }
  if (userName !== ANONYMOUS) {
    if (!groups.includes(AUTHENTICATED) && !groups.includes(UNAUTHENTICATED)) groups.push(AUTHENTICATED);
  } else if (!groups.includes(UNAUTHENTICATED)) groups.push(UNAUTHENTICATED);
  const user: UserInfo = { username: userName, groups };
  if (uid !== null) user.uid = uid;
  if (Object.keys(extra).length > 0) user.extra = extra;
  return user;
}
