/**
 * One TCP stream at full speed, self-contained (no imports) so that it runs anywhere the kts
 * executable does (`BUN_BE_BUN=1 kts run tcp-stream.ts ...`): in pods of the kts image and in node
 * containers. Used by scripts/bench/pod-network.ts.
 *
 *   tcp-stream.ts recv [--port 5001]                 answers each stream with "done" at its end
 *   tcp-stream.ts send --host H [--port 5001] [--mib 256]   prints {"bytes":…,"seconds":…}
 *
 * The sender's clock runs from connecting to the receiver's "done": every byte arrived. Bounded:
 * the sender gives up after 120 s.
 */
export {};

const [mode, ...argv] = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1]! : def;
};
const port = Number(arg("--port", "5001"));

if (mode === "recv") {
  Bun.listen<{ bytes: number }>({
    hostname: "0.0.0.0",
    port,
    socket: {
      open(s) {
        s.data = { bytes: 0 };
      },
      data(s, chunk) {
        s.data.bytes += chunk.length;
      },
      end(s) {
        s.write("done");
        s.end();
      },
    },
  });
  console.log(`receiving on ${port}`);
} else if (mode === "send") {
  const host = arg("--host", "127.0.0.1");
  const total = Number(arg("--mib", "256")) * 1048576;
  const chunk = new Uint8Array(1 << 20);
  let sent = 0;
  const started = performance.now();
  const done = Promise.withResolvers<void>();
  setTimeout(() => done.reject(new Error("no answer within 120 s")), 120_000).unref();
  const pump = (s: { write(d: Uint8Array): number; end(): void }) => {
    while (sent < total) {
      const want = Math.min(chunk.length, total - sent);
      const n = s.write(want === chunk.length ? chunk : chunk.subarray(0, want));
      sent += n;
      if (n < want) return; // wait for drain
    }
    s.end();
  };
  await Bun.connect({
    hostname: host,
    port,
    socket: {
      open: pump,
      drain: pump,
      data(_s, d) {
        if (new TextDecoder().decode(d).includes("done")) done.resolve();
      },
      close() {
        done.resolve();
      },
      error(_s, err) {
        done.reject(err);
      },
    },
  });
  await done.promise;
  console.log(JSON.stringify({ bytes: sent, seconds: (performance.now() - started) / 1000 }));
  process.exit(0);
} else {
  console.error("usage: tcp-stream.ts recv [--port P] | send --host H [--port P] [--mib N]");
  process.exit(2);
}
