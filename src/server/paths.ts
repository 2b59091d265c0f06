import { join } from "node:path";

/** Where a server keeps its state under --data-dir, mirroring k3s's server/db layout. */
export function serverPaths(dataDir: string) {
  const db = join(dataDir, "server", "db");
  return {
    dbDir: db,
    database: join(db, "state.db"),
    snapshots: join(db, "snapshots"),
    /** The auto-deploy directory (k3s's server/manifests): packaged and user manifests. */
    manifests: join(dataDir, "server", "manifests"),
    /** kts-managed secrets encryption configuration (k3s's server/cred/encryption-config.json). */
    encryptionConfig: join(dataDir, "server", "cred", "encryption-config.json"),
  };
}
