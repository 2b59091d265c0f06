/**
 * The encryption providers of an EncryptionConfiguration, each writing upstream's stored format
 * `k8s:enc:<provider>:v1:<key name>:<payload>`, so a kts datastore holds what a kube-apiserver's
 * would:
 *  - aescbc: 16-byte IV, then AES-CBC with PKCS#7 padding;
 *  - aesgcm: 12-byte nonce, then AES-GCM ciphertext and tag, the store key as authenticated data;
 *  - secretbox: 24-byte nonce, then XSalsa20-Poly1305 (NaCl secretbox: tag, ciphertext).
 * Keys are 16, 24 or 32 bytes for AES and 32 bytes for secretbox.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import nacl from "tweetnacl";

export type ProviderType = "aescbc" | "aesgcm" | "secretbox";

/** One key of one provider: it seals values under its prefix and opens what carries it. */
export interface KeyProvider {
  readonly type: ProviderType;
  readonly name: string;
  /** `k8s:enc:<type>:v1:<name>:` as bytes. */
  readonly prefix: Uint8Array;
  seal(plain: Uint8Array, key: string): Uint8Array;
  open(payload: Uint8Array, key: string): Uint8Array;
}

const encoder = new TextEncoder();

export function prefixOf(type: ProviderType, name: string): Uint8Array {
  return encoder.encode(`k8s:enc:${type}:v1:${name}:`);
}

function withPrefix(prefix: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat([prefix, ...parts]);
}

function aesAlgorithm(mode: "cbc" | "gcm", secret: Uint8Array): string {
  if (![16, 24, 32].includes(secret.length)) throw new Error(`key must be 16, 24 or 32 bytes long, not ${secret.length}`);
  return `aes-${secret.length * 8}-${mode}`;
}

export function aescbc(name: string, secret: Uint8Array): KeyProvider {
  const algorithm = aesAlgorithm("cbc", secret);
  const prefix = prefixOf("aescbc", name);
  return {
    type: "aescbc",
    name,
    prefix,
    seal(plain) {
      const iv = randomBytes(16);
      const c = createCipheriv(algorithm, secret, iv);
      return withPrefix(prefix, iv, c.update(plain), c.final());
    },
    open(payload) {
      if (payload.length < 32 || payload.length % 16 !== 0) throw new Error("the stored data is not a multiple of the AES block size");
      const d = createDecipheriv(algorithm, secret, payload.subarray(0, 16));
      return Buffer.concat([d.update(payload.subarray(16)), d.final()]);
    },
  };
}

export function aesgcm(name: string, secret: Uint8Array): KeyProvider {
  const algorithm = aesAlgorithm("gcm", secret);
  const prefix = prefixOf("aesgcm", name);
  return {
    type: "aesgcm",
    name,
    prefix,
    seal(plain, key) {
      const nonce = randomBytes(12);
      const c = createCipheriv(algorithm, secret, nonce) as import("node:crypto").CipherGCM;
      c.setAAD(encoder.encode(key));
      const body = Buffer.concat([c.update(plain), c.final()]);
      return withPrefix(prefix, nonce, body, c.getAuthTag());
    },
    open(payload, key) {
      if (payload.length < 12 + 16) throw new Error("the stored data was shorter than the required size");
      const d = createDecipheriv(algorithm, secret, payload.subarray(0, 12)) as import("node:crypto").DecipherGCM;
      d.setAAD(encoder.encode(key));
      d.setAuthTag(payload.subarray(payload.length - 16));
      return Buffer.concat([d.update(payload.subarray(12, payload.length - 16)), d.final()]);
    },
  };
}

export function secretbox(name: string, secret: Uint8Array): KeyProvider {
  if (secret.length !== 32) throw new Error(`key must be 32 bytes long, not ${secret.length}`);
  const prefix = prefixOf("secretbox", name);
  return {
    type: "secretbox",
    name,
    prefix,
    seal(plain) {
      const nonce = randomBytes(24);
      return withPrefix(prefix, nonce, nacl.secretbox(plain, nonce, secret));
    },
    open(payload) {
      if (payload.length < 24) throw new Error("the stored data was shorter than the required size");
      const opened = nacl.secretbox.open(payload.subarray(24), payload.subarray(0, 24), secret);
      if (!opened) throw new Error("output array was not large enough for encryption");
      return opened;
    },
  };
}

export function makeKeyProvider(type: ProviderType, name: string, secret: Uint8Array): KeyProvider {
  if (type === "aescbc") return aescbc(name, secret);
  if (type === "aesgcm") return aesgcm(name, secret);
  return secretbox(name, secret);
}
