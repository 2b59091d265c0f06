/**
 * Secrets encryption at rest as kts manages it (k3s's secrets-encrypt, on by default): a
 * configuration file with generated keys, <data-dir>/server/cred/encryption-config.json (0600),
 * and the rotation stage beside it. Key changes take effect at once (no restart): the manager
 * rebuilds the transformers and hands them to the registry.
 *
 * Rotation, as k3s: `prepare` adds a new key that reads but does not write yet; `rotate` makes it
 * the write key; `reencrypt` rewrites every encrypted object with it and drops the old keys;
 * `rotate-keys` does all three. `disable` puts identity first (new writes are plain; the keys stay
 * to read), `enable` puts the key provider back first; a reencrypt then converts what is stored.
 * A user-provided --encryption-provider-config is used as it is: kts never edits it.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "../../log/index.ts";
import type { Registry } from "../registry/registry.ts";
import { compileRules, parseEncryptionConfiguration, type EncryptionConfiguration, type ProviderConfig } from "./config.ts";
import type { ProviderType } from "./providers.ts";
import { EncryptionTransformers } from "./transformer.ts";

export type RotationStage = "start" | "prepare" | "rotate" | "reencrypt_request" | "reencrypt_active" | "reencrypt_finished";
export type EncryptAction = "prepare" | "rotate" | "reencrypt" | "rotate_keys" | "enable" | "disable";

export interface EncryptionStatus {
  /** Whether new Secret writes are encrypted. */
  enabled: boolean;
  /** kts manages the keys (false: a user-provided configuration file). */
  managed: boolean;
  stage: RotationStage;
  configFile: string;
  /** Every configured key, in order; `active` writes. */
  keys: Array<{ type: string; name: string; active: boolean }>;
  resources: string[];
  /** Progress of the running or last reencrypt. */
  reencrypt?: { done: number; total: number; rewritten: number; finished: boolean; error?: string };
}

export interface EncryptionManagerOptions {
  /** The configuration file (kts-managed, or the user's --encryption-provider-config). */
  configFile: string;
  /** kts writes and edits configFile (false: the user's file, read only). */
  managed: boolean;
  /** For a managed file that does not exist yet: create it with encryption on (true) or leave encryption off. */
  enableOnCreate: boolean;
  /** Provider of generated keys (k3s's --secrets-encryption-provider). */
  provider?: ProviderType;
  log?: Logger;
}

const KEY_PROVIDERS: ProviderType[] = ["aescbc", "aesgcm", "secretbox"];
const PROVIDER_LABEL: Record<string, string> = { aescbc: "AES-CBC", aesgcm: "AES-GCM", secretbox: "XSalsa20-POLY1305", identity: "Identity" };

export function providerLabel(type: string): string {
  return PROVIDER_LABEL[type] ?? type;
}

function newKey(type: ProviderType, now = new Date()): { name: string; secret: string } {
  // k3s names its first key "aescbckey" and later ones after the time they were made (':' may not appear in a key name).
  const stamp = now.toISOString().replace(/:/g, "-");
  return { name: `${type}key-${stamp}`, secret: randomBytes(32).toString("base64") };
}

export function defaultConfiguration(type: ProviderType, enabled: boolean): EncryptionConfiguration {
  const key: ProviderConfig = { [type]: { keys: [{ name: `${type}key`, secret: randomBytes(32).toString("base64") }] } };
  const identity: ProviderConfig = { identity: {} };
  return { kind: "EncryptionConfiguration", apiVersion: "apiserver.config.k8s.io/v1", resources: [{ resources: ["secrets"], providers: enabled ? [key, identity] : [identity, key] }] };
}

