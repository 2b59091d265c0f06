/**
 * The floor Docker sets on this machine for pod start-up benchmarks: the same pause + app
 * container pairs the agent would run, created and started directly (16 at a time, like the
 * agent's workers), with no agent and no API. Every container is labelled for this run and removed.
 */
import type { DockerEngine } from "../../src/agent/runtime/index.ts";
import { removeTestContainers, RUN_ID, TEST_IMAGE, TEST_LABEL } from "../../src/testing/docker.ts";

/** Milliseconds to create and start `pairs` pause + app pairs; NaN when the pause image is missing. */
export async function dockerFloor(docker: DockerEngine, pairs: number): Promise<number> {
  const pause = (await docker.listImages({ filters: { reference: ["kts.io/pause"] } }))[0]?.RepoTags?.[0];
  if (!pause) return NaN;
  const labels = { [TEST_LABEL]: RUN_ID };
  let next = 0;
  const start = performance.now();
  try {
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < pairs) {
          const n = next++;
          const sb = await docker.createContainer({ Image: pause, Labels: labels, Hostname: `floor-${n}`, HostConfig: { IpcMode: "shareable" } });
          await sb.start();
          const app = await docker.createContainer({ Image: TEST_IMAGE, Cmd: ["sleep", "3600"], Labels: labels, HostConfig: { NetworkMode: `container:${sb.id}`, IpcMode: `container:${sb.id}` } });
          await app.start();
        }
      }),
    );
    return performance.now() - start;
  } finally {
    await removeTestContainers();
  }
}
