/**
 * Test setup for controllers: the in-process client over a temporary store with every built-in
 * resource and the server's admission chain, as `kts server` runs them; plus polling helpers.
 */
import { expect } from "bun:test";
import { join } from "node:path";
import type { KubeObject } from "../apiserver/api/types.ts";
import type { ResourceRef } from "../client/index.ts";
import type { Logger } from "../log/index.ts";
import { ApiError } from "../apiserver/api/errors.ts";
import { defaultAdmission, NO_SERVICE_ACCOUNTS } from "../apiserver/admission/index.ts";
import { LocalClient } from "../apiserver/local-client.ts";
import { Registry } from "../apiserver/registry/registry.ts";
import { builtinDefinitions } from "../apiserver/resources/index.ts";
import { SqliteBackend } from "../store/index.ts";
import { tempDir } from "../store/sqlite/testing.ts";

export const NAMESPACES: ResourceRef = { group: "", version: "v1", resource: "namespaces" };
export const CONFIGMAPS: ResourceRef = { group: "", version: "v1", resource: "configmaps" };

export interface TestCluster {
  registry: Registry;
  client: LocalClient;
  /** A second client over the same store (a restarted server's). */
  reopen(): LocalClient;
  close(): Promise<void>;
}

export function testCluster(): TestCluster {
  const t = tempDir();
  const backend = SqliteBackend.open({ path: join(t.dir, "state.db") });
  const registry: Registry = new Registry(backend, defaultAdmission({ lookup: (g, v, r) => registry.lookup(g, v, r), disable: NO_SERVICE_ACCOUNTS }));
  for (const d of builtinDefinitions()) registry.add(d);
  return {
    registry,
    client: new LocalClient(registry),
    reopen: () => new LocalClient(registry),
    async close() {
      await backend.close();
      t.cleanup();
    },
  };
}

export async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await Bun.sleep(10);
  }
  throw new Error(`timed out waiting until ${what}`);
}

/** The object, or undefined once it is gone. */
export async function find(client: LocalClient, ref: ResourceRef, namespace: string, name: string): Promise<KubeObject | undefined> {
  try {
    return await client.get(ref, namespace, name);
  } catch (err) {
    if (err instanceof ApiError && err.code === 404) return undefined;
    throw err;
  }
}

export async function gone(client: LocalClient, ref: ResourceRef, namespace: string, name: string, timeoutMs = 5000): Promise<void> {
  await until(`${ref.resource} ${namespace}/${name} is gone`, async () => (await find(client, ref, namespace, name)) === undefined, timeoutMs);
}

/** Asserts the object is still there after `ms` (nothing deletes it). */
export async function stays(client: LocalClient, ref: ResourceRef, namespace: string, name: string, ms = 300): Promise<KubeObject> {
  await Bun.sleep(ms);
  const obj = await find(client, ref, namespace, name);
  expect(obj).toBeDefined();
  return obj!;
}

/** A logger that keeps what is logged, for assertions and quiet test output. */
export function memoryLogger(lines: string[] = []): Logger & { lines: string[] } {
  const put = (level: string) => (msg: string, fields?: Record<string, unknown>) => void lines.push(`${level} ${msg} ${fields ? JSON.stringify(fields) : ""}`);
  const self: Logger & { lines: string[] } = {
    lines,
    info: put("I"),
    warn: put("W"),
    error: put("E"),
    v: () => ({ info: put("V") }),
    child: () => self,
  };
  return self;
}
