import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../api/types.ts";
import type { RequestContext, UserInfo } from "../../registry/definition.ts";
import { ApiError } from "../../api/errors.ts";
import { GenericStore } from "../../registry/store.ts";
import { tempStore } from "../../../store/sqlite/testing.ts";
import { API_AUDIENCES, authenticationDefinitions } from "./index.ts";

const admin: UserInfo = { username: "system:admin", groups: ["system:masters"] };
const [tokenReviews, selfReviews] = authenticationDefinitions({ authenticateToken: async (t) => (t === "sekrit" ? { user: admin } : undefined) });
const ctx = (user: UserInfo = { username: "alice", uid: "u-1", groups: ["dev", "system:authenticated"], extra: { scopes: ["a"] } }): RequestContext => ({
  user,
  namespace: "",
  dryRun: false,
  now: Date.parse("2025-01-01T00:00:00Z"),
});

/** Runs a review through the generic store, as a POST would. */
async function post(def: typeof tokenReviews, body: KubeObject, c = ctx()): Promise<KubeObject> {
  const backend = tempStore();
  try {
    const answer = await new GenericStore(def!, backend).create("", body, c);
    expect(backend.currentRevision()).toBe(1);
    return answer;
  } finally {
    await backend.dispose();
  }
}

const tokenReview = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec });

describe("tokenreviews", () => {
  test("a valid token: authenticated, its user (with system:authenticated) and the API's audiences", async () => {
    expect(await post(tokenReviews, tokenReview({ token: "sekrit" }))).toEqual({
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenReview",
      metadata: { creationTimestamp: null as unknown as string },
      spec: { token: "sekrit" },
      status: { authenticated: true, user: { username: "system:admin", groups: ["system:masters", "system:authenticated"] }, audiences: API_AUDIENCES },
    });
  });

  test("an unknown token, or one asked for audiences the API does not have, authenticates nobody", async () => {
    expect((await post(tokenReviews, tokenReview({ token: "wrong" }))).status).toEqual({ user: {} });
    expect((await post(tokenReviews, tokenReview({ token: "sekrit", audiences: ["vault"] }))).status).toEqual({ user: {} });
    expect((await post(tokenReviews, tokenReview({ token: "sekrit", audiences: ["vault", "k3s"] }))).status).toMatchObject({ authenticated: true, audiences: ["k3s"] });
  });

  test("an empty token is a 400 with upstream's message", async () => {
    const err = await post(tokenReviews, tokenReview({ token: "" })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).toStatus()).toMatchObject({ code: 400, reason: "BadRequest", message: "token is required for TokenReview in authentication" });
  });

  test("cluster-scoped and create-only", () => {
    expect([tokenReviews!.namespaced, tokenReviews!.verbs]).toEqual([false, ["create"]]);
  });
});

describe("selfsubjectreviews", () => {
  test("the requester's user info, in a fresh object stamped now", async () => {
    const answer = await post(selfReviews, { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview", metadata: { name: "ignored" } });
    expect(answer).toEqual({
      kind: "SelfSubjectReview",
      apiVersion: "authentication.k8s.io/v1",
      metadata: { creationTimestamp: "2025-01-01T00:00:00Z" },
      status: { userInfo: { username: "alice", uid: "u-1", groups: ["dev", "system:authenticated"], extra: { scopes: ["a"] } } },
    });
  });
});
