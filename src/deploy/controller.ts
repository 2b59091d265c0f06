/**
 * The auto-deploy directory (k3s's deploy controller): at start the bundled manifests are written
 * to <data-dir>/server/manifests (always, so they stay as shipped; disabled ones are removed and
 * their objects deleted), then every manifest file there is applied, and applied again whenever its
 * content changes (a watch on the directory, and a rescan every 15 s). Files the user adds are
 * applied the same way; deleting a file leaves its objects in place, as in k3s. A file with a
 * `<file>.skip` beside it is not applied. A file that fails is retried at the next rescan.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, watch, writeFileSync, type FSWatcher } from "node:fs";
import { join } from "node:path";
import type { DeployClient } from "./apply.ts";
import type { Logger } from "../log/index.ts";
import { Applier } from "./apply.ts";
import { BUNDLED, fillTemplate, type TemplateVars } from "./bundled.ts";
import { addonName, manifestFiles, parseManifest } from "./manifest-files.ts";

export interface DeployOptions {
  /** <data-dir>/server/manifests */
  dir: string;
  /** The API as the cluster admin (server-side apply over HTTPS). */
  /** The in-process client (kts server) or an HTTPS one (tests): both apply server-side. */
  client: DeployClient;
  vars: TemplateVars;
  /** --disable: components not deployed, and deleted if they were. */
  disabled: string[];
  /** Rescan period (default 15 s, as k3s). */
  intervalMs?: number;
  log: Logger;
}

export interface DeployController {
  /** Resolves after the first pass over the directory (whether every file applied or not). */
  readonly firstPass: Promise<void>;
  /** Applies changed (and failed) files now. */
  sync(): Promise<void>;
  stop(): void;
}

/** Writes the bundled manifests (filled in) and removes the disabled ones' files. */
export function stageBundled(dir: string, vars: TemplateVars, disabled: string[], log: Logger): void {
  mkdirSync(dir, { recursive: true });
  for (const b of BUNDLED) {
    const path = join(dir, b.file);
    if (disabled.includes(b.component)) {
      if (existsSync(path)) rmSync(path);
      continue;
    }
    const text = fillTemplate(b.text, vars);
    if (!existsSync(path) || readFileSync(path, "utf8") !== text) {
      writeFileSync(path, text, { mode: 0o600 });
      log.info("bundled manifest written", { file: path });
    }
  }
}

export function startDeploy(opts: DeployOptions): DeployController {
  const { log } = opts;
  const applier = new Applier(opts.client);
  const applied = new Map<string, string>();
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  stageBundled(opts.dir, opts.vars, opts.disabled, log);

  const removeDisabled = async () => {
    for (const b of BUNDLED.filter((x) => opts.disabled.includes(x.component))) {
      const objects = parseManifest(fillTemplate(b.text, opts.vars), b.file).reverse();
      for (const obj of objects) {
        try {
          if (await applier.deleteIfOwned(obj, addonName(b.file))) log.info("deleted a disabled component's object", { component: b.component, object: `${obj.kind}/${obj.metadata?.name}` });
        } catch (err) {
          log.error("deleting a disabled component's object failed", { component: b.component, object: `${obj.kind}/${obj.metadata?.name}`, err: String(err) });
        }
      }
    }
  };

  const applyFile = async (path: string) => {
    const text = readFileSync(path, "utf8");
    const sum = createHash("sha256").update(text).digest("hex");
    if (applied.get(path) === sum) return;
    const addon = addonName(path);
    const started = performance.now();
    const done: string[] = [];
    try {
      for (const obj of parseManifest(text, path)) done.push(await applier.apply(obj, addon));
      applied.set(path, sum);
      log.info("manifest applied", { file: path, objects: done.length, ms: Math.round(performance.now() - started) });
    } catch (err) {
      applied.delete(path);
      log.error("applying a manifest failed; retrying at the next scan", { file: path, applied: done.length, err: String(err) });
    }
  };

  const pass = async () => {
    const files = manifestFiles(opts.dir);
    for (const f of files) if (!stopped) await applyFile(f);
    // Forget files that are gone or skipped: if they come back, they are applied again.
    for (const f of [...applied.keys()]) if (!files.includes(f)) applied.delete(f);
  };

  const sync = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await pass();
      } while (again && !stopped);
    })().finally(() => (running = undefined));
    return running;
  };

  const firstPass = removeDisabled().then(sync);
  let debounce: ReturnType<typeof setTimeout> | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(opts.dir, { recursive: true }, () => {
      clearTimeout(debounce);
      debounce = setTimeout(() => void sync(), 300);
    });
  } catch (err) {
    log.warn("cannot watch the manifests directory; rescanning only", { dir: opts.dir, err: String(err) });
  }
  const timer = setInterval(() => void sync(), opts.intervalMs ?? 15_000);
  return {
    firstPass,
    sync,
    stop() {
      stopped = true;
      clearInterval(timer);
      clearTimeout(debounce);
      watcher?.close();
    },
  };
}
