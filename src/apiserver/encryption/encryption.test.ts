import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCipheriv, randomBytes } from "node:crypto";
import { compileRules, parseEncryptionConfiguration } from "./config.ts";
import { aescbc, aesgcm, secretbox } from "./providers.ts";
import { EncryptionTransformers } from "./transformer.ts";
import { EncryptionManager } from "./manager.ts";
import { Registry } from "../registry/registry.ts";
import { builtinDefinitions } from "../resources/index.ts";
import { tempStore } from "../../store/sqlite/testing.ts";
import type { RequestContext } from "../registry/definition.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const key32 = randomBytes(32);

describe("providers", () => {
  test("each seals under upstream's prefix and opens what it sealed", () => {
    for (const p of [aescbc("k1", key32), aesgcm("k1", key32), secretbox("k1", key32), aescbc("short", randomBytes(16))]) {
      const sealed = p.seal(enc.encode('{"data":"x"}'), "/registry/secrets/ns/a");
      expect(dec.decode(sealed.subarray(0, p.prefix.length))).toBe(`k8s:enc:${p.type}:v1:${p.name}:`);
      expect(dec.decode(sealed)).not.toContain('"data"');
      expect(dec.decode(p.open(sealed.subarray(p.prefix.length), "/registry/secrets/ns/a"))).toBe('{"data":"x"}');
    }
  });

  test("aescbc is AES-CBC with a leading IV and PKCS#7, as upstream stores it", () => {
    const iv = randomBytes(16);
    const c = createCipheriv("aes-256-cbc", key32, iv);
    const payload = Buffer.concat([iv, c.update("hello"), c.final()]);
    expect(dec.decode(aescbc("k", key32).open(payload, "any"))).toBe("hello");
  });

  test("aesgcm binds the value to its key: moved to another key it does not open", () => {
    const p = aesgcm("k", key32);
    const sealed = p.seal(enc.encode("v"), "/registry/secrets/a/b");
    expect(() => p.open(sealed.subarray(p.prefix.length), "/registry/secrets/a/c")).toThrow();
  });

  test("bad key lengths are refused", () => {
    expect(() => aescbc("k", randomBytes(10))).toThrow("16, 24 or 32");
    expect(() => secretbox("k", randomBytes(16))).toThrow("32");
  });
});

describe("configuration and transformers", () => {
  const cfg = (providers: unknown[], resources = ["secrets"]) =>
    JSON.stringify({ kind: "EncryptionConfiguration", apiVersion: "apiserver.config.k8s.io/v1", resources: [{ resources, providers }] });
  const k = (name: string) => ({ name, secret: key32.toString("base64") });

  test("YAML and JSON parse; the first provider writes, all read; plain values are stale while a key writes", () => {
    const yaml = `kind: EncryptionConfiguration\napiVersion: apiserver.config.k8s.io/v1\nresources:\n  - resources: [secrets]\n    providers:\n      - secretbox:\n          keys:\n            - name: sb\n              secret: ${key32.toString("base64")}\n      - identity: {}\n`;
    const t = new EncryptionTransformers(compileRules(parseEncryptionConfiguration(yaml)));
    const secrets = t.forResource("", "secrets");
    const sealed = secrets.toStorage(enc.encode("{}"), "/k");
    expect(dec.decode(sealed)).toStartWith("k8s:enc:secretbox:v1:sb:");
    expect(secrets.fromStorage(sealed, "/k")).toEqual({ data: enc.encode("{}"), stale: false });
    expect(secrets.fromStorage(enc.encode("{}"), "/k").stale).toBe(true);
    // Other resources are written as they are.
    expect(dec.decode(t.forResource("", "configmaps").toStorage(enc.encode("{}"), "/k"))).toBe("{}");
    expect(t.encrypts("", "secrets")).toBe(true);
    expect(t.encrypts("apps", "deployments")).toBe(false);
  });

  test("resource patterns: *.apps, *.*, and group-qualified names", () => {
    const t = new EncryptionTransformers(compileRules(parseEncryptionConfiguration(cfg([{ aesgcm: { keys: [k("a")] } }], ["deployments.apps", "*.batch"]))));
    expect(t.encrypts("apps", "deployments")).toBe(true);
    expect(t.encrypts("apps", "statefulsets")).toBe(false);
    expect(t.encrypts("batch", "jobs")).toBe(true);
    expect(t.encrypts("", "secrets")).toBe(false);
    expect(new EncryptionTransformers(compileRules(parseEncryptionConfiguration(cfg([{ aesgcm: { keys: [k("a")] } }], ["*.*"])))).encrypts("", "pods")).toBe(true);
  });

  test("invalid configurations are refused with the field at fault", () => {
    expect(() => compileRules(parseEncryptionConfiguration(cfg([{ aescbc: { keys: [{ name: "a", secret: "c2hvcnQ=" }] } }])))).toThrow("resources[0].providers[0].aescbc.keys[0].secret");
    expect(() => compileRules(parseEncryptionConfiguration(cfg([{ aescbc: { keys: [k("a")] }, identity: {} }])))).toThrow("more than one provider");
    expect(() => parseEncryptionConfiguration('{"kind":"Other"}')).toThrow("EncryptionConfiguration");
    expect(() => compileRules(parseEncryptionConfiguration(cfg([{ aescbc: { keys: [k("a:b")] } }])))).toThrow("should not contain ':'");
  });

  test("a value sealed with a key no longer configured cannot be read", () => {
    const old = new EncryptionTransformers(compileRules(parseEncryptionConfiguration(cfg([{ aescbc: { keys: [k("old")] } }]))));
    const sealed = old.forResource("", "secrets").toStorage(enc.encode("{}"), "/k");
    const now = new EncryptionTransformers(compileRules(parseEncryptionConfiguration(cfg([{ aescbc: { keys: [k("new")] } }]))));
    expect(() => now.forResource("", "secrets").fromStorage(sealed, "/k")).toThrow("no matching prefix found");
  });
});

