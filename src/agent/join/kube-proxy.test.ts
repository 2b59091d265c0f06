/**
 * The service proxy's own identity end to end, against a real `kts server`: a node (joined here
 * in-process, as `kts agent` joins) obtains the system:kube-proxy certificate with its node
 * certificate and keeps it; the proxy's rights come with that identity and no longer with the
 * node's; a node gets no other identity from the kube-apiserver-client signer; and a server
 * started on an older data dir drops the binding that gave every node kube-proxy's rights.
 * (src/agent/network/network.e2e.test.ts runs real proxies with it.)
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import type { KubeObject } from "../../apiserver/api/types.ts";
import type { Csr } from "../../apiserver/resources/certificates/types.ts";
import { HttpClient } from "../../client/http/index.ts";
import { logger } from "../../log/index.ts";
import { createCertificateRequest, generateKey, parseCertificate, fromPem, renderKubeconfig } from "../../pki/index.ts";
import { startTestServer, testNodeName, type TestServer } from "../../testing/server.ts";
import { credentialFiles, ensureKubeProxyCredentials, join, type NodeCredentials } from "./index.ts";

// Real processes on a machine that may be busy: generous deadlines (nothing here waits on purpose).
setDefaultTimeout(60_000);

const CSRS = { group: "certificates.k8s.io", version: "v1", resource: "certificatesigningrequests" };
const log = logger("kube-proxy-test");
let s: TestServer;
let node: NodeCredentials;
let nodeName: string;
const dataDir = mkdtempSync(joinPath(tmpdir(), "kts-kube-proxy-"));
const files = credentialFiles(dataDir);

beforeAll(async () => {
  s = await startTestServer();
  nodeName = testNodeName("kts-kp");
  node = await join({ serverUrl: s.url, token: s.token(), nodeName, dataDir, log });
  writeFileSync(files.kubeconfig, renderKubeconfig({ server: s.url, caPem: node.caPem, clientCertPem: node.certPem, clientKeyPem: node.keyPem }));
});

afterAll(async () => {
  await s?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const subjectOf = (pem: string) => parseCertificate(fromPem(pem)[0]!.der).subject;
/** kubectl auth can-i with a kubeconfig of this test's (the node's, kube-proxy's). */
const canI = async (kubeconfig: string, ...args: string[]) => (await s.kubectl(["--kubeconfig", kubeconfig, "auth", "can-i", ...args])).stdout.trim();

test("a node gets the service proxy's certificate (CN=system:kube-proxy, no groups) with its own, and keeps it", async () => {
  const kp = await ensureKubeProxyCredentials({ serverUrl: s.url, caPem: node.caPem, node, dataDir, log });
  expect(kp.issued).toBe(true);
  expect(subjectOf(kp.certPem)).toEqual({ commonName: "system:kube-proxy", organizations: [] });
  expect(statSync(files.kubeProxyKey).mode & 0o777).toBe(0o600);
  expect(new X509Certificate(await Bun.file(files.kubeProxyCert).text()).serialNumber).toBe(kp.serial);
  // The request was the node's, approved by the server's approver for that one case.
  const csrs = JSON.parse(await s.k("get", "csr", "-o", "json")) as { items: Csr[] };
  const mine = csrs.items.find((c) => c.spec?.signerName === "kubernetes.io/kube-apiserver-client");
  expect(mine?.spec?.username).toBe(`system:node:${nodeName}`);
  expect(mine?.status?.conditions?.[0]).toMatchObject({ type: "Approved", reason: "AutoApproved" });
  // The next start reuses it (same serial), as the agent reuses its node certificate.
  const again = await ensureKubeProxyCredentials({ serverUrl: s.url, caPem: node.caPem, node, dataDir, log });
  expect(again.issued).toBe(false);
  expect(again.serial).toBe(kp.serial);
});

