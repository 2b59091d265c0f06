/**
 * Value transformers from an EncryptionConfiguration: for each resource, the first matching rule
 * decides (as upstream, the first rule naming a resource wins), its first provider writes and
 * any configured key reads. Values written before encryption was turned on (plain JSON) stay
 * readable and count as stale until rewritten; so do values sealed with a key that no longer
 * writes, which is what `kts secrets-encrypt reencrypt` looks for.
 */
import type { ValueTransformer } from "../registry/codec.ts";
import { resourceMatches, type ProviderEntry, type ResourceRule } from "./config.ts";
import type { KeyProvider } from "./providers.ts";

const ENC_PREFIX = Buffer.from("k8s:enc:");

function startsWith(data: Uint8Array, prefix: Uint8Array): boolean {
  if (data.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (data[i] !== prefix[i]) return false;
  return true;
}

export class EncryptionTransformers {
  /** Every configured key, to read values whatever rule wrote them. */
  private readonly allKeys: KeyProvider[];
  private readonly cache = new Map<string, ValueTransformer>();

  constructor(readonly rules: ResourceRule[]) {
    this.allKeys = rules.flatMap((r) => r.providers.flatMap((p) => (p.type === "identity" ? [] : p.keys)));
  }

  /** The rule that covers a resource, if any. */
  ruleFor(group: string, resource: string): ResourceRule | undefined {
    return this.rules.find((r) => r.resources.some((p) => resourceMatches(p, group, resource)));
  }

  /** Whether values of this resource are written encrypted. */
  encrypts(group: string, resource: string): boolean {
    const first = this.ruleFor(group, resource)?.providers[0];
    return first !== undefined && first.type !== "identity";
  }

  forResource(group: string, resource: string): ValueTransformer {
    const id = `${group}/${resource}`;
    let t = this.cache.get(id);
    if (!t) {
      const rule = this.ruleFor(group, resource);
      t = this.build(rule?.providers[0]);
      this.cache.set(id, t);
    }
    return t;
  }

  private build(writer: ProviderEntry | undefined): ValueTransformer {
    const writeKey = writer && writer.type !== "identity" ? writer.keys[0]! : undefined;
    const keys = this.allKeys;
    return {
      toStorage: (plain, key) => (writeKey ? writeKey.seal(plain, key) : plain),
      fromStorage: (stored, key) => {
        if (!startsWith(stored, ENC_PREFIX)) return { data: stored, stale: writeKey !== undefined };
        for (const k of keys) {
          if (!startsWith(stored, k.prefix)) continue;
          return { data: k.open(stored.subarray(k.prefix.length), key), stale: k !== writeKey };
        }
        throw new Error("no matching prefix found");
      },
    };
  }
}
