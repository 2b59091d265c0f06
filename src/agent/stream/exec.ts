/**
 * exec and attach on Docker: a hijacked connection to the exec (or the container's attach)
 * carries stdin one way and stdout/stderr the other (multiplexed unless there is a TTY);
 * resizes go to Docker's resize endpoints. An exec ends with its exit code; an attach ends when
 * the container's output does.
 */
import type { DockerApi } from "../runtime/index.ts";
import type { Duplex } from "node:stream";
import type { AttachRequest, ExecRequest, TunnelStream } from "../../tunnel/index.ts";
import { CH_INPUT, CH_RESIZE, CH_STDERR, CH_STDOUT, tagged } from "../../tunnel/index.ts";
import { findRunningContainer } from "./containers.ts";
import { DockerDemuxer } from "./demux.ts";
import { finish, ready } from "./reply.ts";

interface Size {
  Width: number;
  Height: number;
}

/**
 * Moves bytes between the tunnel stream and Docker's hijacked connection; resolves when Docker's
 * side has ended (the process exited, or the container's output closed).
 */
function pump(stream: TunnelStream, docker: Duplex, tty: boolean, withStdin: boolean, resize: (size: Size) => Promise<void>, early?: Early): Promise<void> {
  return new Promise((resolve) => {
    let ended = false;
    const done = () => {
      if (ended) return;
      ended = true;
      resolve();
    };
    const out = (channel: number, payload: Buffer) => {
      if (!stream.write(tagged(channel, payload))) docker.pause();
    };
    const demux = tty ? undefined : new DockerDemuxer((type, payload) => out(type === 2 ? CH_STDERR : CH_STDOUT, payload));
    docker.on("data", (chunk: Buffer) => (demux ? demux.push(chunk) : out(CH_STDOUT, chunk)));
    docker.on("end", done);
    docker.on("close", done);
    docker.on("error", done);
    docker.on("drain", () => stream.resume());
    stream.onDrain = () => docker.resume();
    stream.onData = (msg) => {
      const payload = msg.subarray(1);
      if (msg[0] === CH_INPUT && withStdin) {
        if (!docker.write(payload)) stream.pause();
      } else if (msg[0] === CH_RESIZE) {
        try {
          void resize(JSON.parse(payload.toString()) as Size);
        } catch {
          // A malformed size is ignored, as the kubelet does.
        }
      }
    };
    // The client's stdin ended: close the process's stdin (Docker half-closes on our FIN).
    stream.onEnd = () => {
      if (withStdin) docker.end();
    };
    stream.onReset = () => {
      docker.destroy();
      done();
    };
    for (const msg of early?.held.splice(0) ?? []) stream.onData(msg);
    if (early?.ended) stream.onEnd();
    if (early?.reset) stream.onReset("");
  });
}

/** Messages that came before the hijacked connection was up. */
interface Early {
  held: Buffer[];
  ended: boolean;
  reset: boolean;
}

/**
 * Holds the stream's messages until the client's first terminal size arrives (kubectl sends it
 * as soon as its streams are up), so a TTY exec starts at the client's size and its first input
 * is read after the resize (Docker 20.10 cannot set the size when creating the exec).
 */
function holdUntilSized(stream: TunnelStream, waitMs: number): Promise<{ size?: Size; early: Early }> {
  const early: Early = { held: [], ended: false, reset: false };
  return new Promise((resolve) => {
    let settled = false;
    const settle = (size?: Size) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ size, early });
    };
    const timer = setTimeout(() => settle(), waitMs);
    stream.onData = (msg) => {
      if (!settled && msg[0] === CH_RESIZE) {
        try {
          return settle(JSON.parse(msg.subarray(1).toString()) as Size);
        } catch {
          return;
        }
      }
      early.held.push(msg);
    };
    stream.onEnd = () => (early.ended = true);
    stream.onReset = () => {
      early.reset = true;
      settle();
    };
  });
}

function resizer(target: { resize(opts: { h: number; w: number }): Promise<unknown> }): (size: Size) => Promise<void> {
  return async (size) => {
    if (size.Width > 0 && size.Height > 0) await target.resize({ h: size.Height, w: size.Width }).catch(() => undefined);
  };
}

/** How long a TTY exec waits for the client's terminal size before it starts anyway. */
const TTY_SIZE_WAIT_MS = 2_000;

/** Holds messages from now on (until pump takes over), without waiting for anything. */
async function holdWhile(stream: TunnelStream): Promise<Early> {
  const early: Early = { held: [], ended: false, reset: false };
  stream.onData = (msg) => early.held.push(msg);
  stream.onEnd = () => (early.ended = true);
  stream.onReset = () => (early.reset = true);
  return early;
}

export async function serveExec(stream: TunnelStream, req: ExecRequest, docker: DockerApi, node: string): Promise<void> {
  const info = await findRunningContainer(docker, node, req);
  const exec = await docker.getContainer(info.Id).exec({ Cmd: req.command, AttachStdin: req.stdin, AttachStdout: req.stdout, AttachStderr: req.stderr, Tty: req.tty });
  ready(stream);
  const { size, early } = req.tty ? await holdUntilSized(stream, TTY_SIZE_WAIT_MS) : { size: undefined, early: await holdWhile(stream) };
  if (early.reset) return;
  const conn = (await exec.start({ hijack: true, stdin: req.stdin, Tty: req.tty })) as Duplex;
  if (size) await resizer(exec)(size);
  await pump(stream, conn, req.tty, req.stdin, resizer(exec), early);
  if (stream.done) return;
  // Docker may report the exec as running for a moment after its output closed.
  for (let i = 0; i < 50; i++) {
    const state = await exec.inspect();
    if (!state.Running) return finish(stream, { exitCode: state.ExitCode ?? 0 });
    await Bun.sleep(20);
  }
  finish(stream, { error: { code: 500, message: "the command's exit code is unknown" } });
}

export async function serveAttach(stream: TunnelStream, req: AttachRequest, docker: DockerApi, node: string): Promise<void> {
  const info = await findRunningContainer(docker, node, req);
  const container = docker.getContainer(info.Id);
  const tty = info.Config?.Tty === true;
  // Without OpenStdin there is no stdin to attach to (kubectl warns the user itself).
  const stdin = req.stdin && info.Config?.OpenStdin === true;
  const conn = (await container.attach({ stream: true, stdin, stdout: req.stdout, stderr: req.stderr, hijack: true })) as Duplex;
  ready(stream);
  await pump(stream, conn, tty, stdin, resizer(container));
  if (!stream.done) finish(stream, {});
}
