/**
 * Runs a set of controllers, as kube-controller-manager does: each starts its informers and
 * workers, and all stop together. A controller that fails to start is logged and left out; the
 * others keep running (a broken controller must not take the server down).
 */
import type { Logger } from "../log/index.ts";

export interface Controller {
  readonly name: string;
  /** Starts informers and workers; resolves once its caches are filled and workers run. */
  start(): Promise<void>;
  /** Stops workers and informers; resolves once no work is in progress. */
  stop(): Promise<void>;
}

export interface RunningControllers {
  /** Resolves once every controller has started (or failed to). */
  readonly ready: Promise<void>;
  readonly names: string[];
  stop(): Promise<void>;
}

export function runControllers(controllers: Controller[], log: Logger): RunningControllers {
  const ready = Promise.all(
    controllers.map(async (c) => {
      const started = performance.now();
      try {
        await c.start();
        log.info("controller started", { controller: c.name, ms: Math.round(performance.now() - started) });
      } catch (err) {
        log.error("controller failed to start", { controller: c.name, err });
      }
    }),
  ).then(() => undefined);
  return {
    ready,
    names: controllers.map((c) => c.name),
    async stop() {
      await Promise.all(controllers.map((c) => c.stop().catch((err: unknown) => log.warn("controller did not stop cleanly", { controller: c.name, err }))));
    },
  };
}
