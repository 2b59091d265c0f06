/**
 * The official TypeScript client (@kubernetes/client-node) against a real `kts server`: CRUD,
 * list, watch and an informer (run in a child process, see client-node-process.ts).
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { serverForFile } from "./fixtures.ts";
import { spawnClientNode } from "./client-node-process.ts";

const TOKEN = "client-node-test-token";
const { s } = serverForFile(["--token", TOKEN]);

test("CRUD, list, watch and an informer with @kubernetes/client-node", async () => {
  const p = spawnClientNode(s, TOKEN, join(import.meta.dir, "testdata", "client-node-driver.mjs"));
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
