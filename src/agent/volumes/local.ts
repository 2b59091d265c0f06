/**
 * Node-local volumes: emptyDir (a directory under the pod's data dir, or a tmpfs mounted there for
 * medium Memory, sized by sizeLimit) and hostPath (with upstream's type checks).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Volume } from "../runtime/index.ts";
import { wholeValue } from "../runtime/index.ts";
import { setGroupOwnership } from "./atomic-writer.ts";

/** Whether a path is a mount point (listed in /proc/self/mountinfo). */
export function isMountPoint(path: string): boolean {
  try {
    const info = readFileSync("/proc/self/mountinfo", "utf8");
    return info.split("\n").some((line) => line.split(" ")[4] === path);
  } catch {
    return false;
  }
}

function run(cmd: string[]): void {
  const p = Bun.spawnSync(cmd, { stderr: "pipe", stdout: "pipe" });
  if (p.exitCode !== 0) throw new Error(`${cmd.join(" ")}: ${p.stderr.toString().trim() || `exit ${p.exitCode}`}`);
}

/** Sets up an emptyDir at `dir`: 0777 (the kubelet's mode), or a tmpfs for medium Memory. */
export function setUpEmptyDir(vol: Volume, dir: string, fsGroup: number | undefined, memoryBytes: number): void {
  const medium = vol.emptyDir?.medium ?? "";
  if (medium !== "" && medium !== "Memory") throw new Error(`emptyDir medium ${medium} is not supported`);
  const fresh = !existsSync(dir);
  mkdirSync(dir, { recursive: true });
  if (medium === "Memory" && !isMountPoint(dir)) {
    const limit = vol.emptyDir?.sizeLimit !== undefined ? wholeValue(vol.emptyDir.sizeLimit) : memoryBytes;
    run(["mount", "-t", "tmpfs", "-o", `size=${limit},mode=0777`, "tmpfs", dir]);
  }
  if (fresh || medium === "Memory") chmodSync(dir, 0o777);
  if (fresh && fsGroup !== undefined) setGroupOwnership(dir, fsGroup, false);
}

/** Unmounts a memory-backed emptyDir (before its directory is removed). */
export function tearDownMount(dir: string): void {
  if (isMountPoint(dir)) run(["umount", dir]);
}

/** Bytes used under a directory (du), for emptyDir sizeLimit eviction. */
export function diskUsageBytes(dir: string): number {
  const p = Bun.spawnSync(["du", "-sk", "-x", dir], { stderr: "ignore" });
  return p.exitCode === 0 ? Number(p.stdout.toString().split(/\s/)[0]) * 1024 : 0;
}

/** Checks (and for the *OrCreate types makes) a hostPath; returns the host path. */
export function setUpHostPath(vol: Volume): string {
  const path = vol.hostPath?.path ?? "";
  const type = vol.hostPath?.type ?? "";
  const st = (() => {
    try {
      return statSync(path);
    } catch {
      return undefined;
    }
  })();
  const fail = (what: string) => {
    throw new Error(`hostPath type check failed: ${path} is not ${what}`);
  };
  switch (type) {
    case "":
      break;
    case "DirectoryOrCreate":
      if (!st) {
        mkdirSync(path, { recursive: true, mode: 0o755 });
        chmodSync(path, 0o755);
      } else if (!st.isDirectory()) fail("a directory");
      break;
    case "Directory":
      if (!st?.isDirectory()) fail("a directory");
      break;
    case "FileOrCreate":
      if (!st) {
        if (!existsSync(dirname(path))) throw new Error(`hostPath type check failed: ${dirname(path)} does not exist`);
        writeFileSync(path, "", { mode: 0o644 });
      } else if (!st.isFile()) fail("a file");
      break;
    case "File":
      if (!st?.isFile()) fail("a file");
      break;
    case "Socket":
      if (!st?.isSocket()) fail("a socket file");
      break;
    case "CharDevice":
      if (!st?.isCharacterDevice()) fail("a character device");
      break;
    case "BlockDevice":
      if (!st?.isBlockDevice()) fail("a block device");
      break;
    default:
      throw new Error(`hostPath type ${type} is not supported`);
  }
  return path;
}

