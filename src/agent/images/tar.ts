/**
 * A minimal ustar writer for in-memory archives (the pause image's root file system): regular
 * files and directories, owned by root.
 */
export interface TarEntry {
  path: string;
  /** Omitted for directories. */
  data?: Uint8Array;
  mode: number;
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, "0") + "\0";
}

function header(entry: TarEntry): Buffer {
  const h = Buffer.alloc(512);
  const dir = entry.data === undefined;
  const name = dir && !entry.path.endsWith("/") ? `${entry.path}/` : entry.path;
  if (Buffer.byteLength(name) > 100) throw new Error(`tar path too long: ${name}`);
  h.write(name, 0, "utf8");
  h.write(octal(entry.mode, 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(dir ? 0 : entry.data!.length, 12), 124);
  h.write(octal(0, 12), 136);
  h.write("        ", 148); // checksum field counts as spaces while summing
  h.write(dir ? "5" : "0", 156);
  h.write("ustar\0", 257);
  h.write("00", 263);
  h.write("root", 265);
  h.write("root", 297);
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
  return h;
}

export function tarArchive(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    parts.push(header(e));
    if (e.data) {
      parts.push(Buffer.from(e.data));
      const pad = (512 - (e.data.length % 512)) % 512;
      if (pad) parts.push(Buffer.alloc(pad));
    }
  }
  parts.push(Buffer.alloc(1024)); // two zero blocks end the archive
  return Buffer.concat(parts);
}
