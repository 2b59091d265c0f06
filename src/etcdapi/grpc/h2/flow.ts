/**
 * HTTP/2 flow control (RFC 9113 5.2, 6.9). Both directions, per connection and per stream:
 *
 * - Receiving: we grant a window and the peer must stay within it. We consume data as soon as it
 *   arrives, so we re-open the window generously: a WINDOW_UPDATE once half of it is used, not
 *   one per frame.
 * - Sending: we never send DATA beyond the smaller of the connection's and the stream's window;
 *   the peer re-opens them with WINDOW_UPDATE, and a SETTINGS change of INITIAL_WINDOW_SIZE
 *   shifts every stream's window (which may then go negative).
 */
import { ErrorCode, type ErrorCodeValue } from "./frames.ts";

/** The largest window (and window increment) HTTP/2 allows. */
export const MAX_WINDOW = 2 ** 31 - 1;
/** Every window starts here until SETTINGS or WINDOW_UPDATE say otherwise. */
export const DEFAULT_WINDOW = 65_535;

/** What we let the peer send us. */
export class ReceiveWindow {
  private available: number;
  /** Consumed bytes not yet handed back with a WINDOW_UPDATE. */
  private consumed = 0;

  constructor(private readonly size: number) {
    this.available = size;
  }

  /** Accounts for a received DATA frame (padding included); false if the peer overran the window. */
  receive(bytes: number): boolean {
    if (bytes > this.available) return false;
    this.available -= bytes;
    return true;
  }

  /** Marks received bytes as consumed; returns the WINDOW_UPDATE increment due now (0: none yet). */
  release(bytes: number): number {
    this.consumed += bytes;
    if (this.consumed < this.size / 2) return 0;
    const increment = this.consumed;
    this.consumed = 0;
    this.available += increment;
    return increment;
  }
}

/** What the peer lets us send. */
export class SendWindow {
  constructor(public available: number) {}

  /** A WINDOW_UPDATE increment; returns the error to raise for an invalid one. */
  grow(increment: number): ErrorCodeValue | undefined {
    if (increment === 0) return ErrorCode.PROTOCOL_ERROR;
    if (this.available + increment > MAX_WINDOW) return ErrorCode.FLOW_CONTROL_ERROR;
    this.available += increment;
    return undefined;
  }

  /** A change of SETTINGS_INITIAL_WINDOW_SIZE; false if the window would overflow. */
  shift(delta: number): boolean {
    if (this.available + delta > MAX_WINDOW) return false;
    this.available += delta;
    return true;
  }
}
