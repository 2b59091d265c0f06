/**
 * apiserver.config.k8s.io/v1 EncryptionConfiguration: which resources are encrypted, and by
 * which providers. The first provider of a resource writes; every listed provider reads. Parsed
 * from JSON or YAML as kube-apiserver's --encryption-provider-config takes it.
 */
import { makeKeyProvider, type KeyProvider, type ProviderType } from "./providers.ts";

export interface EncryptionKey {
  name: string;
  /** base64 */
  secret: string;
}

export interface ProviderConfig {
  aescbc?: { keys: EncryptionKey[] };
  aesgcm?: { keys: EncryptionKey[] };
  secretbox?: { keys: EncryptionKey[] };
  identity?: Record<string, never>;
  kms?: unknown;
}

export interface ResourceConfig {
  /** "secrets", "configmaps", "deployments.apps", "*.apps", "*.*". */
  resources: string[];
  providers: ProviderConfig[];
}

export interface EncryptionConfiguration {
  kind: "EncryptionConfiguration";
  apiVersion: "apiserver.config.k8s.io/v1";
  resources: ResourceConfig[];
}

const KEY_TYPES: ProviderType[] = ["aescbc", "aesgcm", "secretbox"];

/** A provider as it stands in the list: one or more keys (the first writes), or identity. */
export type ProviderEntry = { type: "identity" } | { type: ProviderType; keys: KeyProvider[] };

export interface ResourceRule {
  resources: string[];
  providers: ProviderEntry[];
}

export function parseEncryptionConfiguration(text: string): EncryptionConfiguration {
  let parsed: unknown;
  try {
    parsed = Bun.YAML.parse(text);
  } catch (err) {
    throw new Error(`the encryption configuration is not valid YAML or JSON: ${(err as Error).message}`);
  }
  const cfg = parsed as Partial<EncryptionConfiguration> | null;
  if (!cfg || typeof cfg !== "object") throw new Error("the encryption configuration is empty");
  if (cfg.kind !== "EncryptionConfiguration") throw new Error(`the encryption configuration has kind ${JSON.stringify(cfg.kind)}, not EncryptionConfiguration`);
  if (cfg.apiVersion !== "apiserver.config.k8s.io/v1" && cfg.apiVersion !== "apiserver.config.k8s.io/v1beta1") {
    throw new Error(`the encryption configuration has apiVersion ${JSON.stringify(cfg.apiVersion)}, not apiserver.config.k8s.io/v1`);
  }
  if (!Array.isArray(cfg.resources) || cfg.resources.length === 0) throw new Error("resources: Required value: resources must contain at least one item");
  return cfg as EncryptionConfiguration;
}

/** Checks the configuration as upstream's validation does and builds its key providers. */
export function compileRules(cfg: EncryptionConfiguration): ResourceRule[] {
  return cfg.resources.map((r, i) => {
    const at = `resources[${i}]`;
    if (!Array.isArray(r.resources) || r.resources.length === 0) throw new Error(`${at}.resources: Required value: resources must contain at least one item`);
    if (!Array.isArray(r.providers) || r.providers.length === 0) throw new Error(`${at}.providers: Required value: providers must contain at least one item`);
    return { resources: r.resources.map((n) => n.toLowerCase()), providers: r.providers.map((p, j) => compileProvider(p, `${at}.providers[${j}]`)) };
  });
}

function compileProvider(p: ProviderConfig, at: string): ProviderEntry {
  const kinds = Object.keys(p ?? {}).filter((k) => (p as Record<string, unknown>)[k] !== undefined);
  if (kinds.length !== 1) throw new Error(`${at}: Invalid value: more than one provider specified in a single element, should split into different list elements`);
  const kind = kinds[0]!;
  if (kind === "identity") return { type: "identity" };
  if (kind === "kms") throw new Error(`${at}.kms: KMS providers are not supported by kts`);
  if (!KEY_TYPES.includes(kind as ProviderType)) throw new Error(`${at}: unknown provider ${JSON.stringify(kind)}`);
  const type = kind as ProviderType;
  const keys = (p as Record<string, { keys?: EncryptionKey[] }>)[kind]?.keys ?? [];
  if (keys.length === 0) throw new Error(`${at}.${kind}.keys: Required value: keys must contain at least one item`);
  return {
    type,
    keys: keys.map((k, n) => {
      const where = `${at}.${kind}.keys[${n}]`;
      if (!k.name) throw new Error(`${where}.name: Required value: key name is required`);
      if (k.name.includes(":")) throw new Error(`${where}.name: Invalid value: "${k.name}": should not contain ':'`);
      const secret = Buffer.from(k.secret ?? "", "base64");
      try {
        return makeKeyProvider(type, k.name, secret);
      } catch (err) {
        throw new Error(`${where}.secret: Invalid value: "REDACTED": secret is not of the expected length, got ${secret.length}, expected one of [${type === "secretbox" ? "32" : "16 24 32"}] (${(err as Error).message})`);
      }
    }),
  };
}

/** Whether a rule's resource pattern covers a group's resource ("secrets", "*.apps", "*.*", "*."). */
export function resourceMatches(pattern: string, group: string, resource: string): boolean {
  const dot = pattern.indexOf(".");
  const name = dot < 0 ? pattern : pattern.slice(0, dot);
  const patternGroup = dot < 0 ? "" : pattern.slice(dot + 1);
  if (pattern === "*.*") return true;
  if (patternGroup === "*") return name === "*" || name === resource;
  if (patternGroup !== group) return false;
  return name === "*" || name === resource;
}
