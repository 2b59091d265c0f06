import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { X509Certificate, createPrivateKey, createPublicKey } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InvalidRequestError, createCertificateAuthority, parseCertificateRequest, signCertificateRequest, toPem } from "./index.ts";
import { firstPem } from "./pem.ts";
import { EKU } from "./usages.ts";

let dir: string;
const ca = createCertificateAuthority("test-client-ca");
const otherCa = createCertificateAuthority("other-ca");

/** A CSR made by the openssl CLI: an independent encoder. */
function opensslCsr(name: string, keyArgs: string[], subject: string, extra: string[] = []): { csr: string; keyFile: string } {
  const keyFile = join(dir, `${name}.key`);
  const csrFile = join(dir, `${name}.csr`);
  const r = Bun.spawnSync(["openssl", "req", "-new", "-nodes", ...keyArgs, "-keyout", keyFile, "-out", csrFile, "-subj", subject, ...extra]);
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  return { csr: readFileSync(csrFile, "utf8"), keyFile };
}

function opensslVerify(caPem: string, certPem: string, purpose: string): string {
  writeFileSync(join(dir, "ca.pem"), caPem);
  writeFileSync(join(dir, "leaf.pem"), certPem);
  const r = Bun.spawnSync(["openssl", "verify", "-CAfile", join(dir, "ca.pem"), "-purpose", purpose, join(dir, "leaf.pem")]);
  return (r.stdout.toString() + r.stderr.toString()).trim();
}

const spkiOf = (pem: string) => createPublicKey(pem).export({ type: "spki", format: "der" }).toString("base64");

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "kts-csr-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("signCertificateRequest with CSRs from openssl req", () => {
  test("a kubelet-style client CSR (EC P-256) becomes a clientAuth certificate for the same key", () => {
    const { csr, keyFile } = opensslCsr("kubelet", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"], "/O=system:nodes/CN=system:node:worker-1");
    const req = parseCertificateRequest(csr);
    expect(req.subject).toEqual({ commonName: "system:node:worker-1", organizations: ["system:nodes"] });

    const signed = signCertificateRequest(ca, csr, { usages: ["digital signature", "key encipherment", "client auth"], days: 30 });
    const cert = new X509Certificate(signed.certPem);
    expect(cert.verify(createPublicKey(ca.key))).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(readFileSync(keyFile, "utf8")))).toBe(true);
    expect(spkiOf(signed.certPem)).toBe(spkiOf(readFileSync(keyFile, "utf8")));
    expect(signed.cert.subject).toEqual({ commonName: "system:node:worker-1", organizations: ["system:nodes"] });
    expect(signed.cert.extKeyUsage).toEqual([EKU.clientAuth]);
    expect(signed.cert.isCA).toBe(false);
    expect(signed.cert.notAfter.getTime() - Date.now()).toBeLessThan(30 * 86_400_000 + 1000);
    expect(opensslVerify(ca.certPem, signed.certPem, "sslclient")).toEndWith(": OK");
    expect(opensslVerify(otherCa.certPem, signed.certPem, "sslclient")).not.toEndWith(": OK");
  });

  test("a serving CSR (RSA) keeps its requested SANs and gets serverAuth", () => {
    const { csr } = opensslCsr("serving", ["-newkey", "rsa:2048"], "/O=system:nodes/CN=system:node:worker-1", [
      "-addext",
      "subjectAltName=DNS:worker-1,IP:192.0.2.10,IP:2001:db8::10",
    ]);
    expect(parseCertificateRequest(csr).altNames.ipAddresses).toEqual(["192.0.2.10", "2001:db8::10"]);
    const signed = signCertificateRequest(ca, csr, { usages: ["digital signature", "key encipherment", "server auth"] });
    const cert = new X509Certificate(signed.certPem);
    expect(cert.checkHost("worker-1", { subject: "never" })).toBe("worker-1");
    expect(cert.checkIP("192.0.2.10")).toBe("192.0.2.10");
    expect(cert.checkIP("2001:db8::10")).toBe("2001:db8::10");
    expect(opensslVerify(ca.certPem, signed.certPem, "sslserver")).toEndWith(": OK");
    expect(opensslVerify(ca.certPem, signed.certPem, "sslclient")).not.toEndWith(": OK");
  });

  test("never outlives the CA", () => {
    const shortCa = createCertificateAuthority("short", { days: 10 });
    const { csr } = opensslCsr("short", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"], "/CN=x");
    const signed = signCertificateRequest(shortCa, csr, { usages: ["client auth"], days: 365 });
    expect(signed.cert.notAfter.getTime()).toBe(shortCa.cert.notAfter.getTime());
  });
});

