/**
 * Start-up runs a lot of code once (flag parsing, the built-in resource definitions, bootstrap
 * objects, the first lists of every informer). JavaScriptCore would compile much of it with its
 * optimizing tiers, and the machine code stays resident for nothing. Imported first by kts.ts, this
 * makes the JIT more reluctant until the process says it is running (`steadyState()`), when the
 * normal policy comes back for the request paths. Set KTS_STARTUP_JIT_POLICY=1 to turn it off.
 */
const STARTUP_SCALE = Number(process.env.KTS_STARTUP_JIT_POLICY ?? 100);

function setPolicy(scale: number): void {
  if (Number.isFinite(scale) && scale >= 1) Bun.unsafe.setJITPolicy(scale);
}

setPolicy(STARTUP_SCALE);

/** The normal JIT policy, once start-up is over. */
export function steadyState(): void {
  setPolicy(1);
}