test("kube-proxy's rights belong to system:kube-proxy (system:node-proxier), not to the node", async () => {
  const whoami = JSON.parse((await s.kubectl(["--kubeconfig", files.kubeProxyKubeconfig, "auth", "whoami", "-o", "json"])).stdout) as { status: { userInfo: { username: string; groups: string[] } } };
  expect(whoami.status.userInfo).toMatchObject({ username: "system:kube-proxy", groups: ["system:authenticated"] });
  expect(await canI(files.kubeProxyKubeconfig, "list", "endpointslices.discovery.k8s.io", "-A")).toBe("yes");
  expect(await canI(files.kubeProxyKubeconfig, "watch", "services", "-A")).toBe("yes");
  expect(await canI(files.kubeProxyKubeconfig, "create", "pods")).toBe("no");
  expect(await canI(files.kubeProxyKubeconfig, "get", "secrets", "-A")).toBe("no");
  // The node itself lost what only system:node-proxier gave it (it still reads Services, as a kubelet does).
  expect(await canI(files.kubeconfig, "list", "endpointslices.discovery.k8s.io", "-A")).toBe("no");
  expect(await canI(files.kubeconfig, "list", "services", "-A")).toBe("yes");
  expect((await s.kubectl(["get", "clusterrolebinding", "kts:node-proxier"])).stderr).toContain("NotFound");
});

test("a node gets no other identity from the kube-apiserver-client signer, and cannot approve its own request", async () => {
  const asNode = new HttpClient({ server: s.url, caPem: node.caPem, certPem: node.certPem, keyPem: node.keyPem });
  const request = (name: string, commonName: string, organizations: string[]): KubeObject => ({
    apiVersion: "certificates.k8s.io/v1",
    kind: "CertificateSigningRequest",
    metadata: { name },
    spec: { request: Buffer.from(createCertificateRequest(generateKey(), { commonName, organizations })).toString("base64"), signerName: "kubernetes.io/kube-apiserver-client", usages: ["digital signature", "client auth"] },
  });
  const refused = [request("node-wants-admin", "system:admin", ["system:masters"]), request("node-wants-masters", "system:kube-proxy", ["system:masters"]), request("node-wants-other-node", "system:node:someone-else", ["system:nodes"])];
  for (const csr of refused) await asNode.create(CSRS, "", csr);
  // A request the approver does approve, made after the others: by then it has looked at them.
  await asNode.create(CSRS, "", request("node-kube-proxy-marker", "system:kube-proxy", []));
  const deadline = Date.now() + 30_000;
  while (!((await asNode.get(CSRS, "", "node-kube-proxy-marker")) as unknown as Csr).status?.certificate) {
    if (Date.now() > deadline) throw new Error("the marker request was not approved and signed in time");
    await Bun.sleep(100);
  }
  await Bun.sleep(300);
  for (const csr of refused) {
    const now = (await asNode.get(CSRS, "", csr.metadata!.name!)) as unknown as Csr;
    expect({ name: csr.metadata?.name, conditions: now.status?.conditions, certificate: now.status?.certificate }).toEqual({ name: csr.metadata?.name, conditions: undefined, certificate: undefined });
  }
  const own = (await asNode.get(CSRS, "", "node-wants-admin")) as unknown as Csr;
  own.status = { conditions: [{ type: "Approved", status: "True", reason: "Self", message: "" }] };
  await expect(asNode.update(CSRS, "", own as unknown as KubeObject, { subresource: "approval" })).rejects.toMatchObject({ code: 403 });
});

test("a server started on an older cluster's data dir drops kts:node-proxier, the grant of kube-proxy's rights to every node", async () => {
  const legacy = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: "kts:node-proxier", labels: { "app.kubernetes.io/managed-by": "kts" } },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:node-proxier" },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "system:nodes" }],
  };
  await s.kubectl(["apply", "-f", "-"], { stdin: JSON.stringify(legacy) });
  const nodeCan = () => s.kubectl(["auth", "can-i", "list", "endpointslices.discovery.k8s.io", "-A", "--as", `system:node:${nodeName}`, "--as-group", "system:nodes"]).then((r) => r.stdout.trim());
  expect(await nodeCan()).toBe("yes");
  await s.stop({ keepData: true });
  s = await startTestServer([], { dataDir: s.dataDir });
  expect((await s.kubectl(["get", "clusterrolebinding", "kts:node-proxier"])).stderr).toContain("NotFound");
  expect(await nodeCan()).toBe("no");
  expect(await s.k("auth", "can-i", "list", "endpointslices.discovery.k8s.io", "-A", "--as", "system:kube-proxy")).toBe("yes\n");
});
