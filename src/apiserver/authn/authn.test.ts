import { describe, expect, test } from "bun:test";
import { generateKeyPairSync } from "node:crypto";
import type { KubeObject } from "../api/types.ts";
import { boundClaims, legacyClaims, ServiceAccountAuthenticator } from "../serviceaccount/index.ts";
import { BootstrapTokenAuthenticator } from "./bootstrap-tokens.ts";
import { TokenAuthenticatorChain } from "./chain.ts";
import { decodeJwt, signJwt, verifySignature } from "./jwt.ts";
import { parseCsv, TokenFile } from "./token-file.ts";

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const ec = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
const ISSUER = "https://kubernetes.default.svc.cluster.local";
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("JWT", () => {
  test("RS256 and ES256 tokens verify with their key only", () => {
    for (const k of [rsa, ec]) {
      const jwt = decodeJwt(signJwt({ sub: "x" }, k.privateKey));
      expect(jwt.header.alg).toBe(k === rsa ? "RS256" : "ES256");
      expect(verifySignature(jwt, [k.publicKey])).toBe(true);
      expect(verifySignature(jwt, [(k === rsa ? ec : rsa).publicKey])).toBe(false);
    }
  });

  test("alg none and HMAC are refused", () => {
    const token = signJwt({ sub: "x" }, rsa.privateKey);
    const [, payload] = token.split(".");
    const none = decodeJwt(`${Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url")}.${payload}.${Buffer.from("x").toString("base64url")}`);
    expect(verifySignature(none, [rsa.publicKey])).toBe(false);
  });
});

describe("token file", () => {
  test("upstream's CSV: token,user,uid[,groups]; quoted groups; later lines win", async () => {
    expect(parseCsv('t1,alice,1,"a,b"\n\nt2, bob ,2\r\n')).toEqual([["t1", "alice", "1", "a,b"], ["t2", "bob ", "2"]]);
    const f = new TokenFile('t1,alice,1,"dev,ops"\nt2,bob,2\nt2,carol,3\n');
    expect(await f.authenticate("t1")).toEqual({ user: { username: "alice", uid: "1", groups: ["dev", "ops"] } });
    expect((await f.authenticate("t2"))?.user.username).toBe("carol");
    expect(await f.authenticate("t3")).toBeUndefined();
    expect(() => new TokenFile("t1,alice\n")).toThrow("must have at least 3 columns");
  });
});

describe("bootstrap tokens", () => {
  const secret = (data: Record<string, string>, type = "bootstrap.kubernetes.io/token"): KubeObject =>
    ({ apiVersion: "v1", kind: "Secret", metadata: { name: "bootstrap-token-abcdef", namespace: "kube-system" }, type, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])) }) as KubeObject;
  const good = { "token-id": "abcdef", "token-secret": "0123456789abcdef", "usage-bootstrap-authentication": "true", "auth-extra-groups": "system:bootstrappers:kts:agents" };
  const auth = (s: KubeObject | undefined, now = Date.now()) => new BootstrapTokenAuthenticator(async (ns, name) => (ns === "kube-system" && name === "bootstrap-token-abcdef" ? s : undefined), () => now);

  test("<id>.<secret> authenticates as system:bootstrap:<id> with its groups", async () => {
    expect(await auth(secret(good)).authenticate("abcdef.0123456789abcdef")).toEqual({ user: { username: "system:bootstrap:abcdef", groups: ["system:bootstrappers", "system:bootstrappers:kts:agents"] } });
  });

  test("wrong secret, expired, not for authentication, wrong type, bad extra group: nobody", async () => {
    expect(await auth(secret(good)).authenticate("abcdef.0123456789abcdee")).toBeUndefined();
    expect(await auth(secret({ ...good, expiration: "2020-01-01T00:00:00Z" })).authenticate("abcdef.0123456789abcdef")).toBeUndefined();
    expect(await auth(secret({ ...good, "usage-bootstrap-authentication": "false" })).authenticate("abcdef.0123456789abcdef")).toBeUndefined();
    expect(await auth(secret(good, "Opaque")).authenticate("abcdef.0123456789abcdef")).toBeUndefined();
    expect(await auth(secret({ ...good, "auth-extra-groups": "system:masters" })).authenticate("abcdef.0123456789abcdef")).toBeUndefined();
    expect(await auth(secret(good)).authenticate("not-a-token")).toBeUndefined();
  });
});

