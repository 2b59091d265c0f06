import { describe, expect, test } from "bun:test";
import { type PeerCertificateIdentity, StaticTokens, authenticate, k3sTokenUsers, tokenSecret } from "./index.ts";

const tokens = new StaticTokens([
  ...k3sTokenUsers("K10deadbeef::server:servsecret", "agentsecret"),
  { secret: "admintoken", user: { username: "admin", groups: ["system:masters"] } },
]);

const req = (headers: Record<string, string> = {}) => new Request("https://127.0.0.1/api", { headers });
const peer = (over: Partial<PeerCertificateIdentity> = {}): PeerCertificateIdentity => ({
  verified: true,
  commonName: "alice",
  organizations: ["dev", "ops"],
  serial: "SN=01",
  notAfter: new Date(Date.now() + 86_400_000),
  ...over,
});
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`;
const wsProtocol = (token: string) => `base64url.bearer.authorization.k8s.io.${Buffer.from(token).toString("base64url")}`;

describe("client certificates", () => {
  test("CN is the user, each O a group, plus system:authenticated", async () => {
    expect(await authenticate(req(), peer(), tokens)).toEqual({ ok: true, via: "x509", user: { username: "alice", groups: ["dev", "ops", "system:authenticated"] }, protocols: undefined });
  });

  test("an untrusted certificate fails the request (401) unless another credential succeeds", async () => {
    const untrusted = peer({ verified: false, error: "UNABLE_TO_VERIFY_LEAF_SIGNATURE", commonName: "system:admin", organizations: ["system:masters"] });
    const r = await authenticate(req(), untrusted, tokens);
    expect(r).toEqual({ ok: false, reason: "verifying certificate SN=01 failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE" });
    const withToken = await authenticate(req({ authorization: "Bearer admintoken" }), untrusted, tokens);
    expect(withToken.ok && withToken.user.username).toBe("admin");
  });

  test("a verified certificate without a CN identifies nobody", async () => {
    expect(await authenticate(req(), peer({ commonName: "" }), tokens)).toMatchObject({ ok: true, via: "anonymous" });
  });

  test("the certificate wins over a token, as upstream tries x509 first", async () => {
    const r = await authenticate(req({ authorization: "Bearer admintoken" }), peer(), tokens);
    expect(r.ok && r.user.username).toBe("alice");
  });
});

describe("tokens", () => {
  test("bearer tokens map to their users; k3s's server and agent tokens to server and node", async () => {
    const user = async (h: Record<string, string>) => {
      const r = await authenticate(req(h), undefined, tokens);
      return r.ok ? `${r.via}:${r.user.username}:${r.user.groups.join(",")}` : `fail:${r.reason}`;
    };
    expect(await user({ authorization: "Bearer servsecret" })).toBe("token:server:k3s:server,system:authenticated");
    expect(await user({ authorization: "Bearer K10deadbeef::server:servsecret" })).toBe("token:server:k3s:server,system:authenticated");
    expect(await user({ authorization: "Bearer agentsecret" })).toBe("token:node:k3s:agent,system:authenticated");
    expect(await user({ authorization: "bearer admintoken" })).toBe("token:admin:system:masters,system:authenticated");
    expect(await user({ authorization: "Bearer K10deadbeef::node:servsecret" })).toBe("fail:invalid bearer token");
    expect(await user({ authorization: "Bearer wrong" })).toBe("fail:invalid bearer token");
    expect(await user({ authorization: "Bearer " })).toMatch(/^anonymous:/);
    expect(await user({ authorization: basic("node", "agentsecret") })).toBe("basic:node:k3s:agent,system:authenticated");
    expect(await user({ authorization: basic("server", "agentsecret") })).toBe("fail:invalid username/password combination");
  });

  test("a WebSocket subprotocol can carry the token; the other subprotocols are handed back", async () => {
    const h = { upgrade: "websocket", "sec-websocket-protocol": `${wsProtocol("admintoken")}, v5.channel.k8s.io` };
    expect(await authenticate(req(h), undefined, tokens)).toEqual({ ok: true, via: "websocket-token", user: { username: "admin", groups: ["system:masters", "system:authenticated"] }, protocols: ["v5.channel.k8s.io"] });
    expect(await authenticate(req({ ...h, "sec-websocket-protocol": wsProtocol("admintoken") }), undefined, tokens)).toEqual({ ok: false, reason: "missing additional subprotocol" });
    expect(await authenticate(req({ ...h, "sec-websocket-protocol": `${wsProtocol("bad")}, v5.channel.k8s.io` }), undefined, tokens)).toEqual({ ok: false, reason: "invalid bearer token" });
    // Not an upgrade: the subprotocol header means nothing.
    expect(await authenticate(req({ "sec-websocket-protocol": h["sec-websocket-protocol"] }), undefined, tokens)).toMatchObject({ ok: true, via: "anonymous" });
  });

  test("tokenSecret reads k3s token forms", () => {
    expect(tokenSecret("K10abc0123::server:pw:with:colons")).toEqual({ username: "server", secret: "pw:with:colons" });
    expect(tokenSecret("justasecret")).toEqual({ secret: "justasecret" });
  });
});

describe("anonymous", () => {
  test("no credentials is system:anonymous in system:unauthenticated", async () => {
    expect(await authenticate(req(), undefined, tokens)).toEqual({ ok: true, via: "anonymous", user: { username: "system:anonymous", groups: ["system:unauthenticated"] } });
  });

  test("refused when anonymous auth is off (k3s runs the apiserver with --anonymous-auth=false)", async () => {
    expect(await authenticate(req(), undefined, tokens, { anonymous: false })).toEqual({ ok: false, reason: "no credentials" });
  });
});
