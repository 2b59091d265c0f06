import { afterEach, beforeEach, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCertificateAuthority, issueClientCertificate, readKubeconfig, renderKubeconfig, writeKubeconfig } from "./index.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "kts-kubeconfig-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ca = createCertificateAuthority("server-ca");
const clientCa = createCertificateAuthority("client-ca");
const admin = issueClientCertificate(clientCa, { commonName: "system:admin", organizations: ["system:masters"] });

test("client-certificate kubeconfig: k3s's layout, mode 0600, parent folders created", () => {
  const path = join(dir, "etc", "kts", "kts.yaml");
  writeKubeconfig(path, { server: "https://127.0.0.1:6443", caPem: ca.certPem, clientCertPem: admin.chainPem, clientKeyPem: admin.keyPem });
  expect(statSync(path).mode & 0o777).toBe(0o600);
  const text = readFileSync(path, "utf8");
  expect(text).toContain("    server: https://127.0.0.1:6443\n  name: default\n");
  expect(text).toContain("current-context: default\n");
  expect(text).not.toContain("token:");
  expect(readKubeconfig(path)).toEqual({ server: "https://127.0.0.1:6443", caPem: ca.certPem, clientCertPem: admin.chainPem, clientKeyPem: admin.keyPem, token: undefined });
});

test("token kubeconfig, an explicit mode, and rewriting an existing file fixes its mode", () => {
  const path = join(dir, "kubeconfig");
  writeFileSync(path, "old");
  chmodSync(path, 0o666);
  writeKubeconfig(path, { server: "https://localhost:6443", caPem: ca.certPem, token: "K10abc::server:s3cr#t" });
  expect(statSync(path).mode & 0o777).toBe(0o600);
  expect(readKubeconfig(path).token).toBe("K10abc::server:s3cr#t");
  writeKubeconfig(path, { server: "https://localhost:6443", caPem: ca.certPem, token: "plain" }, 0o644);
  expect(statSync(path).mode & 0o777).toBe(0o644);
  expect(readKubeconfig(path).token).toBe("plain");
});

test("tokens that YAML would misread are quoted", () => {
  for (const token of ["true", "123", "-x", "a b", "x:", "null", "#c"]) {
    const text = renderKubeconfig({ server: "https://h:1", caPem: ca.certPem, token });
    const user = (Bun.YAML.parse(text) as { users: { user: { token: unknown } }[] }).users[0]!.user;
    expect(user.token).toBe(token);
  }
});

test("refuses a kubeconfig without credentials", () => {
  expect(() => renderKubeconfig({ server: "https://h:1", caPem: ca.certPem })).toThrow(/needs a client certificate/);
});
