/**
 * The pod bridge on a real host (root, real Docker, real `ip`), including the upgrade from the
 * earlier design: a Docker network owning the bridge is kept (its containers' addresses reported
 * as taken) while a container uses it, and replaced by kts's own bridge once nothing does. Names
 * and the subnet (in 198.19.0.0/16, the benchmarking range) are this run's own; everything made
 * here is removed.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import Docker from "dockerode";
import { memoryLogger } from "../../controllers/testing.ts";
import { mustParseCidr } from "../../netaddr/index.ts";
import { dockerAvailable, ensureTestImage, removeTestContainers, RUN_ID, TEST_IMAGE, TEST_LABEL } from "../../testing/docker.ts";
import { bridgePorts, ensureBridge, removeBridge } from "./bridge.ts";
import { DockerNetworks } from "./docker-network.ts";

const hasDocker = process.getuid?.() === 0 && (await dockerAvailable());
const NAME = `kt${Math.random().toString(36).slice(2, 6)}`;
const BRIDGE = `${NAME}0`;
const SUBNET = `198.19.${64 + Math.floor(Math.random() * 180)}.0/24`;
const GATEWAY = SUBNET.replace(/\.0\/24$/, ".1");
const docker = new DockerNetworks();

function addresses(dev: string): string[] {
  const out = JSON.parse(Bun.spawnSync(["ip", "-j", "-4", "addr", "show", "dev", dev]).stdout.toString() || "[]") as Array<{ addr_info?: Array<{ local: string; prefixlen: number }> }>;
  return (out[0]?.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`);
}

describe.skipIf(!hasDocker)("pod bridge", () => {
  afterAll(async () => {
    await removeTestContainers();
    await docker.remove(NAME).catch(() => false);
    await removeBridge(BRIDGE);
  });

  test("an earlier design's Docker network is kept while used, then replaced by kts's own bridge", async () => {
    const log = memoryLogger();
    const spec = { bridge: BRIDGE, cidr: mustParseCidr(SUBNET), mtu: 1500, dockerNetwork: NAME };
    await ensureTestImage();
    await docker.create({ name: NAME, subnet: SUBNET, gateway: GATEWAY, bridge: BRIDGE, mtu: 1500, labels: { [TEST_LABEL]: RUN_ID } });
    const engine = new Docker();
    const c = await engine.createContainer({ Image: TEST_IMAGE, Cmd: ["sleep", "3600"], Labels: { [TEST_LABEL]: RUN_ID }, HostConfig: { NetworkMode: NAME } });
    await c.start();
    const ip = (await c.inspect()).NetworkSettings.Networks[NAME]!.IPAddress;

    // In use: Docker's network and bridge stay, its container's address is taken.
    expect(await ensureBridge(docker, spec, log)).toEqual([ip]);
    expect(await docker.get(NAME)).toBeDefined();
    expect(bridgePorts(BRIDGE)).toHaveLength(1);

    // Unused: the Docker network goes and kts makes the bridge itself, idempotently.
    await c.remove({ force: true });
    expect(await ensureBridge(docker, spec, log)).toEqual([]);
    expect(await docker.get(NAME)).toBeUndefined();
    expect(await ensureBridge(docker, spec, log)).toEqual([]);
    expect(existsSync(`/sys/class/net/${BRIDGE}/bridge`)).toBe(true);
    expect(addresses(BRIDGE)).toEqual([`${GATEWAY}/24`]);

    await removeBridge(BRIDGE);
    expect(existsSync(`/sys/class/net/${BRIDGE}`)).toBe(false);
  }, 60_000);
});
