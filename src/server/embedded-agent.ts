/**
 * The agent inside `kts server` (k3s servers are nodes too): it joins over loopback HTTPS with the
 * server's own token and gets its own node identity like any agent. It starts in the background
 * and never takes the server down: a failure is logged and retried.
 */
import type { Logger } from "../log/index.ts";
import { startAgent, type AgentOptions, type RunningAgent } from "../agent/index.ts";

const FIRST_RETRY_MS = 2_000;
const MAX_RETRY_MS = 30_000;

export interface EmbeddedAgent {
  stop(): Promise<void>;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
}

export function runEmbeddedAgent(opts: AgentOptions, log: Logger): EmbeddedAgent {
  const abort = new AbortController();
  let agent: RunningAgent | undefined;
  const starting = (async () => {
    let backoff = FIRST_RETRY_MS;
    while (!abort.signal.aborted) {
      try {
        agent = await startAgent({ ...opts, signal: abort.signal }, log);
        return;
      } catch (err) {
        if (abort.signal.aborted) return;
        log.error("the embedded agent could not start; retrying", { err, retryInMs: backoff });
        await sleep(backoff, abort.signal);
        backoff = Math.min(MAX_RETRY_MS, backoff * 2);
      }
    }
  })();
  return {
    async stop() {
      abort.abort();
      await starting;
      await agent?.stop();
    },
  };
}
