/**
 * The kubelet's atomic writer for API-backed volumes (configMap, secret, downwardAPI, projected):
 * files live in a timestamped directory, `..data` is a symlink to it, and every top-level name is
 * a symlink through `..data`. An update writes a new directory and swaps `..data` with one rename,
 * so a reader in the container sees either the old set of files or the new one, never a mix.
 */
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export interface FileProjection {
  data: Uint8Array;
  mode: number;
}

export type Payload = Map<string, FileProjection>;

const DATA = "..data";
const DATA_TMP = "..data_tmp";

function timestampDir(): string {
  const d = new Date();
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  const stamp = `${d.getUTCFullYear()}_${p(d.getUTCMonth() + 1)}_${p(d.getUTCDate())}_${p(d.getUTCHours())}_${p(d.getUTCMinutes())}_${p(d.getUTCSeconds())}`;
  return `..${stamp}.${Math.floor(Math.random() * 1e9)}`;
}

/** Whether the files under `dir` are exactly the payload (content and mode). */
function sameContent(dir: string, payload: Payload): boolean {
  const found = new Set<string>();
  const walk = (rel: string): boolean => {
    for (const name of readdirSync(join(dir, rel))) {
      const relPath = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(dir, relPath));
      if (st.isDirectory()) {
        if (!walk(relPath)) return false;
        continue;
      }
      const want = payload.get(relPath);
      if (!want || (st.mode & 0o7777) !== want.mode) return false;
      if (!Buffer.from(want.data).equals(readFileSync(join(dir, relPath)))) return false;
      found.add(relPath);
    }
    return true;
  };
  return walk("") && found.size === payload.size;
}

/** Validates a payload path (relative, no "..", no leading "..") as upstream's validatePath. */
function checkPath(p: string): void {
  if (!p || p.startsWith("/") || p.split("/").some((s) => s === ".." || s === "") || p.startsWith("..")) throw new Error(`invalid path: ${p}`);
}

export interface WriteOptions {
  /** Files and directories get this group and group access (the pod's fsGroup). */
  fsGroup?: number;
}

/** Makes `target` hold the payload; returns whether anything changed. */
export function writeAtomically(target: string, payload: Payload, opts: WriteOptions = {}): boolean {
  for (const p of payload.keys()) checkPath(p);
  // With an fsGroup, files also get group read (SetVolumeOwnership's read-only mask); comparing
  // against the final modes keeps an unchanged volume from being rewritten.
  if (opts.fsGroup !== undefined) payload = new Map([...payload].map(([k, f]) => [k, { data: f.data, mode: f.mode | 0o440 }]));
  mkdirSync(target, { recursive: true, mode: 0o755 });
  const dataLink = join(target, DATA);
  let oldDir: string | undefined;
  if (existsSync(dataLink)) {
    oldDir = readlinkSync(dataLink);
    if (sameContent(join(target, oldDir), payload)) return false;
  }
  const tsName = timestampDir();
  const tsDir = join(target, tsName);
  mkdirSync(tsDir, { mode: 0o755 });
  for (const [rel, file] of payload) {
    const path = join(tsDir, rel);
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    writeFileSync(path, file.data);
    chmodSync(path, file.mode);
  }
  if (opts.fsGroup !== undefined) setGroupOwnership(tsDir, opts.fsGroup, true);
  chmodSync(tsDir, 0o755);
  // Swap ..data in one rename.
  rmSync(join(target, DATA_TMP), { force: true });
  symlinkSync(tsName, join(target, DATA_TMP));
  renameSync(join(target, DATA_TMP), dataLink);
  // Top-level names point through ..data; names no longer in the payload go.
  const top = new Set([...payload.keys()].map((p) => p.split("/")[0]!));
  for (const name of top) {
    const link = join(target, name);
    try {
      if (lstatSync(link).isSymbolicLink() && readlinkSync(link) === join(DATA, name)) continue;
      rmSync(link, { recursive: true, force: true });
    } catch {
      // missing: create it below
    }
    symlinkSync(join(DATA, name), link);
  }
  for (const name of readdirSync(target)) {
    if (name.startsWith("..") || top.has(name)) continue;
    rmSync(join(target, name), { recursive: true, force: true });
  }
  if (oldDir && oldDir !== tsName) rmSync(join(target, oldDir), { recursive: true, force: true });
  return true;
}

/**
 * The kubelet's SetVolumeOwnership for an fsGroup: group ownership, group read (and write when
 * not read-only), and setgid on directories so new files inherit the group.
 */
export function setGroupOwnership(root: string, gid: number, readOnly: boolean): void {
  const walk = (path: string) => {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return;
    chownSync(path, st.uid, gid);
    const mask = readOnly ? 0o440 : 0o660;
    if (st.isDirectory()) {
      chmodSync(path, (st.mode & 0o7777) | mask | 0o110 | 0o2000);
      for (const name of readdirSync(path)) walk(join(path, name));
    } else {
      chmodSync(path, (st.mode & 0o7777) | mask);
    }
  };
  walk(root);
}

/** Removes a written volume directory (its content and links). */
export function removeWritten(target: string): void {
  if (existsSync(target) && statSync(target).isDirectory()) rmSync(target, { recursive: true, force: true });
}

