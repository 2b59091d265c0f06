/**
 * The client side of exec and attach, whatever protocol it speaks (WebSocket channels or SPDY
 * streams): output goes to it, input, resizes and its departure come from it, and the final
 * Status is written in the form its protocol version expects.
 */
import type { StreamStatus } from "../../tunnel/index.ts";

export interface CommandOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export interface TerminalSize {
  Width: number;
  Height: number;
}

export interface CommandPeer {
  /** Output to the client; false when it buffers (wait for onDrain). */
  stdout(data: Buffer): boolean;
  stderr(data: Buffer): boolean;
  /** Writes the final status and closes the connection. */
  finish(status: StreamStatus): void;
  pauseInput(): void;
  resumeInput(): void;
  onInput: (data: Buffer) => void;
  onInputEnd: () => void;
  onResize: (size: TerminalSize) => void;
  /** The client went away. */
  onGone: () => void;
  onDrain: () => void;
}

/** Versions whose error channel carries a Status object (v4 and later); older ones carry text. */
export function statusIsObject(protocol: string): boolean {
  return /^v[4-9]\./.test(protocol);
}

/**
 * The error channel's content: a Status (success, NonZeroExitCode with the ExitCode cause, or an
 * internal error) for v4+, plain text for older versions, nothing for success there.
 */
export function statusBytes(protocol: string, status: StreamStatus, what: string): Buffer | undefined {
  const exitCode = status.exitCode ?? 0;
  const failed = status.error !== undefined || exitCode !== 0;
  const message = status.error ? status.error.message : `command terminated with non-zero exit code: ${what} exited with ${exitCode}`;
  if (!statusIsObject(protocol)) return failed ? Buffer.from(message) : undefined;
  if (!failed) return Buffer.from(JSON.stringify({ metadata: {}, status: "Success" }));
  if (status.error) {
    return Buffer.from(JSON.stringify({ metadata: {}, status: "Failure", message: `Internal error occurred: ${message}`, reason: "InternalError", details: { causes: [{ message }] }, code: 500 }));
  }
  return Buffer.from(JSON.stringify({ metadata: {}, status: "Failure", message, reason: "NonZeroExitCode", details: { causes: [{ reason: "ExitCode", message: String(exitCode) }] } }));
}

/** Terminal sizes as clients send them: JSON objects, one per line (SPDY) or per message. */
export function parseSizes(text: string): TerminalSize[] {
  const out: TerminalSize[] = [];
  for (const line of text.split("\n")) {
    const t = line.trim();
    if (!t) continue;
    try {
      const v = JSON.parse(t) as Partial<TerminalSize>;
      if (typeof v.Width === "number" && typeof v.Height === "number") out.push({ Width: v.Width, Height: v.Height });
    } catch {
      // A malformed size is ignored, as the kubelet logs and skips it.
    }
  }
  return out;
}
