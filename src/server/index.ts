import type { SyncMode } from "../store/index.ts";
import type { EtcdServer } from "../etcdapi/index.ts";
import type { Logger } from "../log/index.ts";
import { SqliteBackend } from "../store/index.ts";
import { startEtcdServer } from "../etcdapi/index.ts";
import { serverPaths } from "./paths.ts";

export { serverPaths } from "./paths.ts";

/** What `kts server` was asked to run (user configuration; runtime state lives in RunningServer). */
export interface ServerConfig {
  dataDir: string;
  storeSync: SyncMode;
  compactionRetentionMs: number;
  compactionIntervalMs: number;
  /** host:port for the etcd v3 API; undefined = not served. */
  etcdListen?: { host: string; port: number };
}

export interface RunningServer {
  readonly store: SqliteBackend;
  readonly etcd?: EtcdServer;
  stop(): Promise<void>;
}

/**
 * Starts the server's components in order: the store, then the listeners on top of it.
 * Each later component only starts once the ones it needs are up.
 */
export async function startServer(cfg: ServerConfig, log: Logger): Promise<RunningServer> {
  const paths = serverPaths(cfg.dataDir);
  const storeLog = log.child("store");
  const started = performance.now();
  const store = SqliteBackend.open({
    path: paths.database,
    sync: cfg.storeSync,
    compaction: { retentionMs: cfg.compactionRetentionMs, intervalMs: cfg.compactionIntervalMs },
    onBackgroundError: (what, err) => storeLog.error(`${what} failed`, { err }),
  });
  storeLog.info("store open", {
    path: paths.database,
    revision: store.currentRevision(),
    sync: cfg.storeSync,
    ms: Math.round(performance.now() - started),
  });

  let etcd: EtcdServer | undefined;
  try {
    if (cfg.etcdListen) {
      etcd = await startEtcdServer({ backend: store, ...cfg.etcdListen, log: log.child("etcd") });
      log.info("etcd v3 API listening", { address: `${etcd.host}:${etcd.port}` });
    }
  } catch (err) {
    await store.close();
    throw err;
  }

  return {
    store,
    etcd,
    async stop() {
      await etcd?.close();
      await store.close();
      storeLog.info("store closed", { revision: store.currentRevision() });
    },
  };
}
