/**
 * Start-up runs a lot of code once: flag parsing, the built-in resource definitions, the bootstrap
 * objects and policy, the first list of every informer, joining and registering a node. Two things
 * keep that from staying resident for the life of the process:
 *   - until the process says it is running (`steadyState()`), JavaScriptCore's JIT is made 100x
 *     more reluctant (Bun.unsafe.setJITPolicy), so run-once code is not compiled by the optimizing
 *     tiers; the normal policy comes back for the request paths (start-up is no slower);
 *   - once start-up has settled (controllers synced, the node registered), the compiled code is
 *     dropped once (Bun.shrink: JavaScriptCore's "delete all code" and a full GC when idle), as V8
 *     flushes the bytecode of functions that stopped running. Code that runs again is recompiled
 *     from the source on its next call; start-up-only code stays gone. The same happens when the
 *     kernel reports memory pressure.
 * `kts agent` keeps the reluctant policy for good (KTS_AGENT_JIT_POLICY, default 100): an agent
 * waits on Docker and the API server, not on its own code, and the optimizing tiers' code and
 * compiler pages cost it ~4 MB of its ~55. Hot code still tiers up, only later.
 * KTS_STARTUP_JIT_POLICY=1, KTS_AGENT_JIT_POLICY=1 and KTS_DROP_STARTUP_CODE=0 turn these off (to
 * measure what they save).
 * Imported first by kts.ts.
 */
const STARTUP_SCALE = Number(process.env.KTS_STARTUP_JIT_POLICY ?? 100);
/** After "running": long enough for the controllers' first syncs and the agent's first pod sync. */
const DROP_CODE_AFTER_MS = 20_000;

function setPolicy(scale: number): void {
  if (Number.isFinite(scale) && scale >= 1) Bun.unsafe.setJITPolicy(scale);
}

setPolicy(STARTUP_SCALE);

/**
 * Start-up is over: the normal JIT policy (or `jitPolicy`), and start-up code dropped once it has
 * settled.
 */
export function steadyState(jitPolicy = 1): void {
  setPolicy(jitPolicy);
  if (process.env.KTS_DROP_STARTUP_CODE === "0") return;
  setTimeout(() => Bun.shrink(), DROP_CODE_AFTER_MS).unref();
  process.on("memoryPressure", () => Bun.shrink());
}
