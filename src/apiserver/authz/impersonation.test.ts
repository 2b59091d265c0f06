import { describe, expect, test } from "bun:test";
import type { Attributes, Authorizer } from "../http/authz.ts";
import type { UserInfo } from "../registry/definition.ts";
import { ApiError } from "../api/errors.ts";
import { impersonate } from "./impersonation.ts";

const bob: UserInfo = { username: "bob", groups: ["system:authenticated"] };

/** Allows impersonating what `allowed` lists as "resource/name", and records every question. */
function authorizer(allowed: string[]): Authorizer & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async authorize(a: Attributes) {
      const key = `${a.resource}${a.subresource ? `/${a.subresource}` : ""}/${a.namespace ? `${a.namespace}/` : ""}${a.name}`;
      asked.push(key);
      return { allowed: a.verb === "impersonate" && allowed.includes(key) };
    },
  };
}

const headers = (h: Record<string, string | string[]>) => {
  const out = new Headers();
  for (const [k, v] of Object.entries(h)) for (const x of Array.isArray(v) ? v : [v]) out.append(k, x);
  return out;
};

describe("impersonation", () => {
  test("no headers: the requester", async () => {
    expect(await impersonate(new Headers(), bob, authorizer([]))).toBe(bob);
  });

  test("a user and groups, each checked; system:authenticated added", async () => {
    const a = authorizer(["users/alice", "groups/dev", "groups/ops"]);
    const u = await impersonate(headers({ "Impersonate-User": "alice", "Impersonate-Group": ["dev", "ops"] }), bob, a);
    expect(u).toEqual({ username: "alice", groups: ["dev", "ops", "system:authenticated"] });
    expect(a.asked).toEqual(["users/alice", "groups/dev", "groups/ops"]);
  });

  test("a service account user is checked on serviceaccounts and gets its groups", async () => {
    const u = await impersonate(headers({ "Impersonate-User": "system:serviceaccount:ns1:builder" }), bob, authorizer(["serviceaccounts/ns1/builder"]));
    expect(u).toEqual({ username: "system:serviceaccount:ns1:builder", groups: ["system:serviceaccounts", "system:serviceaccounts:ns1", "system:authenticated"] });
  });

  test("extra and uid are checked on userextras/<key> and uids", async () => {
    const a = authorizer(["users/alice", "userextras/scopes/view", "uids/1234"]);
    const u = await impersonate(headers({ "Impersonate-User": "alice", "Impersonate-Extra-Scopes": "view", "Impersonate-Uid": "1234" }), bob, a);
    expect(u).toEqual({ username: "alice", uid: "1234", groups: ["system:authenticated"], extra: { scopes: ["view"] } });
  });

  test("refused with upstream's Forbidden", async () => {
    const err = await impersonate(headers({ "Impersonate-User": "alice" }), bob, authorizer([])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toBe('users "alice" is forbidden: User "bob" cannot impersonate resource "users" in API group "" at the cluster scope');
  });

  test("groups without a user is an error", async () => {
    const err = await impersonate(headers({ "Impersonate-Group": "dev" }), bob, authorizer([])).catch((e: unknown) => e);
    expect((err as ApiError).code).toBe(500);
  });
});
