/**
 * A compiled kts for the kts image when kts runs from a source checkout (`bun cmd/kts.ts`): built
 * once with `bun build --compile` (as `bun run build` does) into a cache directory, and reused
 * until a source file, the lockfile or Bun itself changes. The fingerprint is every source file's
 * path, size and modification time, so checking it costs a directory walk, not a build.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Logger } from "../../log/index.ts";

/** The checkout this module runs from (src/agent/images is three levels below it). */
export const SOURCE_ROOT = resolve(import.meta.dir, "../../..");
const ENTRY = "cmd/kts.ts";
/** What the executable is made of; tests are never bundled, so they do not count. */
const INPUTS = ["cmd", "src", "manifests", "package.json", "package-lock.json", "tsconfig.json"];

function walk(root: string, rel: string, out: string[]): void {
  const path = join(root, rel);
  if (!existsSync(path)) return;
  const st = statSync(path);
  if (st.isDirectory()) {
    for (const name of readdirSync(path).sort()) walk(root, join(rel, name), out);
  } else if (!rel.endsWith(".test.ts")) {
    out.push(`${rel}:${st.size}:${st.mtimeMs}`);
  }
}

/** A hash of the sources (path, size, mtime of each) and the Bun that compiles them. */
export function sourceFingerprint(root = SOURCE_ROOT): string {
  const files: string[] = [];
  for (const input of INPUTS) walk(root, input, files);
  return createHash("sha256").update(`${Bun.version}\n${files.join("\n")}`).digest("hex").slice(0, 16);
}

/** Whether this process runs from sources (not a compiled kts) in a checkout that can be built. */
export function canBuildFromSources(root = SOURCE_ROOT): boolean {
  return !Bun.main.startsWith("/$bunfs/") && existsSync(join(root, ENTRY));
}

const building = new Map<string, Promise<string>>();

/**
 * The path of a compiled kts under `cacheDir` matching the current sources, building it first when
 * there is none or the sources changed. Concurrent callers share one build.
 */
export function compiledFromSources(cacheDir: string, log: Logger, root = SOURCE_ROOT): Promise<string> {
  let job = building.get(cacheDir);
  if (!job) {
    job = build(cacheDir, log, root).finally(() => building.delete(cacheDir));
    building.set(cacheDir, job);
  }
  return job;
}

async function build(cacheDir: string, log: Logger, root: string): Promise<string> {
  const exe = join(cacheDir, "kts");
  const stampFile = join(cacheDir, "kts.sources");
  const stamp = sourceFingerprint(root);
  if (existsSync(exe) && existsSync(stampFile) && readFileSync(stampFile, "utf8").trim() === stamp) return exe;
  mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
  const tmp = `${exe}.${process.pid}.tmp`;
  const started = Date.now();
  log.info("building the kts executable from sources for the kts image (once; reused until the sources change)", { sources: root, output: exe });
  // Progress while it runs: a slow disk or a busy machine can stretch the usual second or two.
  const ticker = setInterval(() => log.info("still building the kts executable", { seconds: Math.round((Date.now() - started) / 1000) }), 5000);
  try {
    const proc = Bun.spawn([process.execPath, "build", "--compile", "--minify", "--splitting", ENTRY, "--outfile", tmp], { cwd: root, stdout: "pipe", stderr: "pipe" });
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    if (code !== 0) throw new Error(`bun build --compile failed (exit ${code}): ${(err || out).trim().slice(-2000)}`);
    renameSync(tmp, exe);
    writeFileSync(stampFile, `${stamp}\n`);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    clearInterval(ticker);
  }
  log.info("built the kts executable", { output: exe, bytes: statSync(exe).size, ms: Date.now() - started });
  return exe;
}
