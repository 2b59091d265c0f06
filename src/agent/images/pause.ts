/**
 * The pause image, made locally at agent start: no registry, no base image. Its only file is the
 * hand-assembled pause program (pause-elf.ts), imported with Docker's image import from an
 * in-memory tar. The tag carries a digest of the program, so a changed program gets a new image
 * and an unchanged one is not imported again.
 */
import type { DockerApi } from "../runtime/engine.ts";
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import type { Logger } from "../../log/index.ts";
import { pauseElf } from "./pause-elf.ts";
import { tarArchive } from "./tar.ts";

export const PAUSE_REPO = "kts.io/pause";

export function pauseImageRef(arch: string = process.arch): string {
  const digest = createHash("sha256").update(pauseElf(arch)).digest("hex").slice(0, 12);
  return `${PAUSE_REPO}:${arch}-${digest}`;
}

export async function ensurePauseImage(docker: DockerApi, log: Logger, arch: string = process.arch): Promise<string> {
  const ref = pauseImageRef(arch);
  if (await imageExists(docker, ref)) return ref;
  const started = Date.now();
  const tar = tarArchive([
    { path: "pause", data: pauseElf(arch), mode: 0o755 },
    { path: "dev", mode: 0o755 },
    { path: "proc", mode: 0o555 },
    { path: "sys", mode: 0o555 },
    { path: "etc", mode: 0o755 },
  ]);
  const [repo, tag] = ref.split(":") as [string, string];
  const stream = await docker.importImage(Readable.from([tar]) as unknown as NodeJS.ReadableStream, {
    repo,
    tag,
    changes: ['ENTRYPOINT ["/pause"]'],
  } as unknown as Record<string, unknown>);
  await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve())));
  if (!(await imageExists(docker, ref))) throw new Error(`importing the pause image ${ref} did not create it`);
  log.info("pause image built", { image: ref, bytes: tar.length, ms: Date.now() - started });
  return ref;
}

export async function imageExists(docker: DockerApi, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}
