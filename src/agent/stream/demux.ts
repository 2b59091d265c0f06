/**
 * Docker's multiplexed stdio stream (non-TTY attach, exec and logs): frames of an 8-byte header
 * (stream type: 1 stdout, 2 stderr; three zero bytes; big-endian payload length) and the payload.
 */
export class DockerDemuxer {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly emit: (stream: 1 | 2, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    while (this.buf.length >= 8) {
      const size = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + size) return;
      const type = this.buf[0] === 2 ? 2 : 1;
      const payload = this.buf.subarray(8, 8 + size);
      this.buf = this.buf.subarray(8 + size);
      if (payload.length > 0) this.emit(type, Buffer.from(payload));
    }
  }
}
