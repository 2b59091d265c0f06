/**
 * Secrets encryption at rest on a real kts server: a Secret created with kubectl is in neither
 * the database file, its WAL, nor a snapshot; `kts secrets-encrypt` rotates keys and re-encrypts
 * with the Secret still readable; turned off and re-encrypted, the value shows in the file (so the
 * search would find it).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { startTestServer, type TestServer } from "../../testing/server.ts";

const KTS = join(import.meta.dir, "..", "..", "..", "cmd", "kts.ts");
const MARKER = `cleartext-${Math.random().toString(36).slice(2)}-value`;
const MARKER_B64 = Buffer.from(MARKER).toString("base64");

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.stop();
});

async function kts(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = Bun.spawn([process.execPath, KTS, ...args], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, stdout, stderr };
}

const encryptCmd = (action: string, ...extra: string[]) => kts("secrets-encrypt", action, "--data-dir", s.dataDir, "--server", s.url, ...extra);

/** Database, WAL and any other files of the store folder. */
function storeFiles(): string[] {
  const dir = join(s.dataDir, "server", "db");
  return readdirSync(dir)
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
}

function holds(file: string, text: string): boolean {
  return readFileSync(file).includes(Buffer.from(text));
}

test("a Secret's value is in neither the database, its WAL nor a snapshot; key rotation keeps it readable", async () => {
  const cfg = join(s.dataDir, "server", "cred", "encryption-config.json");
  expect(statSync(cfg).mode & 0o777).toBe(0o600);
  await s.k("create", "secret", "generic", "db-password", `--from-literal=password=${MARKER}`);
  const manifest = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: applied\nstringData:\n  token: ${MARKER}\n`;
  const applied = await s.kubectl(["apply", "-f", "-"], { stdin: manifest });
  expect(applied.code).toBe(0);

  const files = storeFiles();
  expect(files.some((f) => f.endsWith("-wal"))).toBe(true);
  for (const f of files) {
    expect(holds(f, MARKER)).toBe(false);
    expect(holds(f, MARKER_B64)).toBe(false);
  }
  expect(files.some((f) => holds(f, "k8s:enc:aescbc:v1:aescbckey:"))).toBe(true);

  const snap = await kts("etcd-snapshot", "save", "--data-dir", s.dataDir, "--name", "enc");
  expect(snap.code).toBe(0);
  const snapDir = join(s.dataDir, "server", "db", "snapshots");
  const snapshot = join(snapDir, readdirSync(snapDir)[0]!);
  expect(holds(snapshot, MARKER) || holds(snapshot, MARKER_B64)).toBe(false);

  const status = await encryptCmd("status");
  expect(status.stdout).toContain("Encryption Status: Enabled");
  expect(status.stdout).toContain("Current Rotation Stage: start");
  expect(status.stdout).toMatch(/\*\s+AES-CBC\s+aescbckey\n/);

  // k3s's stepwise rotation, then the one-step rotate-keys; progress is printed for reencrypt.
  for (const step of ["prepare", "rotate"]) expect((await encryptCmd(step)).code).toBe(0);
  const re = await encryptCmd("reencrypt");
  expect(re.code).toBe(0);
  expect(re.stderr).toMatch(/reencrypt: 100% \(\d+\/\d+ objects, \d+ rewritten\)/);
  const rotated = await encryptCmd("rotate-keys");
  expect(rotated.code).toBe(0);
  expect(rotated.stdout).toContain("stage reencrypt_finished");
  const after = await encryptCmd("status");
  expect(after.stdout).toContain("Current Rotation Stage: reencrypt_finished");
  expect(after.stdout).not.toMatch(/AES-CBC\s+aescbckey\n/);
  expect(Buffer.from(await s.k("get", "secret", "db-password", "-o", "jsonpath={.data.password}"), "base64").toString()).toBe(MARKER);
  expect(Buffer.from(await s.k("get", "secret", "applied", "-o", "jsonpath={.data.token}"), "base64").toString()).toBe(MARKER);
  // An out-of-order step is refused with the reason.
  const wrong = await encryptCmd("rotate");
  expect(wrong.code).not.toBe(0);
  expect(wrong.stderr).toContain("cannot rotate while the rotation stage is reencrypt_finished");

  // Turned off and re-encrypted, the value is stored in clear: the search above would have seen it.
  expect((await encryptCmd("disable")).code).toBe(0);
  expect((await encryptCmd("reencrypt", "--force")).code).toBe(0);
  expect((await encryptCmd("status")).stdout).toContain("Encryption Status: Disabled");
  expect(storeFiles().some((f) => holds(f, MARKER_B64))).toBe(true);
  expect(existsSync(cfg)).toBe(true);
}, 120_000);
