/**
 * Short stable names from content, as upstream's controllers make them: FNV-32a over the
 * content (upstream hashes a Go struct dump; kts hashes canonical JSON, equally stable), the
 * 32-bit sum printed in decimal, each digit mapped onto an alphabet without vowels (so a hash
 * never spells a word) — rand.SafeEncodeString.
 */
import { canonicalJson } from "./equal.ts";

const SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

export function fnv32a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function safeEncode(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/** The collision count, when set, is hashed in as 4 little-endian bytes. */
function withCollisionCount(content: Uint8Array, collisionCount: number | undefined): Uint8Array {
  if (collisionCount === undefined || collisionCount === null) return content;
  const out = new Uint8Array(content.length + 4);
  out.set(content);
  new DataView(out.buffer).setUint32(content.length, collisionCount >>> 0, true);
  return out;
}

/** controller.ComputeHash: the pod-template-hash of a template (Deployments, DaemonSet revisions). */
export function computeHash(template: unknown, collisionCount?: number): string {
  const bytes = new TextEncoder().encode(canonicalJson(template));
  return safeEncode(String(fnv32a(withCollisionCount(bytes, collisionCount))));
}

/** history.HashControllerRevision: the hash of a revision's data (StatefulSet revisions). */
export function hashRevisionData(data: unknown, collisionCount?: number): string {
  const bytes = new TextEncoder().encode(canonicalJson(data));
  return safeEncode(String(fnv32a(withCollisionCount(bytes, collisionCount))));
}
