/**
 * Airgap images, as k3s does them: every `docker save` archive in `<dataDir>/images`
 * (`*.tar`, `*.tar.gz`, `*.tgz`) is loaded into Docker at agent start, with progress in the log.
 * Archives already loaded (same name, size and modification time) are skipped on later starts;
 * the record of what was loaded lives beside them in `.imported.json`.
 */
import type { DockerApi } from "../runtime/engine.ts";
import { createReadStream, existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../../log/index.ts";

const ARCHIVE = /\.(tar|tar\.gz|tgz)$/;
const RECORD = ".imported.json";

interface Imported {
  [file: string]: { size: number; mtimeMs: number; images: string[] };
}

export interface AirgapResult {
  loaded: string[];
  skipped: number;
  failed: string[];
}

export async function importAirgapImages(docker: DockerApi, dir: string, log: Logger): Promise<AirgapResult> {
  const result: AirgapResult = { loaded: [], skipped: 0, failed: [] };
  if (!existsSync(dir)) return result;
  const files = readdirSync(dir).filter((f) => ARCHIVE.test(f)).sort();
  if (files.length === 0) return result;
  const recordPath = join(dir, RECORD);
  const record: Imported = existsSync(recordPath) ? await Bun.file(recordPath).json().catch(() => ({})) : {};
  const total = files.reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  let done = 0;
  log.info("importing airgap images", { dir, archives: files.length, bytes: total });
  for (const [i, file] of files.entries()) {
    const path = join(dir, file);
    const st = statSync(path);
    const prev = record[file];
    if (prev && prev.size === st.size && prev.mtimeMs === st.mtimeMs) {
      result.skipped++;
      done += st.size;
      continue;
    }
    const started = Date.now();
    try {
      const images = await loadArchive(docker, path);
      record[file] = { size: st.size, mtimeMs: st.mtimeMs, images };
      result.loaded.push(...images);
      done += st.size;
      log.info("airgap archive imported", {
        archive: file,
        progress: `${i + 1}/${files.length}`,
        percent: Math.round((100 * done) / Math.max(1, total)),
        images: images.join(","),
        ms: Date.now() - started,
      });
    } catch (err) {
      result.failed.push(file);
      log.error("airgap archive import failed", { archive: file, err: String(err) });
    }
  }
  await Bun.write(recordPath, JSON.stringify(record, null, 2));
  log.info("airgap images ready", { loaded: result.loaded.length, skipped: result.skipped, failed: result.failed.length });
  return result;
}

/** Loads one archive; returns the images Docker reports ("Loaded image: …"). */
async function loadArchive(docker: DockerApi, path: string): Promise<string[]> {
  const stream = await docker.loadImage(createReadStream(path), { quiet: true } as unknown as Record<string, unknown>);
  const images: string[] = [];
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(
      stream,
      (err) => (err ? reject(err) : resolve()),
      (ev: { stream?: string; error?: string }) => {
        if (ev.error) reject(new Error(ev.error));
        const m = /Loaded image(?: ID)?: (\S+)/.exec(ev.stream ?? "");
        if (m) images.push(m[1]!);
      },
    ),
  );
  return images;
}