describe("refused requests", () => {
  test("a CSR whose signature does not match its content", () => {
    const { csr } = opensslCsr("tampered", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"], "/CN=system:node:aaaa");
    const der = firstPem(csr, "CERTIFICATE REQUEST");
    // Rename the subject without re-signing: the signature no longer covers what is asked for.
    const at = Buffer.from(der).indexOf("aaaa");
    const forged = Uint8Array.from(der);
    forged.set(new TextEncoder().encode("root"), at);
    expect(() => signCertificateRequest(ca, toPem("CERTIFICATE REQUEST", forged), { usages: ["client auth"] })).toThrow(InvalidRequestError);
    expect(() => parseCertificateRequest(toPem("CERTIFICATE REQUEST", forged))).toThrow(/signature is invalid/);
    // The untouched request is fine, so it was the edit that failed it.
    expect(parseCertificateRequest(csr).subject.commonName).toBe("system:node:aaaa");
  });

  test("a CSR whose signature bytes are damaged", () => {
    const { csr } = opensslCsr("badsig", ["-newkey", "rsa:2048"], "/CN=x");
    const der = Uint8Array.from(firstPem(csr, "CERTIFICATE REQUEST"));
    der[der.length - 5]! ^= 0xff;
    expect(() => parseCertificateRequest(toPem("CERTIFICATE REQUEST", der))).toThrow(InvalidRequestError);
  });

  test("garbage, truncation and a missing PEM block", () => {
    expect(() => parseCertificateRequest("hello")).toThrow(/no CERTIFICATE REQUEST/);
    const { csr } = opensslCsr("trunc", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"], "/CN=x");
    const der = firstPem(csr, "CERTIFICATE REQUEST");
    expect(() => parseCertificateRequest(toPem("CERTIFICATE REQUEST", der.subarray(0, der.length - 10)))).toThrow(InvalidRequestError);
    expect(() => parseCertificateRequest(toPem("CERTIFICATE REQUEST", Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00)))).toThrow(InvalidRequestError);
  });

  test("unknown usages", () => {
    const { csr } = opensslCsr("usage", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"], "/CN=x");
    expect(() => signCertificateRequest(ca, csr, { usages: ["client auth", "world domination" as never] })).toThrow(/unknown key usage/);
  });
});

describe("createCertificateRequest", () => {
  test("a kubelet client request that openssl verifies and our parser reads back", async () => {
    const { createCertificateRequest, generateKey } = await import("./index.ts");
    const key = generateKey();
    const pem = createCertificateRequest(key, { commonName: "system:node:worker-2", organizations: ["system:nodes"] });
    writeFileSync(join(dir, "made.csr"), pem);
    const r = Bun.spawnSync(["openssl", "req", "-in", join(dir, "made.csr"), "-noout", "-verify", "-subject"]);
    const out = r.stdout.toString() + r.stderr.toString();
    expect(out).toMatch(/verify OK/i);
    expect(out).toContain("O = system:nodes, CN = system:node:worker-2");
    const req = parseCertificateRequest(pem);
    expect(req.subject).toEqual({ commonName: "system:node:worker-2", organizations: ["system:nodes"] });
    expect(req.publicKey.export({ type: "spki", format: "der" }).toString("base64")).toBe(createPublicKey(key).export({ type: "spki", format: "der" }).toString("base64"));
  });
});

test("a request asking only for client auth gets no KeyUsage extension (as Go's x509 writes it), so TLS accepts it", async () => {
  const { createCertificateRequest, generateKey } = await import("./index.ts");
  const pem = createCertificateRequest(generateKey(), { commonName: "alice", organizations: [] });
  const cert = signCertificateRequest(ca, pem, { usages: ["client auth"] });
  writeFileSync(join(dir, "only-client.pem"), cert.certPem);
  const text = Bun.spawnSync(["openssl", "x509", "-in", join(dir, "only-client.pem"), "-noout", "-text"]).stdout.toString();
  expect(text).not.toContain("X509v3 Key Usage");
  expect(text).toContain("TLS Web Client Authentication");
  expect(opensslVerify(ca.certPem, cert.certPem, "sslclient")).toEndWith("OK");
});
