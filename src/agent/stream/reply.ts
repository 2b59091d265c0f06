/**
 * The agent's answers on a stream: READY once the container is there (output follows), STATUS
 * last (an exit code, or an error with the HTTP status the client should see), then END.
 */
import type { StreamStatus, TunnelStream } from "../../tunnel/index.ts";
import { CH_READY, CH_STATUS, tagged } from "../../tunnel/index.ts";
import { StreamError } from "./containers.ts";

export function ready(stream: TunnelStream): void {
  stream.write(tagged(CH_READY));
}

export function finish(stream: TunnelStream, status: StreamStatus): void {
  stream.write(tagged(CH_STATUS, JSON.stringify(status)));
  stream.end();
}

/** Docker's error text without dockerode's "(HTTP code 409) unexpected - " prefix. */
function dockerMessage(err: unknown): string {
  const e = err as { json?: { message?: string }; message?: string };
  return e?.json?.message ?? e?.message ?? String(err);
}

export function fail(stream: TunnelStream, err: unknown): void {
  if (err instanceof StreamError) return finish(stream, { error: { code: err.code, message: err.message } });
  finish(stream, { error: { code: 500, message: dockerMessage(err) } });
}
