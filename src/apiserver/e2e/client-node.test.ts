/**
 * The official TypeScript client (@kubernetes/client-node) against a real `kts server`: CRUD,
 * list, watch and an informer. client-node 2.x needs Node.js 22 (its undici dependency), so it
 * runs under Bun here; Bun's fetch ignores the TLS agent client-node builds, so the driver trusts
 * the cluster CA through NODE_EXTRA_CA_CERTS and authenticates with the server token.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { readKubeconfig, writeKubeconfig } from "../../pki/index.ts";
import { startTestServer, type TestServer } from "../../testing/server.ts";

const TOKEN = "client-node-test-token";
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer(["--token", TOKEN]);
});
afterAll(async () => {
  expect(await s.stop()).toBe(0);
});

test("CRUD, list, watch and an informer with @kubernetes/client-node", async () => {
  const driver = join(import.meta.dir, "testdata", "client-node-driver.mjs");
  const admin = readKubeconfig(s.kubeconfig);
  const caFile = join(s.dataDir, "ca.crt");
  const tokenKubeconfig = join(s.dataDir, "token-kubeconfig.yaml");
  writeFileSync(caFile, admin.caPem);
  writeKubeconfig(tokenKubeconfig, { server: admin.server, caPem: admin.caPem, token: TOKEN });
  const p = Bun.spawn([process.execPath, driver, tokenKubeconfig], { stdout: "pipe", stderr: "pipe", env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile } });
  const [stdout, stderr] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  expect(await p.exited).toBe(0);
  const out = JSON.parse(stdout.trim().split("\n").pop() ?? "{}");
  expect({ out, stderr }).toMatchObject({ out: { crud: expect.anything() } });
  expect(out.error).toBeUndefined();
  expect(out.crud).toEqual({ uid: true, data: { k: "v" }, rvGrew: true, listed: true, missing: 404 });
  expect(out.watch).toEqual(["ADDED", "MODIFIED", "DELETED"]);
  expect(out.informer.added).toEqual(expect.arrayContaining(["after", "before"]));
  expect(out.informer.cached).toEqual(expect.arrayContaining(["after", "before"]));
}, 60_000);
