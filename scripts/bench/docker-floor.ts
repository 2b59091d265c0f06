/**
 * The floor Docker sets on this machine for pod start-up benchmarks: the same pause + app
 * container pairs the agent would run, created and started directly (16 at a time, like the
 * agent's workers), with no agent and no API. Every container is labelled for this run and removed.
 *
 * Two floors: `docker` is the pause container on a Docker network (kts with `--flannel-backend none`,
 * and kts's pod network before it had its own bridge); `veth` is what kts's pod network does now
 * (src/agent/network: veth.ts), minus attaching to the bridge: the pause started without Docker networking
 * (`NetworkDisabled`: Docker then adds no libnetwork-setkey prestart hook, which re-executes
 * dockerd for every sandbox and is about half of Docker's CPU per pod) and a veth pair made for it
 * with `ip` (one end moved into the pause's network namespace, addressed from 198.18.0.0/15, the
 * benchmarking range; nothing is attached on the host side, no traffic flows, and the pair goes
 * with the namespace).
 */
import type { DockerApi } from "../../src/agent/runtime/index.ts";
import { removeTestContainers, RUN_ID, TEST_IMAGE, TEST_LABEL } from "../../src/testing/docker.ts";

export type FloorNetwork = "docker" | "veth";

async function run(argv: string[], input?: string): Promise<void> {
  const p = Bun.spawn(argv, { stdin: input === undefined ? "ignore" : new Blob([input]), stdout: "ignore", stderr: "pipe" });
  const [code, err] = await Promise.all([p.exited, new Response(p.stderr).text()]);
  if (code !== 0) throw new Error(`${argv.join(" ")}: ${err.trim()}`);
}

/** A veth pair for the sandbox with pid `pid`: eth0 inside, `host` outside (not attached). */
async function veth(pid: number, host: string, n: number): Promise<void> {
  await run(["ip", "link", "add", host, "type", "veth", "peer", "name", "eth0", "netns", `/proc/${pid}/ns/net`]);
  await run(["ip", "link", "set", host, "up"]);
  const net = `198.${18 + (n >> 8)}.${n & 255}`;
  await run(["nsenter", "-t", String(pid), "-n", "ip", "-batch", "-"], `link set lo up\naddr add ${net}.2/24 dev eth0\nlink set eth0 up\nroute add default via ${net}.1\n`);
}

/**
 * Milliseconds to create and start `pairs` pause + app pairs; NaN when the pause image is missing
 * (or, for `veth`, when veth pairs cannot be made here: not root, no `ip`/`nsenter`).
 */
export async function dockerFloor(docker: DockerApi, pairs: number, network: FloorNetwork = "docker"): Promise<number> {
  const pause = (await docker.listImages({ filters: { reference: ["kts.io/pause"] } }))[0]?.RepoTags?.[0];
  if (!pause) return NaN;
  if (network === "veth" && (process.getuid?.() !== 0 || !Bun.which("ip") || !Bun.which("nsenter"))) return NaN;
  const labels = { [TEST_LABEL]: RUN_ID };
  const own = network === "veth";
  let next = 0;
  const start = performance.now();
  try {
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < pairs) {
          const n = next++;
          const sb = await docker.createContainer({
            Image: pause,
            Labels: labels,
            Hostname: `floor-${n}`,
            ...(own ? { NetworkDisabled: true } : {}),
            HostConfig: { IpcMode: "shareable", ...(own ? { NetworkMode: "none" } : {}) },
          });
          const sandbox = docker.getContainer(sb.id);
          await sandbox.start();
          if (own) await veth((await sandbox.inspect()).State.Pid, `kf${(process.pid % 10000).toString(36)}${n.toString(36)}`, n);
          const app = await docker.createContainer({ Image: TEST_IMAGE, Cmd: ["sleep", "3600"], Labels: labels, HostConfig: { NetworkMode: `container:${sb.id}`, IpcMode: `container:${sb.id}` } });
          await docker.getContainer(app.id).start();
        }
      }),
    );
    return performance.now() - start;
  } finally {
    await removeTestContainers();
  }
}
