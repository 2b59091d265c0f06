/**
 * Docker Engine restarting under a running agent: a private dockerd (its own socket, config, data
 * and exec roots, its own bridge interface, no iptables or forwarding changes, so the machine's
 * Docker Engine is not touched) is stopped and started again; the pod manager sees its event stream break, and once Docker answers again it
 * recreates the pod's sandbox and containers (restartCount 1) without being restarted itself.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryLogger, testCluster, type TestCluster } from "../../controllers/testing.ts";
import { DockerEngine } from "../runtime/index.ts";
import type { Pod } from "../runtime/index.ts";
import { startPodManager, type PodManager } from "./index.ts";
import { containerStatus, isRunningReady, PODS, TEST_IMAGE } from "./testing.ts";

const canRun = process.getuid?.() === 0 && !!Bun.which("dockerd") && !!Bun.which("docker") && !!Bun.which("ip") && existsSync("/bin/busybox");
const root = mkdtempSync(join(tmpdir(), "kts-dockerd-"));
const sock = join(root, "docker.sock");
const pidFile = join(root, "docker.pid");
// Its own bridge: `--bridge none` would make dockerd delete the host's docker0 (upstream's
// removeDefaultBridgeInterface). The address is in the benchmarking range 198.18.0.0/15.
const bridge = `kts-br${process.pid % 100000}`;
const bridgeNet = `198.18.${process.pid % 250}.1/24`;
let daemon: ReturnType<typeof Bun.spawn> | undefined;
let cluster: TestCluster | undefined;
let manager: PodManager | undefined;

function run(cmd: string[]): void {
  const p = Bun.spawnSync(cmd, { stderr: "pipe" });
  if (p.exitCode !== 0) throw new Error(`${cmd.join(" ")}: ${p.stderr.toString()}`);
}

function startDaemon(): void {
  daemon = Bun.spawn(
    [
      "dockerd",
      "--config-file",
      join(root, "daemon.json"),
      "--host",
      `unix://${sock}`,
      "--data-root",
      join(root, "data"),
      "--exec-root",
      join(root, "exec"),
      "--pidfile",
      pidFile,
      "--bridge",
      bridge,
      "--iptables=false",
      "--ip-masq=false",
      "--ip-forward=false",
      "--storage-driver",
      "vfs",
      "--shutdown-timeout",
      "1",
    ],
    { stdout: "ignore", stderr: Bun.file(join(root, "dockerd.log")) },
  );
}

async function stopDaemon(): Promise<void> {
  daemon?.kill("SIGTERM");
  await daemon?.exited;
  daemon = undefined;
}

async function until(what: string, cond: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond().catch(() => false)) return;
    await Bun.sleep(100);
  }
  throw new Error(`timed out waiting until ${what}`);
}

/** The test image in the private daemon: the host's busybox and its applets. */
function importBusybox(): void {
  const fs = join(root, "rootfs");
  for (const d of ["bin", "etc", "tmp", "proc", "sys", "dev"]) mkdirSync(join(fs, d), { recursive: true });
  copyFileSync("/bin/busybox", join(fs, "bin", "busybox"));
  for (const applet of ["sh", "sleep"]) symlinkSync("busybox", join(fs, "bin", applet));
  const tar = Bun.spawnSync(["tar", "-C", fs, "-cf", "-", "."]);
  const imported = Bun.spawnSync(["docker", "-H", `unix://${sock}`, "import", "-c", 'CMD ["sh"]', "-", TEST_IMAGE], { stdin: tar.stdout });
  if (imported.exitCode !== 0) throw new Error(imported.stderr.toString());
}

beforeAll(async () => {
  if (!canRun) return;
  await Bun.write(join(root, "daemon.json"), "{}");
  run(["ip", "link", "add", bridge, "type", "bridge"]);
  run(["ip", "addr", "add", bridgeNet, "dev", bridge]);
  run(["ip", "link", "set", bridge, "up"]);
  startDaemon();
  const docker = new DockerEngine({ socketPath: sock });
  await until("the private dockerd answers", async () => !!(await docker.ping()));
  importBusybox();
  cluster = testCluster();
  await cluster.client.create({ group: "", version: "v1", resource: "namespaces" }, "", { metadata: { name: "default" } });
  manager = await startPodManager({
    client: cluster.client,
    nodeName: "restart-node",
    nodeIP: "127.0.0.1",
    docker,
    dataDir: join(root, "agent"),
    log: memoryLogger(),
    backoff: { initialMs: 300, maxMs: 3000 },
    resyncMs: 1000,
  });
}, 60_000);

afterAll(async () => {
  await manager?.stop();
  await cluster?.close();
  await stopDaemon();
  // Whatever the daemon left mounted under its roots goes before the files do.
  for (const line of readFileSync("/proc/self/mountinfo", "utf8").split("\n").reverse()) {
    const mp = line.split(" ")[4];
    if (mp?.startsWith(root)) Bun.spawnSync(["umount", "-l", mp]);
  }
  rmSync(root, { recursive: true, force: true });
  if (canRun) Bun.spawnSync(["ip", "link", "del", bridge]);
}, 60_000);

describe.skipIf(!canRun)("Docker Engine restarts", () => {
  test("the agent recreates the pod's containers once Docker is back", async () => {
    const client = cluster!.client;
    await client.create(PODS, "default", {
      metadata: { name: "survivor" },
      spec: { nodeName: "restart-node", terminationGracePeriodSeconds: 1, containers: [{ name: "app", image: TEST_IMAGE, command: ["sleep", "3600"] }] },
    });
    const get = async () => (await client.get(PODS, "default", "survivor")) as Pod;
    await until("the pod runs", async () => isRunningReady(await get()));
    const before = containerStatus(await get(), "app")!.containerID;
    await stopDaemon();
    startDaemon();
    await until("the pod runs again in new containers", async () => {
      const p = await get();
      const s = containerStatus(p, "app");
      return isRunningReady(p) && s?.restartCount === 1 && s.containerID !== before;
    });
  }, 120_000);
});
