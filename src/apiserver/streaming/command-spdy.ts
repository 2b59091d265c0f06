/**
 * exec/attach over SPDY (kubectl before 1.30, and 1.30+ when WebSockets are refused): the client
 * opens one stream per stdio channel, each tagged with a `streamType` header (error, stdin,
 * stdout, stderr, resize). Once the expected streams are there, data flows; stdin ends with the
 * client's FIN; the server writes the status to the error stream and half-closes every stream.
 */
import type { SpdyServerSession, SpdyStream } from "../../httpstream/spdy/index.ts";
import type { StreamStatus } from "../../tunnel/index.ts";
import { type CommandOptions, type CommandPeer, parseSizes, statusBytes } from "./command-peer.ts";

/** Server preference is irrelevant: the client's first offer we speak is chosen. */
export const SPDY_COMMAND_PROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io"];

/** How long the client may take to open its streams (the kubelet's streamCreationTimeout). */
const STREAM_WAIT_MS = 30_000;

interface Streams {
  error?: SpdyStream;
  stdin?: SpdyStream;
  stdout?: SpdyStream;
  stderr?: SpdyStream;
  resize?: SpdyStream;
}

function expected(protocol: string, opts: CommandOptions): Array<keyof Streams> {
  const want: Array<keyof Streams> = ["error"];
  if (opts.stdin) want.push("stdin");
  if (opts.stdout) want.push("stdout");
  if (opts.stderr && !opts.tty) want.push("stderr");
  if (opts.tty && protocol !== "channel.k8s.io" && protocol !== "v2.channel.k8s.io") want.push("resize");
  return want;
}

/** Waits for the client's streams; rejects (and closes the session) if they do not all come. */
export function spdyCommandPeer(session: SpdyServerSession, protocol: string, opts: CommandOptions, what: string): Promise<CommandPeer> {
  const want = expected(protocol, opts);
  const streams: Streams = {};
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      session.close();
      reject(new Error("timed out waiting for the client's streams"));
    }, STREAM_WAIT_MS);
    session.onClose = () => {
      clearTimeout(timer);
      reject(new Error("the client closed the connection before opening its streams"));
    };
    session.onStream = (stream) => {
      const type = stream.header("streamtype") as keyof Streams | undefined;
      if (!type || !(want as string[]).includes(type) || streams[type]) {
        stream.reset();
        return;
      }
      streams[type] = stream;
      // Bytes may follow at once (stdin): held until the peer is wired.
      hold(stream);
      if (want.every((t) => streams[t])) {
        clearTimeout(timer);
        resolve(wire(session, streams, protocol, what));
      }
    };
  });
}

const held = new WeakMap<SpdyStream, { data: Buffer[]; ended: boolean }>();

function hold(stream: SpdyStream): void {
  const h = { data: [] as Buffer[], ended: false };
  held.set(stream, h);
  stream.onData = (d) => h.data.push(d);
  stream.onEnd = () => (h.ended = true);
}

function wire(session: SpdyServerSession, s: Streams, protocol: string, what: string): CommandPeer {
  let finished = false;
  const peer: CommandPeer = {
    stdout: (data) => s.stdout?.write(data) ?? true,
    stderr: (data) => s.stderr?.write(data) ?? true,
    finish(status: StreamStatus) {
      if (finished) return;
      finished = true;
      const bytes = statusBytes(protocol, status, what);
      if (bytes) s.error?.write(bytes);
      for (const stream of [s.stdout, s.stderr, s.error, s.stdin, s.resize]) stream?.end();
    },
    pauseInput: () => s.stdin?.pause(),
    resumeInput: () => s.stdin?.resume(),
    onInput: () => {},
    onInputEnd: () => {},
    onResize: () => {},
    onGone: () => {},
    onDrain: () => {},
  };
  // Input is handed over once the caller has set its handlers (after this returns).
  queueMicrotask(() => {
    if (s.stdin) {
      const h = held.get(s.stdin)!;
      s.stdin.onData = (d) => peer.onInput(d);
      s.stdin.onEnd = () => peer.onInputEnd();
      for (const d of h.data.splice(0)) peer.onInput(d);
      if (h.ended) peer.onInputEnd();
    }
    if (s.resize) {
      let partial = "";
      const take = (d: Buffer) => {
        partial += d.toString();
        const cut = partial.lastIndexOf("\n");
        if (cut < 0) return;
        for (const size of parseSizes(partial.slice(0, cut))) peer.onResize(size);
        partial = partial.slice(cut + 1);
      };
      s.resize.onData = take;
      for (const d of held.get(s.resize)!.data.splice(0)) take(d);
    }
  });
  for (const stream of [s.stdout, s.stderr]) if (stream) stream.onDrain = () => peer.onDrain();
  session.onClose = () => {
    if (!finished) peer.onGone();
    finished = true;
  };
  return peer;
}
