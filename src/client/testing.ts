/**
 * Test setup for the client layer: the in-process client over a temporary store with every
 * built-in resource (no admission, so namespaces need not exist).
 */
import { join } from "node:path";
import { LocalClient } from "../apiserver/local-client.ts";
import { Registry } from "../apiserver/registry/registry.ts";
import { builtinDefinitions } from "../apiserver/resources/index.ts";
import { SqliteBackend } from "../store/index.ts";
import { tempDir } from "../store/sqlite/testing.ts";

export function localClient(): { client: LocalClient; close(): Promise<void> } {
  const t = tempDir();
  const backend = SqliteBackend.open({ path: join(t.dir, "state.db") });
  const registry = new Registry(backend);
  for (const d of builtinDefinitions()) registry.add(d);
  return {
    client: new LocalClient(registry),
    async close() {
      await backend.close();
      t.cleanup();
    },
  };
}
