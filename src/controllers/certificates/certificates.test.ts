import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { X509Certificate } from "node:crypto";
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { Csr } from "../../apiserver/resources/certificates/types.ts";
import { LocalClient } from "../../apiserver/local-client.ts";
import { EventBroadcaster, SharedInformerFactory } from "../../client/index.ts";
import { createCertificateAuthority, createCertificateRequest, generateKey, parseCertificate, fromPem } from "../../pki/index.ts";
import { memoryLogger, testCluster, type TestCluster, until } from "../testing.ts";
import { CSRS } from "./csr-controller.ts";
import { CsrApprover, CsrCleaner, CsrSigner, expiredBecause } from "./index.ts";

const clientCa = createCertificateAuthority("test-client-ca");
const BOOTSTRAPPER = { username: "kts:node-bootstrap", groups: ["system:bootstrappers", "system:authenticated"] };

let cluster: TestCluster;
let informers: SharedInformerFactory;
const running: Array<{ stop(): Promise<void> }> = [];

beforeAll(async () => {
  cluster = testCluster();
  informers = new SharedInformerFactory(cluster.client);
  const events = new EventBroadcaster(cluster.client);
  const ctx = { client: cluster.client, informers, recorder: (c: string) => events.recorder(c), log: memoryLogger() };
  const controllers = [new CsrApprover(ctx), new CsrSigner(ctx, { clientCa })];
  for (const c of controllers) await c.start();
  running.push(...controllers);
});

afterAll(async () => {
  for (const c of running) await c.stop();
  informers.stop();
  await cluster.close();
});

function csrObject(name: string, subject: { commonName: string; organizations: string[] }, signerName: string, usages = ["digital signature", "client auth"]): KubeObject {
  const request = createCertificateRequest(generateKey(), subject);
  return { apiVersion: "certificates.k8s.io/v1", kind: "CertificateSigningRequest", metadata: { name }, spec: { request: Buffer.from(request).toString("base64"), signerName, usages } };
}

const as = (user: { username: string; groups: string[] }) => new LocalClient(cluster.registry, user);
const read = async (name: string) => (await cluster.client.get(CSRS, "", name)) as unknown as Csr;
const NODE = { commonName: "system:node:worker-1", organizations: ["system:nodes"] };

describe("kubelet client requests", () => {
  test("from a bootstrapper: approved (AutoApproved) and signed by the client CA with the asked usages", async () => {
    await as(BOOTSTRAPPER).create(CSRS, "", csrObject("boot", NODE, "kubernetes.io/kube-apiserver-client-kubelet"));
    await until("the certificate is issued", async () => Boolean((await read("boot")).status?.certificate));
    const csr = await read("boot");
    expect(csr.status?.conditions?.[0]).toMatchObject({ type: "Approved", status: "True", reason: "AutoApproved", message: "Auto approving kubelet client certificate after SubjectAccessReview." });
    const pem = Buffer.from(csr.status!.certificate!, "base64").toString();
    const x509 = new X509Certificate(pem);
    expect(x509.verify(new X509Certificate(clientCa.certPem).publicKey)).toBe(true);
    const cert = parseCertificate(fromPem(pem)[0]!.der);
    expect(cert.subject).toEqual({ commonName: "system:node:worker-1", organizations: ["system:nodes"] });
    expect(x509.keyUsage).toContain("1.3.6.1.5.5.7.3.2"); // clientAuth
    // One year in all, starting 5 minutes back (upstream's backdating of long-lived certificates).
    expect(cert.notAfter.getTime() - cert.notBefore.getTime()).toBe(365 * 86_400_000);
  });

  test("a node renewing its own certificate: selfnodeclient", async () => {
    await as({ username: "system:node:worker-1", groups: ["system:nodes", "system:authenticated"] }).create(CSRS, "", csrObject("renew", NODE, "kubernetes.io/kube-apiserver-client-kubelet"));
    await until("the certificate is issued", async () => Boolean((await read("renew")).status?.certificate));
    expect((await read("renew")).status?.conditions?.[0]?.message).toBe("Auto approving self kubelet client certificate after SubjectAccessReview.");
  });

  test("from another node or a plain user: left pending", async () => {
    await as({ username: "system:node:other", groups: ["system:nodes", "system:authenticated"] }).create(CSRS, "", csrObject("other-node", NODE, "kubernetes.io/kube-apiserver-client-kubelet"));
    await as({ username: "bob", groups: ["system:authenticated"] }).create(CSRS, "", csrObject("bob", NODE, "kubernetes.io/kube-apiserver-client-kubelet"));
    await Bun.sleep(300);
    expect((await read("other-node")).status?.conditions).toBeUndefined();
    expect((await read("bob")).status?.conditions).toBeUndefined();
  });

  test("a bootstrapper asking for something else than a node certificate: not approved; approved by hand it fails signer validation", async () => {
    await as(BOOTSTRAPPER).create(CSRS, "", csrObject("admin-please", { commonName: "system:admin", organizations: ["system:masters"] }, "kubernetes.io/kube-apiserver-client-kubelet"));
    await Bun.sleep(300);
    const pending = await read("admin-please");
    expect(pending.status?.conditions).toBeUndefined();
    pending.status = { conditions: [{ type: "Approved", status: "True", reason: "ByHand", message: "" }] };
    await cluster.client.update(CSRS, "", pending as unknown as KubeObject, { subresource: "approval" });
    await until("the request fails", async () => (await read("admin-please")).status?.conditions?.some((c) => c.type === "Failed") ?? false);
    const failed = (await read("admin-please")).status!.conditions!.find((c) => c.type === "Failed");
    expect(failed).toMatchObject({ status: "True", reason: "SignerValidationFailure", message: "subject organization is not system:nodes" });
    expect((await read("admin-please")).status?.certificate).toBeUndefined();
  });
});

