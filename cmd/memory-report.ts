/**
 * `kill -USR2 <pid>` makes any kts process collect its garbage (a full, synchronous GC) and log
 * where its memory is: resident set, JS heap, memory held outside the heap (buffers), object
 * and module counts. scripts/bench/memory.ts uses it to measure settled idle RSS; it also helps
 * on a live node.
 */
import { heapStats } from "bun:jsc";
import { readFileSync } from "node:fs";
import type { Logger } from "../src/log/index.ts";

const MB = 1024 * 1024;

/** VmRSS, RssAnon and RssFile from /proc/self/status, in MB (0 where the kernel has none). */
export function residentMemory(pid: number | "self" = "self"): { rss: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
  return { rss: kb("VmRSS"), anon: kb("RssAnon"), file: kb("RssFile") };
}

/** Modules loaded (from sources: one per file; a compiled executable holds a few bundled chunks). */
function moduleCount(): number {
  return Object.keys(require.cache).length;
}

const round = (n: number) => Math.round(n * 10) / 10;

export function memoryReport(): Record<string, number | undefined> {
  Bun.gc(true);
  const heap = heapStats();
  const mem = residentMemory();
  return {
    rssMB: round(mem.rss),
    anonMB: round(mem.anon),
    fileMB: round(mem.file),
    heapMB: round(heap.heapSize / MB),
    heapCapacityMB: round(heap.heapCapacity / MB),
    externalMB: round(heap.extraMemorySize / MB),
    arrayBuffersMB: round(process.memoryUsage().arrayBuffers / MB),
    objects: heap.objectCount,
    modules: moduleCount(),
  };
}

export function installMemoryReport(log: Logger): void {
  process.on("SIGUSR2", () => log.info("memory report (after a full GC)", memoryReport()));
}
