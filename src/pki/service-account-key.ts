/**
 * The key service account tokens are signed with (kube-apiserver's
 * --service-account-signing-key-file; k3s keeps it as server/tls/service.key): generated at first
 * start as a P-256 key (ES256) by default, or RSA 2048 (RS256, what k3s and kubeadm generate),
 * written 0600, and reused afterwards whatever its type. P-256 is the default because generating
 * an RSA key costs 0.1 to 1.5 s of CPU at first start; an RSA key given as the file works the same.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export type ServiceAccountKeyType = "rsa" | "ec";

export interface ServiceAccountKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  file: string;
  /** True when this call generated it. */
  generated: boolean;
}

/** k3s's file name under server/tls. */
export function serviceAccountKeyFile(tlsDir: string): string {
  return join(tlsDir, "service.key");
}

export function ensureServiceAccountKey(file: string, type: ServiceAccountKeyType = "ec"): ServiceAccountKey {
  if (existsSync(file)) {
    // Tighten a key left readable by an older version.
    chmodSync(file, 0o600);
    const privateKey = createPrivateKey(readFileSync(file, "utf8"));
    return { privateKey, publicKey: createPublicKey(privateKey), file, generated: false };
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = type === "ec" ? generateKeyPairSync("ec", { namedCurve: "prime256v1" }) : generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: type === "ec" ? "sec1" : "pkcs1", format: "pem" }) as string;
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, pem, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return { privateKey, publicKey, file, generated: true };
}

/** Public keys from a PEM file of public keys, certificates or private keys (--service-account-key-file). */
export function readPublicKeys(file: string): KeyObject[] {
  const text = readFileSync(file, "utf8");
  const blocks = text.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? [];
  return blocks.map((pem) => (pem.includes("PRIVATE KEY") ? createPublicKey(createPrivateKey(pem)) : createPublicKey(pem)));
}
