/**
 * Reading the manifests directory: which files are manifests (.yaml, .yml, .json; not hidden; not
 * disabled by a `<file>.skip` beside them), and the objects a file holds (YAML documents, `---`
 * separated, and List objects unpacked).
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { KubeObject } from "../apiserver/api/types.ts";

const MANIFEST = /\.(ya?ml|json)$/;

/** Manifest files under `dir` (sub-directories included, as k3s), sorted, without the skipped ones. */
export function manifestFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (name.startsWith(".")) continue;
      const path = join(d, name);
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else if (MANIFEST.test(name) && !existsSync(`${path}.skip`)) out.push(path);
    }
  };
  walk(dir);
  return out;
}

/** The addon name of a file: its base name without the extension (k3s's Addon names). */
export function addonName(path: string): string {
  return (path.split("/").pop() ?? path).replace(MANIFEST, "");
}

export class ManifestError extends Error {}

/** The objects of a manifest file's text. */
export function parseManifest(text: string, path: string): KubeObject[] {
  let docs: unknown;
  try {
    docs = path.endsWith(".json") ? JSON.parse(text) : Bun.YAML.parse(text);
  } catch (err) {
    throw new ManifestError(`${path}: ${(err as Error).message}`);
  }
  const list = Array.isArray(docs) ? docs : [docs];
  const out: KubeObject[] = [];
  for (const doc of list) {
    if (doc === null || doc === undefined) continue;
    if (typeof doc !== "object") throw new ManifestError(`${path}: a document is not an object`);
    const obj = doc as KubeObject;
    if (typeof obj.kind === "string" && obj.kind.endsWith("List") && Array.isArray(obj.items)) out.push(...(obj.items as KubeObject[]));
    else if (!obj.apiVersion || !obj.kind) throw new ManifestError(`${path}: an object without apiVersion or kind`);
    else out.push(obj);
  }
  return out;
}
