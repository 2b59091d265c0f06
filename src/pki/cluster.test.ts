import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { X509Certificate, createPublicKey } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clusterPkiFiles, ensureClusterPki, parseCertificate, servingSans } from "./index.ts";
import { firstPem } from "./pem.ts";
import { EKU } from "./usages.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "kts-pki-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const x509 = (file: string) => new X509Certificate(readFileSync(file));
const parsed = (file: string) => parseCertificate(firstPem(readFileSync(file, "utf8"), "CERTIFICATE"));
const DAY = 86_400_000;

/** openssl's own verdict on a chain, with the purpose check (EKU) it applies to TLS peers. */
function opensslVerify(caFile: string, certFile: string, purpose: "sslserver" | "sslclient"): string {
  const r = Bun.spawnSync(["openssl", "verify", "-CAfile", caFile, "-purpose", purpose, certFile]);
  return (r.stdout.toString() + r.stderr.toString()).trim();
}

describe("ensureClusterPki, first start", () => {
  test("creates two separate CAs, a serving certificate and the admin certificate", () => {
    const pki = ensureClusterPki({ dir, sans: ["10.43.0.1", "kts.example.test"], hostname: "Node-A" });
    const f = clusterPkiFiles(dir);
    expect(pki.written.sort()).toEqual(Object.values(f).sort());

    for (const ca of [f.serverCaCert, f.clientCaCert]) {
      expect(x509(ca).ca).toBe(true);
      expect(parsed(ca).isCA).toBe(true);
      expect(x509(ca).verify(x509(ca).publicKey)).toBe(true); // self-signed
    }
    expect(readFileSync(f.serverCaCert, "utf8")).not.toBe(readFileSync(f.clientCaCert, "utf8"));
    expect(parsed(f.serverCaCert).subject.commonName).toMatch(/^kts-server-ca@\d+$/);
    expect(parsed(f.clientCaCert).subject.commonName).toMatch(/^kts-client-ca@\d+$/);
  });

  test("the serving certificate chains to the server CA only, for serverAuth, with every SAN", () => {
    ensureClusterPki({ dir, sans: ["10.43.0.1", "kts.example.test"], hostname: "Node-A" });
    const f = clusterPkiFiles(dir);
    const cert = x509(f.servingCert);
    expect(cert.ca).toBe(false);
    expect(cert.verify(x509(f.serverCaCert).publicKey)).toBe(true);
    expect(cert.verify(x509(f.clientCaCert).publicKey)).toBe(false);
    expect(opensslVerify(f.serverCaCert, f.servingCert, "sslserver")).toEndWith(": OK");
    expect(opensslVerify(f.clientCaCert, f.servingCert, "sslserver")).not.toEndWith(": OK");
    expect(opensslVerify(f.serverCaCert, f.servingCert, "sslclient")).not.toEndWith(": OK");
    for (const host of ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "node-a", "kts.example.test"]) {
      expect(cert.checkHost(host, { subject: "never" })).toBe(host);
    }
    for (const ip of ["127.0.0.1", "::1", "10.43.0.1"]) expect(cert.checkIP(ip)).toBe(ip);
    expect(cert.checkHost("other.example.test", { subject: "never" })).toBeUndefined();
    const p = parsed(f.servingCert);
    expect(p.extKeyUsage).toEqual([EKU.serverAuth]);
    expect(p.subject.commonName).toBe("kube-apiserver");
    // The file holds the chain, as k3s's does: the leaf, then its CA.
    expect(readFileSync(f.servingCert, "utf8").match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
  });

  test("the admin certificate is system:admin in system:masters, clientAuth, from the client CA", () => {
    ensureClusterPki({ dir });
    const f = clusterPkiFiles(dir);
    const p = parsed(f.adminCert);
    expect(p.subject).toEqual({ commonName: "system:admin", organizations: ["system:masters"] });
    expect(p.extKeyUsage).toEqual([EKU.clientAuth]);
    expect(p.isCA).toBe(false);
    expect(x509(f.adminCert).verify(x509(f.clientCaCert).publicKey)).toBe(true);
    expect(opensslVerify(f.clientCaCert, f.adminCert, "sslclient")).toEndWith(": OK");
    expect(opensslVerify(f.clientCaCert, f.adminCert, "sslserver")).not.toEndWith(": OK");
    expect(opensslVerify(f.serverCaCert, f.adminCert, "sslclient")).not.toEndWith(": OK");
  });

  test("keys are ECDSA P-256, mode 0600; CAs last 10 years and leaves 1", () => {
    const now = new Date();
    ensureClusterPki({ dir, now });
    const f = clusterPkiFiles(dir);
    for (const key of [f.serverCaKey, f.clientCaKey, f.servingKey, f.adminKey]) {
      expect(statSync(key).mode & 0o777).toBe(0o600);
      const pub = createPublicKey(readFileSync(key, "utf8"));
      expect(pub.asymmetricKeyType).toBe("ec");
      expect(pub.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    }
    const years = (file: string) => (parsed(file).notAfter.getTime() - now.getTime()) / (365 * DAY);
    expect(years(f.serverCaCert)).toBeCloseTo(10, 1);
    expect(years(f.clientCaCert)).toBeCloseTo(10, 1);
    expect(years(f.servingCert)).toBeCloseTo(1, 2);
    expect(years(f.adminCert)).toBeCloseTo(1, 2);
  });
});

describe("ensureClusterPki, later starts", () => {
  test("reuse every file untouched when nothing changed", () => {
    const first = ensureClusterPki({ dir, sans: ["10.43.0.1"], hostname: "a" });
    const f = clusterPkiFiles(dir);
    const before = Object.values(f).map((file) => readFileSync(file, "utf8"));
    const second = ensureClusterPki({ dir, sans: ["10.43.0.1"], hostname: "a" });
    expect(second.written).toEqual([]);
    expect(Object.values(f).map((file) => readFileSync(file, "utf8"))).toEqual(before);
    expect(second.serverCa.certPem).toBe(first.serverCa.certPem);
    expect(second.serving.chainPem).toBe(first.serving.chainPem);
  });

  test("a SAN that is no longer covered re-issues only the serving certificate, keeping its key and the CAs", () => {
    ensureClusterPki({ dir, sans: ["10.43.0.1"], hostname: "a" });
    const f = clusterPkiFiles(dir);
    const keep = [f.serverCaCert, f.serverCaKey, f.clientCaCert, f.clientCaKey, f.adminCert, f.adminKey].map((file) => readFileSync(file, "utf8"));
    const oldServing = readFileSync(f.servingCert, "utf8");
    const oldKey = readFileSync(f.servingKey, "utf8");

    const again = ensureClusterPki({ dir, sans: ["10.43.0.1", "192.0.2.7", "new.example.test"], hostname: "a" });
    expect(again.written.sort()).toEqual([f.servingCert, f.servingKey].sort());
    expect([f.serverCaCert, f.serverCaKey, f.clientCaCert, f.clientCaKey, f.adminCert, f.adminKey].map((file) => readFileSync(file, "utf8"))).toEqual(keep);
    expect(readFileSync(f.servingCert, "utf8")).not.toBe(oldServing);
    expect(readFileSync(f.servingKey, "utf8")).toBe(oldKey);
    const cert = x509(f.servingCert);
    expect(cert.checkIP("192.0.2.7")).toBe("192.0.2.7");
    expect(cert.checkHost("new.example.test", { subject: "never" })).toBe("new.example.test");
    expect(cert.verify(x509(f.serverCaCert).publicKey)).toBe(true);

    // Dropping a SAN is not a reason: the certificate still covers everything wanted.
    expect(ensureClusterPki({ dir, sans: ["10.43.0.1"], hostname: "a" }).written).toEqual([]);
  });

  test("leaves expiring within 90 days are renewed at start; CAs are not", () => {
    ensureClusterPki({ dir });
    const f = clusterPkiFiles(dir);
    const ca = readFileSync(f.serverCaCert, "utf8");
    expect(ensureClusterPki({ dir, now: new Date(Date.now() + 200 * DAY) }).written).toEqual([]);
    const later = ensureClusterPki({ dir, now: new Date(Date.now() + 300 * DAY) });
    expect(later.written.sort()).toEqual([f.adminCert, f.adminKey, f.servingCert, f.servingKey].sort());
    expect(readFileSync(f.serverCaCert, "utf8")).toBe(ca);
    expect(parsed(f.servingCert).notAfter.getTime()).toBeGreaterThan(Date.now() + 600 * DAY);
  });

  test("a leaf signed by another CA (CA files replaced) is re-issued by the current one", () => {
    ensureClusterPki({ dir });
    const f = clusterPkiFiles(dir);
    unlinkSync(f.clientCaCert);
    unlinkSync(f.clientCaKey);
    const again = ensureClusterPki({ dir });
    expect(again.written).toContain(f.clientCaCert);
    expect(again.written).toContain(f.adminCert);
    expect(again.written).not.toContain(f.servingCert);
    expect(x509(f.adminCert).verify(x509(f.clientCaCert).publicKey)).toBe(true);
  });

  test("a damaged leaf is re-issued; half a CA is refused rather than replaced", () => {
    ensureClusterPki({ dir });
    const f = clusterPkiFiles(dir);
    writeFileSync(f.adminCert, "not a certificate");
    expect(ensureClusterPki({ dir }).written).toContain(f.adminCert);
    expect(parsed(f.adminCert).subject.commonName).toBe("system:admin");

    unlinkSync(f.serverCaKey);
    expect(() => ensureClusterPki({ dir })).toThrow(/incomplete CA/);
    expect(existsSync(f.serverCaKey)).toBe(false);
  });
});

test("servingSans classifies and de-duplicates names and IPs", () => {
  const s = servingSans({ hostname: "Host1", sans: ["10.43.0.1", "0:0::1", "Extra.Test", "extra.test", " "] });
  expect(s.ipAddresses).toEqual(["127.0.0.1", "::1", "10.43.0.1"]);
  expect(s.dnsNames).toEqual(["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "host1", "extra.test"]);
  expect(servingSans({ hostname: "h", clusterDomain: "corp.local" }).dnsNames).toContain("kubernetes.default.svc.corp.local");
});
