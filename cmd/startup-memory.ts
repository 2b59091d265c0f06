/**
 * Start-up runs a lot of code once: flag parsing, the built-in resource definitions, the bootstrap
 * objects and policy, the first list of every informer, joining and registering a node. Two things
 * keep that from staying resident for the life of the process:
 *   - until the process says it is running (`steadyState()`), JavaScriptCore's JIT is made 100x
 *     more reluctant (Bun.unsafe.setJITPolicy), so run-once code is not compiled by the optimizing
 *     tiers; the normal policy comes back for the request paths (start-up is no slower);
 *   - once start-up has settled (controllers synced, the node registered) and the process is idle
 *     (under 5% of a core for 10 s, checked from 20 s after running on), the compiled code is
 *     dropped once (Bun.shrink: JavaScriptCore's "delete all code" and a full GC), as V8 flushes
 *     the bytecode of functions that stopped running. Code that runs again is recompiled from the
 *     source on its next call; start-up-only code stays gone. A busy process (a benchmark, a
 *     rollout) is left alone: recompiling hot code under load would cost it throughput. The pages
 *     of the executable that start-up read go back to the kernel at the same moment
 *     (executable-pages.ts). The same drop happens when the kernel reports memory pressure.
 * `kts agent` keeps the reluctant policy for good (KTS_AGENT_JIT_POLICY, default 100): an agent
 * waits on Docker and the API server, not on its own code, and the optimizing tiers' code and
 * compiler pages cost it ~4 MB of its ~55. Hot code still tiers up, only later.
 * KTS_STARTUP_JIT_POLICY=1, KTS_AGENT_JIT_POLICY=1 and KTS_DROP_STARTUP_CODE=0 turn these off (to
 * measure what they save).
 * Imported first by kts.ts.
 */
import { releaseExecutablePages } from "./executable-pages.ts";

const STARTUP_SCALE = Number(process.env.KTS_STARTUP_JIT_POLICY ?? 100);
/** How often idleness is checked once running; the first drop can come after two periods. */
const IDLE_CHECK_MS = 10_000;
/** CPU time (user + system) per period under which the process counts as idle: 5% of one core. */
const IDLE_CPU_MICROS = IDLE_CHECK_MS * 1000 * 0.05;

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
  dropCodeWhenIdle();
  process.on("memoryPressure", () => {
    Bun.shrink();
    releaseExecutablePages();
  });
}

/** Bun.shrink once, in the first check period after the first that the process spent idle. */
function dropCodeWhenIdle(): void {
  let last = process.cpuUsage();
  let periods = 0;
  const timer = setInterval(() => {
    const used = process.cpuUsage(last);
    last = process.cpuUsage();
    periods++;
    if (periods < 2 || used.user + used.system > IDLE_CPU_MICROS) return;
    clearInterval(timer);
    Bun.shrink();
    releaseExecutablePages();
  }, IDLE_CHECK_MS);
  timer.unref();
}
