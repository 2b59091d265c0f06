/**
 * Container logs from Docker's json-file log (the kubelet reads the CRI log files the same way):
 * tail, since, timestamps and follow map onto Docker's logs API; stdout and stderr are merged in
 * order into one stream, as `kubectl logs` shows them; limitBytes cuts the stream.
 */
import type { DockerEngine } from "../runtime/index.ts";
import type { Readable } from "node:stream";
import type { LogRequest, TunnelStream } from "../../tunnel/index.ts";
import { CH_STDOUT, tagged } from "../../tunnel/index.ts";
import { findContainer } from "./containers.ts";
import { DockerDemuxer } from "./demux.ts";
import { ready } from "./reply.ts";

export async function serveLogs(stream: TunnelStream, req: LogRequest, docker: DockerEngine, node: string): Promise<void> {
  const info = await findContainer(docker, node, req, req.previous === true);
  const follow = req.follow === true && !req.previous && info.State?.Running === true;
  const source = (await docker.logStream(info.Id, {
    stdout: true,
    stderr: true,
    follow,
    timestamps: req.timestamps === true,
    tail: req.tailLines === undefined ? "all" : String(req.tailLines),
    ...(req.since !== undefined ? { since: req.since.toFixed(9) } : {}),
  })) as Readable;
  ready(stream);
  let left = req.limitBytes ?? Infinity;
  let done = false;
  const stop = () => {
    if (done) return;
    done = true;
    source.destroy();
    stream.end();
  };
  const out = (payload: Buffer) => {
    if (done) return;
    const piece = payload.length > left ? payload.subarray(0, left) : payload;
    left -= piece.length;
    if (piece.length > 0 && !stream.write(tagged(CH_STDOUT, piece))) source.pause();
    if (left <= 0) stop();
  };
  const demux = info.Config?.Tty ? undefined : new DockerDemuxer((_type, payload) => out(payload));
  stream.onDrain = () => source.resume();
  stream.onReset = () => {
    done = true;
    source.destroy();
  };
  source.on("data", (chunk: Buffer) => (demux ? demux.push(chunk) : out(chunk)));
  source.on("end", stop);
  source.on("close", stop);
  source.on("error", stop);
}
