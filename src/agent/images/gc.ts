/**
 * Image garbage collection under disk pressure, with the kubelet's defaults: when the file system
 * holding Docker's data is more than `highPercent` full, unused images (no container of any kind
 * refers to them) are removed, least recently used first, until usage falls below `lowPercent`.
 * The pause image and images younger than `minAgeMs` are kept.
 */
import type { DockerApi } from "../runtime/engine.ts";
import { statfsSync } from "node:fs";
import type { Logger } from "../../log/index.ts";

export interface ImageGcOptions {
  highPercent?: number;
  lowPercent?: number;
  minAgeMs?: number;
  /** Image ids to keep whatever their use (the pause image). */
  keep: () => Set<string>;
  lastUsed: Map<string, number>;
  /** Restricts the candidates (tests collect only their own images). */
  only?: (image: { Id: string; RepoTags?: string[] }) => boolean;
}

export interface DiskUsage {
  capacity: number;
  available: number;
  percent: number;
}

export function diskUsage(path: string): DiskUsage | undefined {
  try {
    const s = statfsSync(path);
    const capacity = s.blocks * s.bsize;
    const available = s.bavail * s.bsize;
    return { capacity, available, percent: capacity ? (100 * (capacity - available)) / capacity : 0 };
  } catch {
    return undefined;
  }
}

/** One collection pass; returns the ids removed. */
export async function collectImages(docker: DockerApi, opts: ImageGcOptions, log: Logger): Promise<string[]> {
  const high = opts.highPercent ?? 85;
  const low = opts.lowPercent ?? 80;
  const root = (await docker.info()).DockerRootDir as string;
  const usage = diskUsage(root);
  if (!usage || usage.percent < high) return [];
  const toFree = usage.capacity * ((usage.percent - low) / 100);
  log.info("disk usage above the image GC threshold", { percent: usage.percent.toFixed(1), high, low, bytesToFree: Math.round(toFree) });
  const containers = await docker.listContainers({ all: true });
  const inUse = new Set(containers.map((c) => c.ImageID));
  const keep = opts.keep();
  const now = Date.now();
  const images = (await docker.listImages()).filter(
    (i) => !inUse.has(i.Id) && !keep.has(i.Id) && (opts.only?.(i) ?? true) && now - (opts.lastUsed.get(i.Id) ?? i.Created * 1000) >= (opts.minAgeMs ?? 120_000),
  );
  images.sort((a, b) => (opts.lastUsed.get(a.Id) ?? a.Created * 1000) - (opts.lastUsed.get(b.Id) ?? b.Created * 1000));
  const removed: string[] = [];
  let freed = 0;
  for (const img of images) {
    if (freed >= toFree) break;
    try {
      // By id with force: every tag of the image goes (it is used by no container).
      await docker.getImage(img.Id).remove({ force: true });
      removed.push(img.Id);
      freed += img.Size;
      opts.lastUsed.delete(img.Id);
      log.info("image removed by garbage collection", { image: (img.RepoTags ?? [img.Id])[0], bytes: img.Size });
    } catch (err) {
      log.v(2).info("image removal failed", { image: img.Id, err: String(err) });
    }
  }
  return removed;
}
