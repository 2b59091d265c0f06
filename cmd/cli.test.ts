import { afterAll, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { SqliteBackend } from "../src/store/index.ts";
import { serverPaths } from "../src/server/index.ts";
import { bytes, tempDir, text } from "../src/store/sqlite/testing.ts";

const KTS = join(import.meta.dir, "kts.ts");
const tmp = tempDir("kts-cli-");
afterAll(() => tmp.cleanup());

async function kts(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = Bun.spawn([process.execPath, KTS, ...args], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr };
}

/** Collects a child's output; `ready` resolves once a line contains `marker`. */
function waitForLine(stream: ReadableStream<Uint8Array>, marker: string): { ready: Promise<void>; all: Promise<string> } {
  const ready = Promise.withResolvers<void>();
  const all = (async () => {
    let text = "";
    for await (const chunk of stream) {
      text += new TextDecoder().decode(chunk);
      if (text.includes(marker)) ready.resolve();
    }
    ready.reject(new Error(`output ended without "${marker}":\n${text}`));
    return text;
  })();
  return { ready: ready.promise, all };
}

test("every command has --help", async () => {
  for (const args of [[], ["server"], ["agent"], ["token"], ["etcd-snapshot"], ["etcd-snapshot", "save"], ["etcd-snapshot", "ls"], ["etcd-snapshot", "restore"], ["etcd-snapshot", "prune"], ["etcd-snapshot", "delete"]]) {
    const res = await kts(...args, "--help");
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("Usage: kts");
  }
});

test("etcd-snapshot save while the server runs, ls, restore after it stops", async () => {
  const dataDir = join(tmp.dir, "data");
  const db = serverPaths(dataDir).database;
  const seed = SqliteBackend.open({ path: db });
  for (let i = 0; i < 100; i++) await seed.create(`/registry/configmaps/default/cm-${i}`, bytes(`v${i}`));
  await seed.close();

  const server = Bun.spawn(
    [process.execPath, KTS, "server", "--data-dir", dataDir, "--https-listen-port", "0", "--bind-address", "127.0.0.1", "-o", join(tmp.dir, "kubeconfig.yaml"), "--disable-agent"],
    { stdout: "pipe", stderr: "pipe" },
  );
  const stderrText = waitForLine(server.stderr, "kts server is running");
  await stderrText.ready;

  const saved = await kts("etcd-snapshot", "save", "--data-dir", dataDir, "--name", "nightly");
  expect(saved.stderr).toContain("snapshot: 100%");
  // Revision 101 is the seeded data; the server's bootstrap objects (namespaces, ...) add a few.
  const savedRevision = Number(/Snapshot nightly-.+ saved: .+ \(\d+ bytes, revision (\d+), [\d.]+s\)/.exec(saved.stdout)?.[1]);
  expect(savedRevision).toBeGreaterThan(101);
  expect(saved.code).toBe(0);

  // Restore is refused while the server owns the data directory.
  const snapshotFile = join(serverPaths(dataDir).snapshots, readdirSync(serverPaths(dataDir).snapshots)[0]!);
  const refused = await kts("etcd-snapshot", "restore", snapshotFile, "--data-dir", dataDir);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain("is in use by process");

  server.kill("SIGTERM");
  expect(await server.exited).toBe(0);
  expect(await stderrText.all).toContain("shutting down");

  const listed = await kts("etcd-snapshot", "ls", "--data-dir", dataDir);
  expect(listed.stdout).toMatch(/^Name +Location +Size +Created\nnightly-\S+ +file:\/\/\S+ +\d+ +\d{4}-/);

  // Change the store, then restore: the change is gone, the snapshot's state is back.
  const changed = SqliteBackend.open({ path: db });
  await changed.delete("/registry/configmaps/default/cm-0");
  await changed.close();
  const restored = await kts("etcd-snapshot", "restore", snapshotFile, "--data-dir", dataDir);
  expect(restored.code).toBe(0);
  expect(restored.stdout).toContain(`at revision ${savedRevision}`);
  const back = SqliteBackend.open({ path: db });
  expect(text((await back.get("/registry/configmaps/default/cm-0")).kv?.value)).toBe("v0");
  await back.close();

  const pruned = await kts("etcd-snapshot", "prune", "--data-dir", dataDir, "--snapshot-retention", "0");
  expect(pruned.stdout).toContain("Deleted nightly-");
  expect(readdirSync(serverPaths(dataDir).snapshots)).toEqual([]);
}, 30_000);

test("bad flags and a damaged data dir give clear errors", async () => {
  const bad = await kts("server", "--compaction-retention", "soon");
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toContain('"soon" is not a duration');
  const taint = await kts("agent", "--join", "https://127.0.0.1:1", "--token", "t", "--node-taint", "a=b:Sometimes");
  expect(taint.code).not.toBe(0);
  expect(taint.stderr).toContain('"Sometimes" is not a taint effect (NoSchedule, PreferNoSchedule, NoExecute)');
  const noJoin = await kts("agent", "--token", "t");
  expect(noJoin.code).toBe(1);
  expect(noJoin.stderr).toContain("--join (or KTS_URL) is required");
  const noToken = await kts("token", "--data-dir", join(tmp.dir, "nowhere"));
  expect(noToken.code).toBe(1);
  expect(noToken.stderr).toContain("no server token at");
  const missing = await kts("etcd-snapshot", "save", "--data-dir", join(tmp.dir, "nowhere"));
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain("no datastore at");
});
