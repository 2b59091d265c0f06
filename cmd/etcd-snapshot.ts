import { Command } from "commander";
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { hostname } from "node:os";
import { basename, join } from "node:path";
import type { SnapshotProgress } from "../src/store/index.ts";
import { serverPaths } from "../src/server/paths.ts";
import { defaultDataDir, parseIntFlag } from "./flags.ts";

interface CommonOpts {
  dataDir: string;
  dir?: string;
}

function snapshotDir(opts: CommonOpts): string {
  return opts.dir ?? serverPaths(opts.dataDir).snapshots;
}

/** Prints progress on stderr at most twice a second, and always the final figure. */
function progressPrinter(label: string): (p: SnapshotProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (p.done < p.total && now - last < 500) return;
    last = now;
    const pct = p.total === 0 ? 100 : Math.floor((p.done / p.total) * 100);
    process.stderr.write(`${label}: ${pct}% (${p.done}/${p.total} rows)\n`);
  };
}

function listSnapshots(dir: string): Array<{ name: string; path: string; size: number; created: Date }> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => !f.endsWith(".part"))
    .map((name) => {
      const path = join(dir, name);
      const st = statSync(path);
      return { name, path, size: st.size, created: st.mtime };
    })
    .filter((s) => statSync(s.path).isFile())
    .sort((a, b) => a.created.getTime() - b.created.getTime());
}

export function etcdSnapshotCommand(): Command {
  const cmd = new Command("etcd-snapshot").description("Save, list, restore and prune snapshots of the server's datastore");
  const common = (c: Command) =>
    c.option("-d, --data-dir <dir>", "the server's data folder", defaultDataDir()).option("--dir <dir>", "snapshot folder (default <data-dir>/server/db/snapshots)");

  common(cmd.command("save"))
    .description("Write a consistent snapshot of the datastore; works while the server runs")
    .option("--name <name>", "snapshot name prefix", "on-demand")
    .action(async (opts: CommonOpts & { name: string }) => {
      const db = serverPaths(opts.dataDir).database;
      if (!existsSync(db)) throw new Error(`no datastore at ${db} (is --data-dir right?)`);
      const file = join(snapshotDir(opts), `${opts.name}-${hostname()}-${Math.floor(Date.now() / 1000)}`);
      const started = performance.now();
      // The store (SQLite) loads only for the commands that use it, not with every kts process.
      const { snapshotDatabase } = await import("../src/store/index.ts");
      const res = await snapshotDatabase(db, file, progressPrinter("snapshot"));
      const secs = ((performance.now() - started) / 1000).toFixed(2);
      console.log(`Snapshot ${basename(file)} saved: ${file} (${res.size} bytes, revision ${res.revision}, ${secs}s)`);
    });

  common(cmd.command("ls").alias("list"))
    .description("List snapshots")
    .action((opts: CommonOpts) => {
      const rows = listSnapshots(snapshotDir(opts));
      const widths = [Math.max(4, ...rows.map((r) => r.name.length)), Math.max(8, ...rows.map((r) => r.path.length)), 10];
      const line = (cols: string[]) => cols.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c)).join(" ");
      console.log(line(["Name", "Location", "Size", "Created"]));
      for (const r of rows) console.log(line([r.name, `file://${r.path}`, String(r.size), r.created.toISOString()]));
    });

  cmd
    .command("restore <snapshot>")
    .description("Replace the datastore with a snapshot (the server must be stopped); the old database is kept beside it")
    .option("-d, --data-dir <dir>", "the server's data folder", defaultDataDir())
    .action(async (snapshot: string, opts: { dataDir: string }) => {
      const db = serverPaths(opts.dataDir).database;
      const { restoreSnapshot } = await import("../src/store/index.ts");
      const res = restoreSnapshot(snapshot, db);
      console.log(`Restored ${snapshot} into ${db} at revision ${res.revision}`);
      if (res.keptAs) console.log(`The previous database was kept as ${res.keptAs}`);
    });

  common(cmd.command("delete <names...>").alias("rm"))
    .description("Delete snapshots by name")
    .action((names: string[], opts: CommonOpts) => {
      const dir = snapshotDir(opts);
      for (const name of names) {
        const path = join(dir, basename(name));
        if (!existsSync(path)) throw new Error(`no snapshot named ${name} in ${dir}`);
        rmSync(path);
        console.log(`Deleted ${name}`);
      }
    });

  common(cmd.command("prune"))
    .description("Delete all but the newest snapshots")
    .option("--snapshot-retention <n>", "snapshots to keep", parseIntFlag, 5)
    .action((opts: CommonOpts & { snapshotRetention: number }) => {
      const rows = listSnapshots(snapshotDir(opts));
      for (const r of rows.slice(0, Math.max(0, rows.length - opts.snapshotRetention))) {
        rmSync(r.path);
        console.log(`Deleted ${r.name}`);
      }
    });
  return cmd;
}
