/**
 * The kts image made from a compiled executable (here a small compiled Bun program standing in for
 * kts) against real Docker Engine: it runs with nothing but its own libraries, and is imported
 * again only when the executable changes.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryLogger } from "../../controllers/testing.ts";
import { dockerAvailable, removeTestContainers, RUN_ID, TEST_LABEL } from "../../testing/docker.ts";
import { DockerEngine } from "../runtime/index.ts";
import { ensureKtsImage, ktsExecutable } from "./index.ts";

const docker = new DockerEngine();
const hasDocker = await dockerAvailable();
const ref = `kts.test/kts-image:${RUN_ID}`;
const dir = mkdtempSync(join(tmpdir(), "kts-image-"));

afterAll(async () => {
  await removeTestContainers();
  await docker.getImage(ref).remove({ force: true }).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[]): Promise<string> {
  const c = await docker.createContainer({ Image: ref, Cmd: args, Labels: { [TEST_LABEL]: RUN_ID } });
  await c.start();
  await c.wait();
  const logs = (await c.logs({ stdout: true, stderr: true })) as unknown as Buffer;
  // Multiplexed frames: an 8-byte header before each chunk.
  let out = "";
  for (let i = 0; i + 8 <= logs.length; ) {
    const len = logs.readUInt32BE(i + 4);
    out += logs.subarray(i + 8, i + 8 + len).toString();
    i += 8 + len;
  }
  return out;
}

describe.skipIf(!hasDocker)("the kts image", () => {
  test("from sources there is nothing to package", () => {
    expect(process.env.KTS_IMAGE_BINARY === undefined ? ktsExecutable() : "skip").toBeOneOf([undefined, "skip"]);
  });

  test("a compiled executable runs from it alone; re-imported only when the executable changes", async () => {
    const src = join(dir, "main.ts");
    await Bun.write(src, 'console.log("args", process.argv.slice(2).join(" "), "in", Bun.main);');
    const exe = join(dir, "kts");
    const built = Bun.spawnSync([process.execPath, "build", "--compile", src, "--outfile", exe], { stderr: "pipe" });
    expect(built.exitCode).toBe(0);
    const log = memoryLogger();
    expect(await ensureKtsImage(docker, log, { executable: exe, ref })).toBe(ref);
    const first = (await docker.getImage(ref).inspect()) as { Id: string; Config: { Entrypoint: string[] } };
    expect(first.Config.Entrypoint).toEqual(["/bin/kts"]);
    expect(await run(["dns", "--help"])).toBe("args dns --help in /$bunfs/root/kts\n");
    // Unchanged: the same image.
    await ensureKtsImage(docker, log, { executable: exe, ref });
    expect(((await docker.getImage(ref).inspect()) as { Id: string }).Id).toBe(first.Id);
    // A new executable (a new modification time): imported again.
    utimesSync(exe, new Date(), new Date(Date.now() + 5000));
    await ensureKtsImage(docker, log, { executable: exe, ref });
    expect(((await docker.getImage(ref).inspect()) as { Id: string }).Id).not.toBe(first.Id);
  }, 120_000);
});
