/**
 * Real Docker Engine for end-to-end tests: whether one answers, a busybox image made locally (no
 * registry is reachable on the build machines: the image is the host's static busybox, imported),
 * and cleanup of exactly the containers a test run created, found by their `kts.test` label.
 */
import Docker from "dockerode";
import { existsSync, mkdtempSync, rmSync, symlinkSync, mkdirSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The image tests run their containers from: the host's busybox-static with its applet links. */
export const TEST_IMAGE = "kts.test/busybox:1";

/** One label value per test process: every container a test makes carries `kts.test=<RUN_ID>`. */
export const RUN_ID = `${process.pid}-${Date.now().toString(36)}`;
export const TEST_LABEL = "kts.test";

let available: Promise<boolean> | undefined;

/** True when a Docker Engine answers on the default socket. */
export function dockerAvailable(docker = new Docker()): Promise<boolean> {
  available ??= docker.ping().then(
    () => true,
    () => false,
  );
  return available;
}

function busyboxPath(): string {
  for (const p of ["/usr/bin/busybox", "/bin/busybox"]) if (existsSync(p)) return p;
  throw new Error("no static busybox on this machine (apt-get install busybox-static)");
}

/** Imports TEST_IMAGE once (a root file system of busybox and its applet symlinks). */
export async function ensureTestImage(docker = new Docker()): Promise<string> {
  const images = await docker.listImages({ filters: { reference: [TEST_IMAGE] } });
  if (images.length > 0) return TEST_IMAGE;
  const root = mkdtempSync(join(tmpdir(), "kts-busybox-"));
  try {
    for (const dir of ["bin", "etc", "tmp", "proc", "sys", "dev", "var/www"]) mkdirSync(join(root, dir), { recursive: true });
    copyFileSync(busyboxPath(), join(root, "bin", "busybox"));
    const applets = Bun.spawnSync([join(root, "bin", "busybox"), "--list"]).stdout.toString().split("\n").filter(Boolean);
    for (const applet of applets) if (applet !== "busybox") symlinkSync("busybox", join(root, "bin", applet));
    await Bun.write(join(root, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n");
    await Bun.write(join(root, "etc", "group"), "root:x:0:\nnogroup:x:65534:\n");
    const tar = Bun.spawnSync(["tar", "-C", root, "-cf", "-", "."]);
    if (tar.exitCode !== 0) throw new Error(`tar failed: ${tar.stderr.toString()}`);
    const imported = Bun.spawnSync(["docker", "import", "-c", 'CMD ["sh"]', "-", TEST_IMAGE], { stdin: tar.stdout });
    if (imported.exitCode !== 0) throw new Error(`docker import failed: ${imported.stderr.toString()}`);
    return TEST_IMAGE;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Removes (forcibly, with their anonymous volumes) the containers labelled with this run's id. */
export async function removeTestContainers(docker = new Docker(), runId = RUN_ID): Promise<number> {
  const containers = await docker.listContainers({ all: true, filters: { label: [`${TEST_LABEL}=${runId}`] } });
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
  return containers.length;
}