describe("kube-proxy client requests (kube-apiserver-client)", () => {
  const API_CLIENT = "kubernetes.io/kube-apiserver-client";
  const A_NODE = { username: "system:node:worker-1", groups: ["system:nodes", "system:authenticated"] };
  const KUBE_PROXY = { commonName: "system:kube-proxy", organizations: [] };

  test("from a node, exactly CN=system:kube-proxy without groups: approved and signed", async () => {
    await as(A_NODE).create(CSRS, "", csrObject("kp", KUBE_PROXY, API_CLIENT));
    await until("the certificate is issued", async () => Boolean((await read("kp")).status?.certificate));
    const csr = await read("kp");
    expect(csr.status?.conditions?.[0]).toMatchObject({ type: "Approved", status: "True", reason: "AutoApproved", message: "Auto approving kube-proxy client certificate for a node." });
    const cert = parseCertificate(fromPem(Buffer.from(csr.status!.certificate!, "base64").toString())[0]!.der);
    expect(cert.subject).toEqual({ commonName: "system:kube-proxy", organizations: [] });
  });

  test("any other identity, asker or form stays pending", async () => {
    const cases: Array<[string, { username: string; groups: string[] }, { commonName: string; organizations: string[] }, string[]?]> = [
      ["node-admin", A_NODE, { commonName: "system:admin", organizations: ["system:masters"] }],
      ["node-admin-cn", A_NODE, { commonName: "system:admin", organizations: [] }],
      ["node-kp-masters", A_NODE, { commonName: "system:kube-proxy", organizations: ["system:masters"] }],
      ["node-kp-nodes", A_NODE, { commonName: "system:kube-proxy", organizations: ["system:nodes"] }],
      ["node-other-node", A_NODE, { commonName: "system:node:other", organizations: ["system:nodes"] }],
      ["node-kp-server-auth", A_NODE, KUBE_PROXY, ["digital signature", "client auth", "server auth"]],
      ["bootstrapper-kp", BOOTSTRAPPER, KUBE_PROXY],
      ["bob-kp", { username: "bob", groups: ["system:authenticated"] }, KUBE_PROXY],
      // The node name alone is not enough: the group must say node too.
      ["fake-node-kp", { username: "system:node:worker-1", groups: ["system:authenticated"] }, KUBE_PROXY],
    ];
    for (const [name, user, subject, usages] of cases) await as(user).create(CSRS, "", csrObject(name, subject, API_CLIENT, usages));
    // A request created after them that is approved: the approver has looked at the earlier ones by then.
    await as(A_NODE).create(CSRS, "", csrObject("kp-marker", KUBE_PROXY, API_CLIENT));
    await until("the marker is approved", async () => (await read("kp-marker")).status?.conditions?.some((c) => c.type === "Approved") ?? false);
    await Bun.sleep(200);
    for (const [name] of cases) expect({ name, conditions: (await read(name)).status?.conditions }).toEqual({ name, conditions: undefined });
  });
});

