/**
 * Handing back the pages of kts's own executable that only start-up needed. The executable is
 * mapped from its file, so the code and embedded sources that start-up read stay resident (and
 * count in RSS) although nothing will run them again. madvise(MADV_PAGEOUT) asks the kernel to
 * reclaim them now rather than under memory pressure; they are clean file pages, so a page that
 * is needed again is simply read back from the file. The kernel skips pages another process
 * maps too (a server and an agent on one machine share what both use). Linux 5.4 or later; where
 * it is not available this does nothing.
 */
import { readFileSync } from "node:fs";

const MADV_PAGEOUT = 21;

interface Range {
  start: bigint;
  length: bigint;
}

/** The address ranges mapping `path`, from /proc/self/maps. */
function mappingsOf(path: string): Range[] {
  const out: Range[] = [];
  for (const line of readFileSync("/proc/self/maps", "utf8").split("\n")) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s+(.*)$/.exec(line);
    if (!m || m[3] !== path) continue;
    const start = BigInt(`0x${m[1]}`);
    out.push({ start, length: BigInt(`0x${m[2]}`) - start });
  }
  return out;
}

/** Pages the executable's mappings out; returns how many bytes of mappings were advised (0 when unsupported). */
export function releaseExecutablePages(): number {
  if (process.platform !== "linux") return 0;
  try {
    const { dlopen, FFIType } = require("bun:ffi") as typeof import("bun:ffi");
    const libc = dlopen("libc.so.6", { madvise: { args: [FFIType.u64, FFIType.u64, FFIType.i32], returns: FFIType.i32 } });
    let advised = 0;
    try {
      for (const r of mappingsOf(process.execPath)) if (libc.symbols.madvise(r.start, r.length, MADV_PAGEOUT) === 0) advised += Number(r.length);
    } finally {
      libc.close();
    }
    return advised;
  } catch {
    return 0;
  }
}
