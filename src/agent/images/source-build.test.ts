/**
 * The compiled kts a source checkout makes for the kts image, on a tiny stand-in checkout (its
 * cmd/kts.ts prints a word): built once, reused while the sources stay, rebuilt when one changes.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryLogger } from "../../controllers/testing.ts";
import { compiledFromSources, sourceFingerprint } from "./source-build.ts";

const root = mkdtempSync(join(tmpdir(), "kts-source-build-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function source(word: string): void {
  mkdirSync(join(root, "cmd"), { recursive: true });
  writeFileSync(join(root, "cmd", "kts.ts"), `console.log(${JSON.stringify(word)});\n`);
}

test("built once into the cache dir, reused while the sources are unchanged, rebuilt when they change", async () => {
  source("first");
  const cache = join(root, "cache");
  const log = memoryLogger();
  const exe = await compiledFromSources(cache, log, root);
  expect(Bun.spawnSync([exe]).stdout.toString()).toBe("first\n");
  expect(log.lines.some((l) => l.includes("building the kts executable"))).toBe(true);
  const built = statSync(exe).mtimeMs;

  const fingerprint = sourceFingerprint(root);
  expect(await compiledFromSources(cache, log, root)).toBe(exe);
  expect(statSync(exe).mtimeMs).toBe(built);

  writeFileSync(join(root, "cmd", "kts.test.ts"), "// tests do not count\n");
  expect(sourceFingerprint(root)).toBe(fingerprint);
  source("second, a longer word");
  expect(sourceFingerprint(root)).not.toBe(fingerprint);
  await compiledFromSources(cache, log, root);
  expect(Bun.spawnSync([exe]).stdout.toString()).toBe("second, a longer word\n");
}, 60_000);