test("kube-apiserver-client requests approved by an admin are signed, honouring expirationSeconds", async () => {
  const obj = csrObject("alice", { commonName: "alice", organizations: ["dev"] }, "kubernetes.io/kube-apiserver-client");
  (obj.spec as { expirationSeconds?: number }).expirationSeconds = 3600;
  await cluster.client.create(CSRS, "", obj);
  const csr = await read("alice");
  csr.status = { conditions: [{ type: "Approved", status: "True", reason: "AdminApproved", message: "" }] };
  await cluster.client.update(CSRS, "", csr as unknown as KubeObject, { subresource: "approval" });
  await until("the certificate is issued", async () => Boolean((await read("alice")).status?.certificate));
  const cert = parseCertificate(fromPem(Buffer.from((await read("alice")).status!.certificate!, "base64").toString())[0]!.der);
  expect(cert.subject.commonName).toBe("alice");
  // Backdated 5 minutes, so 65 minutes in all.
  expect((cert.notAfter.getTime() - cert.notBefore.getTime()) / 60_000).toBeCloseTo(65, 0);
});

describe("cleaner", () => {
  const ttls = { finishedTtlMs: 3_600_000, pendingTtlMs: 86_400_000 };
  const at = (iso: string) => Date.parse(iso);
  const csr = (over: Partial<Csr>): Csr => ({ metadata: { name: "x", creationTimestamp: "2026-01-01T00:00:00Z" }, spec: { request: "", signerName: "s" }, ...over }) as Csr;
  const cond = (type: string, time: string) => ({ type, status: "True", lastUpdateTime: time, lastTransitionTime: time });

  test("upstream's deadlines: issued, denied or failed for an hour; pending for a day", async () => {
    const issuedCert = Buffer.from(createCertificateAuthority("leaf-ish").certPem).toString("base64");
    const issued = csr({ status: { certificate: issuedCert, conditions: [cond("Approved", "2026-01-01T00:00:00Z")] } });
    expect(expiredBecause(issued, at("2026-01-01T00:59:00Z"), ttls)).toBeUndefined();
    expect(expiredBecause(issued, at("2026-01-01T01:01:00Z"), ttls)).toBe("issued more than 60 minutes ago");
    expect(expiredBecause(csr({ status: { conditions: [cond("Denied", "2026-01-01T00:00:00Z")] } }), at("2026-01-01T01:01:00Z"), ttls)).toBe("denied more than 60 minutes ago");
    expect(expiredBecause(csr({ status: { conditions: [cond("Failed", "2026-01-01T00:00:00Z")] } }), at("2026-01-01T01:01:00Z"), ttls)).toBe("failed more than 60 minutes ago");
    // Approved but not yet issued: the signer's turn, not garbage.
    expect(expiredBecause(csr({ status: { conditions: [cond("Approved", "2026-01-01T00:00:00Z")] } }), at("2026-01-03T00:00:00Z"), ttls)).toBeUndefined();
    expect(expiredBecause(csr({}), at("2026-01-01T23:00:00Z"), ttls)).toBeUndefined();
    expect(expiredBecause(csr({}), at("2026-01-02T00:01:00Z"), ttls)).toBe("pending for more than 24 hours");
    // A certificate past its notAfter goes at once.
    expect(expiredBecause(issued, Date.now() + 20 * 365 * 86_400_000, ttls)).toBe("its certificate has expired");
  });

  test("running: finished requests are deleted, live ones kept", async () => {
    const ctx = { client: cluster.client, informers, recorder: () => undefined as never, log: memoryLogger() };
    // "boot" was issued moments ago: with a zero TTL it is done with; a fresh pending one stays.
    await as(BOOTSTRAPPER).create(CSRS, "", csrObject("fresh-pending", NODE, "example.com/none"));
    const cleaner = new CsrCleaner(ctx, { finishedTtlMs: 0, pendingTtlMs: 3_600_000, now: () => Date.now() + 1000 });
    await until("the informer sees the new request", async () => informers.informer(CSRS).get("fresh-pending") !== undefined);
    await cleaner.start();
    await cleaner.stop();
    const names = (await cluster.client.list(CSRS, "")).items.map((i) => i.metadata?.name);
    expect(names).not.toContain("boot");
    expect(names).not.toContain("admin-please");
    expect(names).toContain("fresh-pending");
  });
});
