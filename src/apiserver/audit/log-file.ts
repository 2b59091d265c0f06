/**
 * The audit log backend (kube-apiserver's --audit-log-* flags, lumberjack's rotation): events are
 * queued and written as JSON lines in batches, so requests never wait on the disk. When the file
 * passes --audit-log-maxsize megabytes it is renamed to <name>-<timestamp>.<ext> and a new one
 * started; backups beyond --audit-log-maxbackup, or older than --audit-log-maxage days, are
 * removed. "-" writes to standard output.
 */
import { appendFile, mkdir, readdir, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";

export interface AuditLogOptions {
  path: string;
  /** Megabytes before rotation (0: never). */
  maxSizeMB?: number;
  /** Days a backup is kept (0: no limit). */
  maxAgeDays?: number;
  /** Backups kept (0: no limit). */
  maxBackups?: number;
  /** Flush at least this often (ms). */
  flushMs?: number;
  onError?(err: unknown): void;
}

export class AuditLogFile {
  private queue: string[] = [];
  private size = -1;
  private writing: Promise<void> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(private readonly opts: AuditLogOptions) {}

  /** Queues one event; it is written within flushMs. */
  write(event: unknown): void {
    if (this.closed) return;
    this.queue.push(`${JSON.stringify(event)}\n`);
    if (!this.timer && !this.writing) this.timer = setTimeout(() => void this.flush(), this.opts.flushMs ?? 50);
  }

  /** Writes everything queued so far. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.writing) await this.writing;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.writing = this.append(batch).catch((err) => this.opts.onError?.(err));
    await this.writing;
    this.writing = undefined;
    if (this.queue.length > 0) await this.flush();
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  /** Appends lines, rotating first whenever the next line would take the file past the size limit. */
  private async append(lines: string[]): Promise<void> {
    if (this.opts.path === "-") {
      process.stdout.write(lines.join(""));
      return;
    }
    if (this.size < 0) {
      await mkdir(dirname(this.opts.path), { recursive: true, mode: 0o700 });
      this.size = await stat(this.opts.path).then((s) => s.size, () => 0);
    }
    const max = (this.opts.maxSizeMB ?? 0) * 1024 * 1024;
    let chunk = "";
    let chunkBytes = 0;
    for (const line of lines) {
      const bytes = Buffer.byteLength(line);
      if (max > 0 && this.size + chunkBytes + bytes > max && this.size + chunkBytes > 0) {
        if (chunk) await appendFile(this.opts.path, chunk, { mode: 0o600 });
        this.size += chunkBytes;
        [chunk, chunkBytes] = ["", 0];
        await this.rotate();
      }
      chunk += line;
      chunkBytes += bytes;
    }
    if (chunk) await appendFile(this.opts.path, chunk, { mode: 0o600 });
    this.size += chunkBytes;
  }

  private async rotate(): Promise<void> {
    const path = this.opts.path;
    const ext = extname(path);
    const stem = basename(path, ext);
    const stamp = new Date().toISOString().replace(/:/g, "-").replace("Z", "");
    await rename(path, join(dirname(path), `${stem}-${stamp}${ext}`));
    this.size = 0;
    await this.prune(stem, ext);
  }

  /** Removes backups past the count or age limits. */
  private async prune(stem: string, ext: string): Promise<void> {
    const dir = dirname(this.opts.path);
    const backups = (await readdir(dir)).filter((f) => f.startsWith(`${stem}-`) && f.endsWith(ext)).sort().reverse();
    const maxAgeMs = (this.opts.maxAgeDays ?? 0) * 86_400_000;
    const keep = this.opts.maxBackups ?? 0;
    for (const [i, f] of backups.entries()) {
      const full = join(dir, f);
      const tooMany = keep > 0 && i >= keep;
      const tooOld = maxAgeMs > 0 && Date.now() - (await stat(full)).mtimeMs > maxAgeMs;
      if (tooMany || tooOld) await unlink(full).catch(() => undefined);
    }
  }
}
