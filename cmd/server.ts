import { Command, Option } from "commander";
import { logger } from "../src/log/index.ts";
import { startServer } from "../src/server/index.ts";
import { defaultDataDir, parseDuration, parseHostPort } from "./flags.ts";

function durationOption(flags: string, description: string, fallback: string): Option {
  return new Option(flags, description).argParser(parseDuration).default(parseDuration(fallback), fallback);
}

export function serverCommand(): Command {
  return new Command("server")
    .description("Run the kts server: the store and, as they land, the API server, scheduler, controllers and an agent")
    .option("-d, --data-dir <dir>", "folder holding state", defaultDataDir())
    .addOption(
      new Option("--datastore-sync <mode>", "full: fsync every commit (survives power loss, as etcd); normal: no fsync (survives a killed process)")
        .choices(["full", "normal"])
        .default("full"),
    )
    .addOption(durationOption("--compaction-retention <duration>", "history (revisions) kept before compaction", "5m"))
    .addOption(durationOption("--compaction-interval <duration>", "how often to compact", "1m"))
    .option("--etcd-listen <host:port>", "also serve the etcd v3 API on this address (e.g. 127.0.0.1:2379)", parseHostPort)
    .action(async (opts) => {
      const log = logger("server");
      const server = await startServer(
        {
          dataDir: opts.dataDir,
          storeSync: opts.datastoreSync,
          compactionRetentionMs: opts.compactionRetention,
          compactionIntervalMs: opts.compactionInterval,
          etcdListen: opts.etcdListen,
        },
        log,
      );
      log.info("kts server is running", { dataDir: opts.dataDir });
      // Hold the process open until a signal, whatever listeners are configured.
      const keepAlive = setInterval(() => {}, 1 << 30);
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info("shutting down", { signal });
        await server.stop();
        clearInterval(keepAlive);
        process.exit(0);
      };
      process.on("SIGTERM", () => void stop("SIGTERM"));
      process.on("SIGINT", () => void stop("SIGINT"));
    });
}
