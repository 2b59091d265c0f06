/**
 * The CEL `authorizer` variable against a recording authorizer (the real chain answers it in
 * src/apiserver/e2e/security-admission.test.ts): what each call chain asks, who asks it, the
 * Decision's methods, errors, and the cost that limits an expression to two checks.
 */
import { describe, expect, test } from "bun:test";
import type { Attributes, Authorizer } from "../http/authz.ts";
import type { UserInfo } from "../registry/definition.ts";
import { AdmissionAuthorizer } from "./authorizer-variable.ts";
import { compileAdmissionExpression, evaluate } from "./cel.ts";
import type { RequestAttributes } from "./webhook/matching.ts";

const ALICE: UserInfo = { username: "alice", groups: ["dev", "system:authenticated"] };
const REQUEST = { group: "apps", version: "v1", resource: "deployments", subresource: "", namespace: "team", name: "web", operation: "UPDATE" } as RequestAttributes;

function recording(answer: (a: Attributes) => boolean | Error = () => true): Authorizer & { asked: Attributes[] } {
  const asked: Attributes[] = [];
  return {
    asked,
    async authorize(attrs) {
      asked.push(attrs);
      const out = answer(attrs);
      if (out instanceof Error) throw out;
      return out ? { allowed: true, reason: `RBAC: allowed ${attrs.verb}` } : { allowed: false, reason: "" };
    },
  };
}

async function run(expression: string, authorizer: Authorizer | undefined) {
  const compiled = compileAdmissionExpression(expression);
  if (!compiled.ok) throw new Error(compiled.error);
  const authz = new AdmissionAuthorizer(authorizer, ALICE);
  return authz.run(() => evaluate(compiled.program, { request: {}, authorizer: authz.variable(REQUEST) }));
}

describe("the authorizer variable", () => {
  test("a resource check carries every narrowing step and the request's user", async () => {
    const a = recording();
    expect(await run("authorizer.group('apps').resource('deployments').subresource('scale').namespace('ns').name('n').check('update').allowed()", a)).toBe(true);
    expect(a.asked).toEqual([{ user: ALICE, verb: "update", group: "apps", resource: "deployments", subresource: "scale", namespace: "ns", name: "n" }]);
  });

  test("path checks, and the decision's reason", async () => {
    const a = recording();
    expect(await run("authorizer.path('/healthz').check('get').reason()", a)).toBe("RBAC: allowed get");
    expect(a.asked).toEqual([{ user: ALICE, verb: "get", path: "/healthz" }]);
  });

  test("serviceAccount(ns, name) checks as that account", async () => {
    const a = recording((attrs) => attrs.user.username !== "alice");
    expect(await run("authorizer.serviceAccount('build', 'robot').group('').resource('pods').namespace('build').check('list').allowed()", a)).toBe(true);
    expect(a.asked[0]!.user).toEqual({ username: "system:serviceaccount:build:robot", groups: ["system:serviceaccounts", "system:serviceaccounts:build"] });
  });

  test("authorizer.requestResource is the request's own resource", async () => {
    const a = recording((attrs) => attrs.verb !== "approve");
    expect(await run("authorizer.requestResource.check('approve').allowed()", a)).toBe(false);
    expect(a.asked).toEqual([{ user: ALICE, verb: "approve", group: "apps", resource: "deployments", subresource: "", namespace: "team", name: "web" }]);
    expect(await run("authorizer.requestResource.subresource('status').check('update').allowed()", a)).toBe(true);
    expect(a.asked[1]).toMatchObject({ subresource: "status", name: "web" });
  });

  test("a failing authorizer is errored() with its error(); the same check is asked once", async () => {
    const a = recording(() => new Error("webhook authorizer down"));
    expect(await run("authorizer.path('/x').check('get').errored() && !authorizer.path('/x').check('get').allowed()", a)).toBe(true);
    expect(await run("authorizer.path('/x').check('get').error()", a)).toBe("webhook authorizer down");
    expect(a.asked).toHaveLength(2);
  });

  test("checks that short-circuiting skips are not asked", async () => {
    const a = recording();
    expect(await run("false && authorizer.path('/x').check('get').allowed()", a)).toBe(false);
    expect(a.asked).toHaveLength(0);
  });

  test("a third check exceeds the cost limit, as upstream prices checks", async () => {
    const three = "authorizer.path('/a').check('get').allowed() && authorizer.path('/b').check('get').allowed() && authorizer.path('/c').check('get').allowed()";
    expect(await run(three.split(" && ").slice(0, 2).join(" && "), recording())).toBe(true);
    await expect(run(three, recording())).rejects.toThrow(/cost/i);
  });

  test("fieldSelector and labelSelector (1.32) narrow a resource check; no authorizer here reads them", async () => {
    const a = recording();
    expect(await run("authorizer.group('').resource('pods').fieldSelector('spec.nodeName=n1').labelSelector('app=web').check('list').allowed()", a)).toBe(true);
    expect(a.asked).toEqual([{ user: ALICE, verb: "list", group: "", resource: "pods" }]);
  });

  test("blank paths and resources and invalid ServiceAccount names are evaluation errors, as upstream's", async () => {
    await expect(run("authorizer.path(' ').check('get').allowed()", recording())).rejects.toThrow("path must not be empty");
    await expect(run("authorizer.group('').resource('').check('get').allowed()", recording())).rejects.toThrow("resource must not be empty");
    await expect(run("authorizer.serviceAccount('ns', 'Bad_Name').path('/x').check('get').allowed()", recording())).rejects.toThrow("Invalid service account name");
    await expect(run("authorizer.serviceAccount('a.b', 'robot').path('/x').check('get').allowed()", recording())).rejects.toThrow("Invalid service account namespace");
  });

  test("where nothing authorizes, a check is an errored decision", async () => {
    expect(await run("authorizer.path('/x').check('get').errored()", undefined)).toBe(true);
  });
});
