/**
 * Container logs from Docker's json-file log (the kubelet reads the CRI log files the same way):
 * tail, since, timestamps and follow map onto Docker's logs API; stdout and stderr are merged in
 * order into one stream, as `kubectl logs` shows them; limitBytes cuts the stream.
 */
import type Docker from "dockerode";
import type { Readable } from "node:stream";
import type { LogRequest, TunnelStream } from "../../tunnel/index.ts";
import { CH_STDOUT, tagged } from "../../tunnel/index.ts";
import { findContainer } from "./containers.ts";
import { DockerDemuxer } from "./demux.ts";
import { ready } from "./reply.ts";

/** Docker's logs endpoint as a stream, also when not following (dockerode would buffer it whole). */
function dockerLogs(docker: Docker, id: string, query: Record<string, unknown>): Promise<Readable> {
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      { path: `/containers/${id}/logs?`, method: "GET", isStream: true, statusCodes: { 200: true, 404: "no such container", 500: "server error" }, options: query },
      (err: Error | null, stream: unknown) => (err ? reject(err) : resolve(stream as Readable)),
    );
  });
}

export async function serveLogs(stream: TunnelStream, req: LogRequest, docker: Docker, node: string): Promise<void> {
  const info = await findContainer(docker, node, req, req.previous === true);
  const follow = req.follow === true && !req.previous && info.State?.Running === true;
  const source = await dockerLogs(docker, info.Id, {
    stdout: true,
    stderr: true,
    follow,
    timestamps: req.timestamps === true,
    tail: req.tailLines === undefined ? "all" : String(req.tailLines),
    ...(req.since !== undefined ? { since: req.since.toFixed(9) } : {}),
  });
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
