/**
 * A connection's outgoing bytes. Frames are serialised straight into one growing buffer, and the
 * buffer is handed to the socket in one write per event-loop turn (see FlushScheduler), so a
 * unary reply's HEADERS, DATA and trailers, and all replies ready in the same turn, leave in a
 * single syscall. Bun's socket write is unbuffered: what it does not take stays here until the
 * socket drains.
 */

const INITIAL_BYTES = 16 * 1024;
/** After a burst (a snapshot, a big range) the buffer shrinks back once empty. */
const KEEP_BYTES = 256 * 1024;

/** Whatever takes bytes: a Bun socket. Returns how many it took (negative: closed). */
export type Sink = (buf: Buffer, offset: number, length: number) => number;

export class Output {
  buf = Buffer.allocUnsafe(INITIAL_BYTES);
  /** First byte not yet taken by the socket. */
  start = 0;
  /** End of the bytes written so far: writers append at `end` and advance it. */
  end = 0;

  /** Bytes waiting to be written to the socket. */
  get pending(): number {
    return this.end - this.start;
  }

  /** Makes room for `n` more bytes at `end`; returns the (possibly new) buffer. */
  reserve(n: number): Buffer {
    if (this.end + n <= this.buf.length) return this.buf;
    const pending = this.end - this.start;
    if (pending + n <= this.buf.length && this.start >= this.buf.length / 2) {
      // Enough room once the already-sent bytes are dropped.
      this.buf.copy(this.buf, 0, this.start, this.end);
    } else {
      let size = this.buf.length * 2;
      while (size < pending + n) size *= 2;
      const grown = Buffer.allocUnsafe(size);
      this.buf.copy(grown, 0, this.start, this.end);
      this.buf = grown;
    }
    this.start = 0;
    this.end = pending;
    return this.buf;
  }

  append(bytes: Uint8Array): void {
    this.reserve(bytes.length).set(bytes, this.end);
    this.end += bytes.length;
  }

  /**
   * Writes pending bytes to `sink`. Returns false when the sink took only part (wait for its
   * drain) or is closed.
   */
  flushTo(sink: Sink): boolean {
    const pending = this.end - this.start;
    if (pending === 0) return true;
    const n = sink(this.buf, this.start, pending);
    if (n >= pending) {
      this.start = 0;
      this.end = 0;
      if (this.buf.length > KEEP_BYTES) this.buf = Buffer.allocUnsafe(INITIAL_BYTES);
      return true;
    }
    if (n > 0) this.start += n;
    return false;
  }
}

/** Something with buffered output to write at the end of the current turn. */
export interface Flushable {
  flush(): void;
}

/**
 * Runs every dirty connection's flush once, in a microtask: after the synchronous work and the
 * promise continuations already queued (a batch of store commits resolves its callers together,
 * and their replies are written before this runs), before the event loop polls again.
 */
export class FlushScheduler {
  private dirty: Flushable[] = [];
  private scheduled = false;

  schedule(target: Flushable): void {
    this.dirty.push(target);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.run());
  }

  private run(): void {
    this.scheduled = false;
    const dirty = this.dirty;
    this.dirty = [];
    for (const target of dirty) target.flush();
  }
}