/** Writes a file readable by its owner only, atomically (a crash leaves the old file or the new one). */
function writePrivate(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

export class EncryptionManager {
  private config: EncryptionConfiguration | undefined;
  private transformers: EncryptionTransformers | undefined;
  private stage: RotationStage = "start";
  private registry: Registry | undefined;
  private progress: EncryptionStatus["reencrypt"];
  private running: Promise<void> | undefined;

  constructor(private readonly opts: EncryptionManagerOptions) {
    this.load();
  }

  private get stateFile(): string {
    return this.opts.configFile.replace(/\.json$/, "") + "-state.json";
  }

  private load(): void {
    const file = this.opts.configFile;
    if (!existsSync(file)) {
      if (!this.opts.managed) throw new Error(`encryption provider config ${file} does not exist`);
      // Encryption off at first start: no file until `kts secrets-encrypt enable`.
      if (!this.opts.enableOnCreate) return;
      this.config = defaultConfiguration(this.opts.provider ?? "aescbc", true);
      writePrivate(file, JSON.stringify(this.config, null, 2) + "\n");
      this.opts.log?.info("generated a secrets encryption key", { file, provider: this.opts.provider ?? "aescbc" });
    } else {
      if (this.opts.managed) chmodSync(file, 0o600);
      this.config = parseEncryptionConfiguration(readFileSync(file, "utf8"));
    }
    this.transformers = new EncryptionTransformers(compileRules(this.config));
    if (this.opts.managed && existsSync(this.stateFile)) {
      const saved = JSON.parse(readFileSync(this.stateFile, "utf8")) as { stage?: RotationStage };
      this.stage = saved.stage ?? "start";
      // A reencrypt cut short by a restart is requested again.
      if (this.stage === "reencrypt_active") this.stage = "reencrypt_request";
    }
  }

  /** Serves this manager's transformers to the registry, now and after every key change. */
  attach(registry: Registry): void {
    this.registry = registry;
    this.apply();
  }

  private apply(): void {
    const t = this.transformers;
    this.registry?.useTransformers(t ? (group, resource) => t.forResource(group, resource) : () => undefined);
  }

  private save(cfg: EncryptionConfiguration): void {
    const rules = compileRules(cfg);
    writePrivate(this.opts.configFile, JSON.stringify(cfg, null, 2) + "\n");
    this.config = cfg;
    this.transformers = new EncryptionTransformers(rules);
    this.apply();
  }

  private setStage(stage: RotationStage): void {
    this.stage = stage;
    if (this.opts.managed) writePrivate(this.stateFile, JSON.stringify({ stage }) + "\n");
  }

  status(): EncryptionStatus {
    const rule = this.config?.resources.find((r) => r.resources.includes("secrets")) ?? this.config?.resources[0];
    const keys: EncryptionStatus["keys"] = [];
    let first = true;
    for (const p of rule?.providers ?? []) {
      const type = Object.keys(p)[0]!;
      if (type === "identity") {
        keys.push({ type, name: "", active: first });
        first = false;
        continue;
      }
      for (const k of (p as Record<string, { keys?: Array<{ name: string }> }>)[type]?.keys ?? []) {
        keys.push({ type, name: k.name, active: first });
        first = false;
      }
    }
    return {
      enabled: this.transformers?.encrypts("", "secrets") ?? false,
      managed: this.opts.managed,
      stage: this.stage,
      configFile: this.opts.configFile,
      keys,
      resources: rule?.resources ?? [],
      reencrypt: this.progress,
    };
  }

  /** Carries out a `kts secrets-encrypt` action; `force` skips the stage order check, `skip` keeps old keys after a reencrypt. */
  async act(action: EncryptAction, opts: { force?: boolean; skip?: boolean } = {}): Promise<EncryptionStatus> {
    if (this.running && action !== "reencrypt") throw new Error("a reencryption is in progress; wait for it to finish");
    if (!this.opts.managed && action !== "reencrypt") throw new Error(`the encryption configuration ${this.opts.configFile} is provided by the user (--encryption-provider-config): kts does not change its keys`);
    const allowed: Record<EncryptAction, RotationStage[]> = {
      prepare: ["start", "reencrypt_finished"],
      rotate: ["prepare"],
      reencrypt: ["rotate"],
      rotate_keys: ["start", "reencrypt_finished"],
      enable: ["start", "reencrypt_finished"],
      disable: ["start", "reencrypt_finished"],
    };
    if (!opts.force && !allowed[action].includes(this.stage)) {
      throw new Error(`cannot ${action.replace("_", "-")} while the rotation stage is ${this.stage}; the stage must be one of ${allowed[action].join(", ")} (or use --force)`);
    }
    switch (action) {
      case "enable":
      case "disable":
        this.save(this.toggled(action === "enable"));
        this.setStage("start");
        break;
      case "prepare":
        this.save(this.withKeys((keys, type) => [...keys, newKey(type)]));
        this.setStage("prepare");
        break;
      case "rotate":
        this.save(this.withKeys((keys) => (keys.length < 2 ? keys : [keys[keys.length - 1]!, ...keys.slice(0, -1)])));
        this.setStage("rotate");
        break;
      case "reencrypt":
        this.startReencrypt(!opts.skip);
        break;
      case "rotate_keys":
        this.save(this.withKeys((keys, type) => [newKey(type), ...keys]));
        this.setStage("rotate");
        this.startReencrypt(true);
        break;
    }
    return this.status();
  }

  /** Resolves when the running reencryption (if any) is over. */
  async settled(): Promise<void> {
    await this.running;
  }

  private requireConfig(): EncryptionConfiguration {
    if (this.config) return structuredClone(this.config);
    // `enable` on a server started without encryption creates the file now.
    return defaultConfiguration(this.opts.provider ?? "aescbc", false);
  }

  /** The configuration with the key provider first (enable) or identity first (disable), for every rule. */
  private toggled(enable: boolean): EncryptionConfiguration {
    const cfg = this.requireConfig();
    for (const r of cfg.resources) {
      const isKey = (p: ProviderConfig) => KEY_PROVIDERS.some((t) => p[t] !== undefined);
      const keyed = r.providers.filter(isKey);
      const others = r.providers.filter((p) => !isKey(p) && p.identity === undefined);
      if (keyed.length === 0) keyed.push(defaultConfiguration(this.opts.provider ?? "aescbc", true).resources[0]!.providers[0]!);
      r.providers = enable ? [...keyed, ...others, { identity: {} }] : [{ identity: {} }, ...keyed, ...others];
    }
    return cfg;
  }

  /** The configuration with the key list of each rule's key provider changed by `fn`. */
  private withKeys(fn: (keys: Array<{ name: string; secret: string }>, type: ProviderType) => Array<{ name: string; secret: string }>): EncryptionConfiguration {
    const cfg = this.requireConfig();
    for (const r of cfg.resources) {
      const p = r.providers.find((q) => KEY_PROVIDERS.some((t) => q[t] !== undefined));
      if (!p) continue;
      const type = KEY_PROVIDERS.find((t) => p[t] !== undefined)!;
      p[type] = { keys: fn(p[type]!.keys, type) };
    }
    return cfg;
  }

  private startReencrypt(dropOldKeys: boolean): void {
    if (this.running) return;
    this.setStage("reencrypt_active");
    this.progress = { done: 0, total: 0, rewritten: 0, finished: false };
    this.running = this.reencrypt(dropOldKeys).finally(() => {
      this.running = undefined;
    });
  }

  private async reencrypt(dropOldKeys: boolean): Promise<void> {
    const registry = this.registry;
    const t = this.transformers;
    const progress = this.progress!;
    try {
      if (!registry || !t) throw new Error("the encryption manager is not attached to an API server");
      const stores = registry.all().filter((s) => t.ruleFor(s.def.group, s.def.plural) && !s.def.storageConversion && !s.def.virtual && !s.def.computed);
      const base = { done: 0, total: 0 };
      for (const s of stores) {
        const first = await s.list("", { limit: 1 });
        base.total += first.items.length + (first.metadata.remainingItemCount ?? 0);
      }
      progress.total = base.total;
      for (const s of stores) {
        const before = { ...base };
        const res = await s.rewriteStale((done, total) => {
          progress.done = before.done + done;
          progress.total = Math.max(base.total, before.done + total);
        });
        base.done += res.total;
        progress.rewritten += res.rewritten;
      }
      progress.done = base.done;
      progress.total = base.done;
      if (dropOldKeys) this.save(this.withKeys((keys) => keys.slice(0, 1)));
      progress.finished = true;
      this.setStage("reencrypt_finished");
      this.opts.log?.info("reencryption finished", { objects: progress.done, rewritten: progress.rewritten });
    } catch (err) {
      progress.error = (err as Error).message;
      progress.finished = true;
      this.setStage("reencrypt_request");
      this.opts.log?.error("reencryption failed", { err });
    }
  }

  /** Resumes a reencrypt a restart interrupted. */
  resume(): void {
    if (this.stage === "reencrypt_request") this.startReencrypt(true);
  }
}