describe("the manager", () => {
  const ctx: RequestContext = { user: { username: "admin", groups: ["system:masters"] }, namespace: "default", dryRun: false, now: Date.now() };

  test("generates a 0600 configuration, encrypts secrets, and rotates keys with every secret still readable", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kts-enc-"));
    const backend = tempStore();
    try {
      const file = join(dir, "cred", "encryption-config.json");
      const manager = new EncryptionManager({ configFile: file, managed: true, enableOnCreate: true });
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const registry = new Registry(backend);
      manager.attach(registry);
      for (const d of builtinDefinitions()) registry.add(d);
      const secrets = registry.lookup("", "v1", "secrets")!;
      for (let i = 0; i < 25; i++) await secrets.create("default", { apiVersion: "v1", kind: "Secret", metadata: { name: `s${i}` }, stringData: { password: "hunter2-cleartext" } }, ctx);
      const raw = await backend.get("/registry/secrets/default/s0");
      expect(dec.decode(raw.kv!.value)).toStartWith("k8s:enc:aescbc:v1:aescbckey:");
      expect(dec.decode(raw.kv!.value)).not.toContain(Buffer.from("hunter2-cleartext").toString("base64"));
      expect(manager.status()).toMatchObject({ enabled: true, stage: "start", keys: [{ type: "aescbc", name: "aescbckey", active: true }, { type: "identity", active: false }] });

      await manager.act("prepare");
      expect(manager.status().keys.map((k) => k.active)).toEqual([true, false, false]);
      await expect(manager.act("reencrypt")).rejects.toThrow("cannot reencrypt while the rotation stage is prepare");
      await manager.act("rotate");
      const newName = manager.status().keys[0]!.name;
      expect(newName).toStartWith("aescbckey-");
      await manager.act("reencrypt");
      await manager.settled();
      const st = manager.status();
      expect(st).toMatchObject({ stage: "reencrypt_finished", reencrypt: { done: 25, total: 25, rewritten: 25, finished: true } });
      expect(st.keys.map((k) => k.name)).toEqual([newName, ""]);
      expect(dec.decode((await backend.get("/registry/secrets/default/s7")).kv!.value)).toStartWith(`k8s:enc:aescbc:v1:${newName}:`);
      expect((await secrets.get("default", "s7")).data).toEqual({ password: Buffer.from("hunter2-cleartext").toString("base64") });

      // Disable, reencrypt: stored in clear; enable + rotate-keys: encrypted again under a new key.
      await manager.act("disable");
      await manager.act("reencrypt", { force: true });
      await manager.settled();
      expect(dec.decode((await backend.get("/registry/secrets/default/s3")).kv!.value)).toStartWith("{");
      await manager.act("enable");
      await manager.act("rotate_keys");
      await manager.settled();
      expect(dec.decode((await backend.get("/registry/secrets/default/s3")).kv!.value)).toStartWith("k8s:enc:aescbc:v1:aescbckey-");
      expect((await secrets.get("default", "s3")).data).toEqual({ password: Buffer.from("hunter2-cleartext").toString("base64") });

      // A restart reads the saved configuration and stage.
      const again = new EncryptionManager({ configFile: file, managed: true, enableOnCreate: true });
      expect(again.status().stage).toBe("reencrypt_finished");
      expect(again.status().keys[0]!.name).toBe(manager.status().keys[0]!.name);
    } finally {
      await backend.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a user's configuration is read, never changed; off at first start writes no file", () => {
    const dir = mkdtempSync(join(tmpdir(), "kts-enc-"));
    try {
      const file = join(dir, "user.yaml");
      writeFileSync(file, JSON.stringify({ kind: "EncryptionConfiguration", apiVersion: "apiserver.config.k8s.io/v1", resources: [{ resources: ["secrets"], providers: [{ identity: {} }] }] }));
      const manager = new EncryptionManager({ configFile: file, managed: false, enableOnCreate: true });
      expect(manager.status()).toMatchObject({ enabled: false, managed: false });
      expect(manager.act("prepare")).rejects.toThrow("provided by the user");
      const before = readFileSync(file, "utf8");
      expect(readFileSync(file, "utf8")).toBe(before);
      const off = new EncryptionManager({ configFile: join(dir, "none.json"), managed: true, enableOnCreate: false });
      expect(off.status().enabled).toBe(false);
      expect(() => statSync(join(dir, "none.json"))).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
