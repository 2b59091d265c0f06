/**
 * The kts image, `kts.local/kts:<version>`, made at agent start from the running kts executable
 * itself: no registry and no base image. The root file system holds the executable at
 * /bin/kts, the shared libraries it links (from ldd) and a minimal /etc. Packaged components
 * (the cluster DNS Deployment) run it (`kts dns`). Imported again only when the executable
 * changes (its size and modification time are kept in an image label).
 *
 * Only a compiled kts (`bun run build`) can be packaged. KTS_IMAGE_BINARY may name one (tests);
 * else, running from sources (`bun cmd/kts.ts`), the agent compiles one into its data dir the
 * first time a pod needs the image (source-build.ts), so a source checkout gets cluster DNS too.
 */
import { createHash } from "node:crypto";
import { readFileSync, realpathSync, statSync } from "node:fs";
import { Readable } from "node:stream";
import type { Logger } from "../../log/index.ts";
import type { DockerApi } from "../runtime/engine.ts";
import { tarArchive, type TarEntry } from "./tar.ts";
import pkg from "../../../package.json" with { type: "json" };
import { canBuildFromSources, compiledFromSources } from "./source-build.ts";

export const KTS_IMAGE_REPO = "kts.local/kts";
const BINARY_LABEL = "io.kts.binary";

/** The image reference packaged manifests use for this version. */
export function ktsImageRef(version: string = pkg.version): string {
  return `${KTS_IMAGE_REPO}:${version}`;
}

/** The compiled kts executable to package, or undefined when running from sources. */
export function ktsExecutable(): string | undefined {
  if (process.env.KTS_IMAGE_BINARY) return process.env.KTS_IMAGE_BINARY;
  // A compiled Bun executable's entry point lives in its embedded file system.
  return Bun.main.startsWith("/$bunfs/") ? process.execPath : undefined;
}

/** Shared libraries (and the loader) an executable needs, from ldd. */
function sharedLibraries(exe: string): string[] {
  const out = Bun.spawnSync(["ldd", exe], { stdout: "pipe", stderr: "pipe" });
  if (out.exitCode !== 0) {
    const text = out.stderr.toString() + out.stdout.toString();
    if (/not a dynamic executable|statically linked/.test(text)) return [];
    throw new Error(`ldd ${exe} failed: ${text.trim()}`);
  }
  const paths: string[] = [];
  for (const line of out.stdout.toString().split("\n")) {
    const m = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) paths.push(m[1]!);
  }
  return paths;
}

function rootFs(exe: string): TarEntry[] {
  const entries: TarEntry[] = [];
  const dirs = new Set<string>();
  const addDirs = (path: string) => {
    const parts = path.split("/").filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join("/");
      if (!dirs.has(d)) {
        dirs.add(d);
        entries.push({ path: d, mode: 0o755 });
      }
    }
  };
  for (const d of ["bin", "etc", "proc", "sys", "dev", "var/run/secrets"]) addDirs(`${d}/x`);
  for (const lib of sharedLibraries(exe)) {
    addDirs(lib);
    // Symlinks (the loader's /lib64 name) are stored as the file they point to.
    entries.push({ path: lib.slice(1), data: readFileSync(realpathSync(lib)), mode: 0o755 });
  }
  entries.push({ path: "bin/kts", data: readFileSync(exe), mode: 0o755 });
  entries.push({ path: "etc/passwd", data: Buffer.from("root:x:0:0:root:/:/bin/kts\nnobody:x:65534:65534:nobody:/:/bin/kts\n"), mode: 0o644 });
  entries.push({ path: "etc/group", data: Buffer.from("root:x:0:\nnogroup:x:65534:\n"), mode: 0o644 });
  entries.push({ path: "etc/nsswitch.conf", data: Buffer.from("hosts: files dns\n"), mode: 0o644 });
  entries.push({ path: "tmp", mode: 0o1777 });
  return entries;
}

async function imageLabel(docker: DockerApi, ref: string): Promise<string | undefined> {
  try {
    const info = (await docker.getImage(ref).inspect()) as { Config?: { Labels?: Record<string, string> } };
    return info.Config?.Labels?.[BINARY_LABEL] ?? "";
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}

/**
 * Makes sure `kts.local/kts:<version>` holds the running executable; returns the reference, or
 * undefined when there is no compiled executable to package. From sources, `buildDir` lets it
 * compile one there (cached). Tests pass their own executable and tag.
 */
export async function ensureKtsImage(docker: DockerApi, log: Logger, opts: { executable?: string; ref?: string; buildDir?: string } = {}): Promise<string | undefined> {
  let exe = opts.executable ?? ktsExecutable();
  const ref = opts.ref ?? ktsImageRef();
  if (!exe && opts.buildDir && canBuildFromSources()) exe = await compiledFromSources(opts.buildDir, log);
  if (!exe) {
    log.v(1).info("running from sources: the kts image is made when a pod first needs it", { image: ref });
    return undefined;
  }
  const st = statSync(exe);
  const stamp = createHash("sha256").update(`${pkg.version}:${st.size}:${st.mtimeMs}`).digest("hex").slice(0, 16);
  if ((await imageLabel(docker, ref)) === stamp) return ref;
  const started = Date.now();
  const tar = tarArchive(rootFs(exe));
  const [repo, tag] = ref.split(":") as [string, string];
  const stream = await docker.importImage(Readable.from([tar]) as unknown as NodeJS.ReadableStream, {
    repo,
    tag,
    changes: ['ENTRYPOINT ["/bin/kts"]', `LABEL ${BINARY_LABEL}=${stamp}`],
  } as unknown as Record<string, unknown>);
  await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve())));
  if ((await imageLabel(docker, ref)) !== stamp) throw new Error(`importing ${ref} did not create it`);
  log.info("kts image built from this executable", { image: ref, bytes: tar.length, ms: Date.now() - started });
  return ref;
}
