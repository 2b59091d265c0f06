/**
 * Pod volumes on disk: the atomic ..data swap, configMap/secret/downwardAPI/projected contents
 * from a real in-process API server, emptyDir (incl. a tmpfs for medium Memory), hostPath checks.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testCluster } from "../../controllers/testing.ts";
import type { Pod } from "../runtime/index.ts";
import { formatMap, setUpPodVolumes, tearDownPodDir, VolumeError, writeAtomically } from "./index.ts";
import { isMountPoint } from "./local.ts";

const root = mkdtempSync(join(tmpdir(), "kts-volumes-"));
const cluster = testCluster();
const node = { cpuMilli: 2000, memoryBytes: 4 << 30, ephemeralStorageBytes: 10 << 30 };
const ips = { podIPs: ["10.0.0.5"], hostIPs: ["192.0.2.1"] };
const enc = (s: string) => new TextEncoder().encode(s);

beforeAll(async () => {
  await cluster.client.create({ group: "", version: "v1", resource: "namespaces" }, "", { metadata: { name: "default" } });
});

afterAll(async () => {
  await cluster.close();
  rmSync(root, { recursive: true, force: true });
});

function pod(volumes: unknown[], extra: Record<string, unknown> = {}): Pod {
  return {
    metadata: { name: "p", namespace: "default", uid: "u-1", labels: { b: "2", a: 'x"y' } },
    spec: { containers: [{ name: "c", image: "i", resources: { limits: { memory: "64Mi" } } }], volumes, ...extra },
  } as unknown as Pod;
}

describe("atomic writer", () => {
  test("files go through ..data; an update swaps the directory and drops removed keys", () => {
    const dir = join(root, "atomic");
    expect(writeAtomically(dir, new Map([["a", { data: enc("1"), mode: 0o644 }], ["sub/b", { data: enc("2"), mode: 0o600 }]]))).toBe(true);
    expect(readlinkSync(join(dir, "a"))).toBe("..data/a");
    expect(readFileSync(join(dir, "sub/b"), "utf8")).toBe("2");
    expect(statSync(join(dir, "sub/b")).mode & 0o777).toBe(0o600);
    const first = readlinkSync(join(dir, "..data"));
    expect(writeAtomically(dir, new Map([["a", { data: enc("1"), mode: 0o644 }], ["sub/b", { data: enc("2"), mode: 0o600 }]]))).toBe(false);
    expect(writeAtomically(dir, new Map([["a", { data: enc("changed"), mode: 0o644 }]]))).toBe(true);
    expect(readlinkSync(join(dir, "..data"))).not.toBe(first);
    expect(existsSync(join(dir, first))).toBe(false);
    expect(existsSync(join(dir, "sub"))).toBe(false);
    expect(readFileSync(join(dir, "a"), "utf8")).toBe("changed");
  });

  test("paths escaping the volume are refused", () => {
    expect(() => writeAtomically(join(root, "bad"), new Map([["../x", { data: enc(""), mode: 0o644 }]]))).toThrow("invalid path");
  });
});

describe("pod volumes", () => {
  const podDir = join(root, "pods", "u-1");

  test("configMap, secret, downwardAPI and projected volumes hold their sources", async () => {
    const cms = { group: "", version: "v1", resource: "configmaps" };
    const secrets = { group: "", version: "v1", resource: "secrets" };
    await cluster.client.create(cms, "default", { metadata: { name: "cfg" }, data: { one: "1", two: "2" }, binaryData: { bin: Buffer.from([0, 1]).toString("base64") } });
    await cluster.client.create(secrets, "default", { metadata: { name: "sec" }, data: { pw: Buffer.from("hunter2").toString("base64") } });
    const p = pod([
      { name: "all", configMap: { name: "cfg" } },
      { name: "some", configMap: { name: "cfg", items: [{ key: "two", path: "dir/two.txt", mode: 0o600 }], defaultMode: 0o640 } },
      { name: "sec", secret: { secretName: "sec" } },
      { name: "down", downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }, { path: "mem", resourceFieldRef: { containerName: "c", resource: "limits.memory", divisor: "1Mi" } }] } },
      { name: "proj", projected: { sources: [{ configMap: { name: "cfg", items: [{ key: "one", path: "one" }] } }, { secret: { name: "sec" } }, { downwardAPI: { items: [{ path: "name", fieldRef: { fieldPath: "metadata.name" } }] } }] } },
      { name: "missing-ok", configMap: { name: "nope", optional: true } },
    ]);
    const vols = await setUpPodVolumes({ client: cluster.client, pod: p, podDir, ips, node });
    const read = (v: string, f: string) => readFileSync(join(vols.get(v)!.hostPath, f));
    expect(read("all", "one").toString()).toBe("1");
    expect([...read("all", "bin")]).toEqual([0, 1]);
    expect(read("some", "dir/two.txt").toString()).toBe("2");
    expect(statSync(join(vols.get("some")!.hostPath, "dir/two.txt")).mode & 0o777).toBe(0o600);
    expect(existsSync(join(vols.get("some")!.hostPath, "one"))).toBe(false);
    expect(read("sec", "pw").toString()).toBe("hunter2");
    expect(read("down", "labels").toString()).toBe('a="x\\"y"\nb="2"');
    expect(read("down", "mem").toString()).toBe("64");
    expect(read("proj", "one").toString()).toBe("1");
    expect(read("proj", "pw").toString()).toBe("hunter2");
    expect(read("proj", "name").toString()).toBe("p");
    expect(vols.get("all")!.readOnly).toBe(true);

    // A changed ConfigMap reaches the volume on the next set-up.
    await cluster.client.patch(cms, "default", "cfg", "application/merge-patch+json", { data: { one: "uno" } });
    await setUpPodVolumes({ client: cluster.client, pod: p, podDir, ips, node });
    expect(read("all", "one").toString()).toBe("uno");
  });

  test("a missing ConfigMap, key or Secret fails with upstream's message", async () => {
    const fails = async (vol: unknown) => {
      try {
        await setUpPodVolumes({ client: cluster.client, pod: pod([vol]), podDir, ips, node });
      } catch (err) {
        expect(err).toBeInstanceOf(VolumeError);
        return (err as Error).message;
      }
      throw new Error("no error");
    };
    expect(await fails({ name: "v", configMap: { name: "nope" } })).toBe('MountVolume.SetUp failed for volume "v" : configmap "nope" not found');
    expect(await fails({ name: "v", secret: { secretName: "nope" } })).toBe('MountVolume.SetUp failed for volume "v" : secret "nope" not found');
    expect(await fails({ name: "v", configMap: { name: "cfg", items: [{ key: "zzz", path: "z" }] } })).toContain("configmap references non-existent config key: zzz");
    expect(await fails({ name: "v", hostPath: { path: join(root, "absent"), type: "Directory" } })).toContain(`hostPath type check failed: ${join(root, "absent")} is not a directory`);
    expect(await fails({ name: "v", projected: { sources: [{ serviceAccountToken: { path: "token" } }] } })).toContain("TokenRequest");
  });

  test("emptyDir on disk and in memory, hostPath DirectoryOrCreate", async () => {
    const p = pod([
      { name: "scratch", emptyDir: { sizeLimit: "1Mi" } },
      { name: "mem", emptyDir: { medium: "Memory", sizeLimit: "2Mi" } },
      { name: "host", hostPath: { path: join(root, "made", "here"), type: "DirectoryOrCreate" } },
    ]);
    const vols = await setUpPodVolumes({ client: cluster.client, pod: p, podDir: join(root, "pods", "u-2"), ips, node });
    expect(statSync(vols.get("scratch")!.hostPath).mode & 0o777).toBe(0o777);
    expect(vols.get("scratch")!.sizeLimitBytes).toBe(1 << 20);
    if (process.getuid?.() === 0) {
      expect(isMountPoint(vols.get("mem")!.hostPath)).toBe(true);
      const df = Bun.spawnSync(["df", "-k", vols.get("mem")!.hostPath]).stdout.toString();
      expect(df).toContain("2048");
    }
    expect(lstatSync(join(root, "made", "here")).isDirectory()).toBe(true);
    tearDownPodDir(join(root, "pods", "u-2"));
    expect(existsSync(join(root, "pods", "u-2"))).toBe(false);
  });

  test("formatMap sorts and quotes", () => {
    expect(formatMap({ z: "1", a: "two words" })).toBe('a="two words"\nz="1"');
  });
});
