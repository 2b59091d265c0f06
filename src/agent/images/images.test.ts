/**
 * The locally built pause image and airgap archives, against real Docker Engine.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryLogger } from "../../controllers/testing.ts";
import { dockerAvailable, ensureTestImage, removeTestContainers, RUN_ID, TEST_LABEL } from "../../testing/docker.ts";
import { Readable } from "node:stream";
import { DockerEngine } from "../runtime/index.ts";
import { collectImages, ensurePauseImage, imageExists, importAirgapImages, tarArchive } from "./index.ts";

const docker = new DockerEngine();
const hasDocker = await dockerAvailable();
const labels = { [TEST_LABEL]: RUN_ID };

describe.skipIf(!hasDocker)("images", () => {
  const dir = mkdtempSync(join(tmpdir(), "kts-images-"));
  beforeAll(async () => {
    await ensureTestImage();
  }, 60_000);
  afterAll(async () => {
    await removeTestContainers();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  test("tar archives hold files and directories with their modes", () => {
    const tar = tarArchive([{ path: "a", data: new TextEncoder().encode("hi"), mode: 0o644 }, { path: "d", mode: 0o755 }]);
    const listed = Bun.spawnSync(["tar", "-tvf", "-"], { stdin: tar }).stdout.toString();
    expect(listed).toContain("-rw-r--r-- root/root         2");
    expect(listed).toContain("drwxr-xr-x root/root         0");
  });

  test("the pause image is built without a registry, holds the sandbox and exits 0 on SIGTERM", async () => {
    const log = memoryLogger();
    const ref = await ensurePauseImage(docker, log);
    expect(await imageExists(docker, ref)).toBe(true);
    expect(await ensurePauseImage(docker, log)).toBe(ref); // a second call finds it
    const pause = await docker.createContainer({ Image: ref, Labels: labels, HostConfig: { IpcMode: "shareable" } });
    await pause.start();
    // A container in the pause container's PID namespace leaves an orphan: pause (PID 1) reaps it.
    const child = await docker.createContainer({
      Image: "kts.test/busybox:1",
      Cmd: ["sh", "-c", "sleep 0.2 & exit 0"],
      Labels: labels,
      HostConfig: { PidMode: `container:${pause.id}`, NetworkMode: `container:${pause.id}`, IpcMode: `container:${pause.id}` },
    });
    await child.start();
    await child.wait();
    await Bun.sleep(500);
    const ps = await docker.createContainer({
      Image: "kts.test/busybox:1",
      Cmd: ["sh", "-c", "cat /proc/[0-9]*/stat"],
      Labels: labels,
      HostConfig: { PidMode: `container:${pause.id}` },
    });
    await ps.start();
    await ps.wait();
    const out = (await ps.logs({ stdout: true, stderr: true })).toString();
    expect(out).not.toContain(") Z "); // no zombie left
    const started = Date.now();
    await pause.stop({ t: 10 });
    const info = await pause.inspect();
    expect(info.State.ExitCode).toBe(0);
    expect(Date.now() - started).toBeLessThan(9000); // it stopped on SIGTERM, not the SIGKILL after 10 s
  }, 60_000);

  test("airgap archives are loaded once, with progress logged", async () => {
    const tag = `kts.test/airgap:${RUN_ID.replace(/[^a-z0-9]/g, "")}`;
    await docker.getImage("kts.test/busybox:1").tag({ repo: tag.split(":")[0], tag: tag.split(":")[1] });
    const save = Bun.spawnSync(["docker", "save", "-o", join(dir, "busybox.tar"), tag]);
    expect(save.exitCode).toBe(0);
    await docker.getImage(tag).remove();
    expect(await imageExists(docker, tag)).toBe(false);
    const log = memoryLogger();
    const first = await importAirgapImages(docker, dir, log);
    expect(first.loaded).toEqual([tag]);
    expect(await imageExists(docker, tag)).toBe(true);
    expect(log.lines.some((l) => l.includes("airgap archive imported") && l.includes("1/1"))).toBe(true);
    const second = await importAirgapImages(docker, dir, log);
    expect(second).toEqual({ loaded: [], skipped: 1, failed: [] });
    await docker.getImage(tag).remove();
  }, 60_000);

  test("image garbage collection removes unused images over the disk threshold, never images in use", async () => {
    const tag = `kts.test/gc:${RUN_ID.replace(/[^a-z0-9]/g, "")}`;
    const [repo, version] = tag.split(":") as [string, string];
    const tar = tarArchive([{ path: "marker", data: new TextEncoder().encode(RUN_ID), mode: 0o644 }]);
    const stream = await docker.importImage(Readable.from([tar]) as unknown as NodeJS.ReadableStream, { repo, tag: version } as unknown as Record<string, unknown>);
    await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve())));
    expect(await imageExists(docker, tag)).toBe(true);
    const mine = (i: { RepoTags?: string[] }) => (i.RepoTags ?? []).some((t) => t === tag || t === "kts.test/busybox:1");
    // Thresholds at 0 %: everything unused is collected; busybox is used by this run's containers.
    const holder = await docker.createContainer({ Image: "kts.test/busybox:1", Cmd: ["true"], Labels: labels });
    const removed = await collectImages(docker, { highPercent: 0, lowPercent: 0, minAgeMs: 0, keep: () => new Set(), lastUsed: new Map(), only: mine }, memoryLogger());
    expect(removed).toHaveLength(1);
    expect(await imageExists(docker, tag)).toBe(false);
    expect(await imageExists(docker, "kts.test/busybox:1")).toBe(true);
    await holder.remove({ force: true });
  }, 60_000);
});