describe("service account tokens", () => {
  const objects = new Map<string, KubeObject>();
  const put = (resource: string, ns: string, name: string, uid: string, extra: Record<string, unknown> = {}) => objects.set(`${resource}/${ns}/${name}`, { apiVersion: "v1", kind: "X", metadata: { name, namespace: ns, uid }, ...extra } as KubeObject);
  put("serviceaccounts", "default", "builder", "sa-uid");
  put("pods", "default", "web", "pod-uid");
  const sa = new ServiceAccountAuthenticator({ issuers: [ISSUER], publicKeys: [rsa.publicKey], apiAudiences: [ISSUER], get: async (r, ns, n) => objects.get(`${r}/${ns}/${n}`) });
  const now = Math.floor(Date.now() / 1000);
  const bound = (over: Partial<Parameters<typeof boundClaims>[0]> = {}) =>
    signJwt(boundClaims({ issuer: ISSUER, audiences: [ISSUER], namespace: "default", serviceAccount: { name: "builder", uid: "sa-uid" }, pod: { name: "web", uid: "pod-uid" }, expirationSeconds: 3600, nowSeconds: now, ...over }), rsa.privateKey);

  test("a bound token: the account's user, groups and the pod in extra", async () => {
    const r = await sa.authenticate(bound(), [ISSUER]);
    expect(r?.audiences).toEqual([ISSUER]);
    expect(r?.user).toMatchObject({ username: "system:serviceaccount:default:builder", uid: "sa-uid", groups: ["system:serviceaccounts", "system:serviceaccounts:default"] });
    expect(r?.user.extra?.["authentication.kubernetes.io/pod-name"]).toEqual(["web"]);
  });

  test("expired, other audience, other issuer, pod gone or replaced, account gone: nobody", async () => {
    expect(await sa.authenticate(bound({ nowSeconds: now - 7200 }), [ISSUER])).toBeUndefined();
    expect(await sa.authenticate(bound(), ["vault"])).toBeUndefined();
    expect(await sa.authenticate(bound({ issuer: "https://elsewhere" }), [ISSUER])).toBeUndefined();
    expect(await sa.authenticate(bound({ pod: { name: "web", uid: "old-uid" } }), [ISSUER])).toBeUndefined();
    expect(await sa.authenticate(bound({ pod: { name: "gone", uid: "x" } }), [ISSUER])).toBeUndefined();
    expect(await sa.authenticate(bound({ serviceAccount: { name: "builder", uid: "recreated" } }), [ISSUER])).toBeUndefined();
    expect(await sa.authenticate(signJwt(boundClaims({ issuer: ISSUER, audiences: [ISSUER], namespace: "default", serviceAccount: { name: "builder", uid: "sa-uid" }, expirationSeconds: 60, nowSeconds: now }), ec.privateKey), [ISSUER])).toBeUndefined();
  });

  test("a legacy token is good while its Secret holds it", async () => {
    const token = signJwt(legacyClaims("default", { name: "builder", uid: "sa-uid" }, "builder-token"), rsa.privateKey);
    put("secrets", "default", "builder-token", "s-uid", { data: { token: b64(token) } });
    expect((await sa.authenticate(token, [ISSUER]))?.user.username).toBe("system:serviceaccount:default:builder");
    put("secrets", "default", "builder-token", "s-uid", { data: { token: b64("rotated") } });
    expect(await sa.authenticate(token, [ISSUER])).toBeUndefined();
  });

  test("the chain remembers successes for a while, not failures", async () => {
    let calls = 0;
    const chain = new TokenAuthenticatorChain(
      [
        {
          name: "count",
          async authenticate(t) {
            calls++;
            return t === "ok" ? { user: { username: "u", groups: [] } } : undefined;
          },
        },
      ],
      { apiAudiences: ["api"] },
    );
    expect((await chain.authenticate("ok"))?.audiences).toEqual(["api"]);
    await chain.authenticate("ok");
    await chain.authenticate("bad");
    await chain.authenticate("bad");
    expect(calls).toBe(3);
    expect(await chain.authenticate("ok", ["other"])).toBeUndefined();
  });
});
