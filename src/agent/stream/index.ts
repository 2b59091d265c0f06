/**
 * The agent's side of streaming: a tunnel it opens to the server (src/tunnel) over which the
 * server asks for logs, exec, attach and port-forward; each is served from Docker here. Only
 * containers labelled with this node are ever touched.
 */
import type { DockerEngine } from "../runtime/index.ts";
import type { Logger } from "../../log/index.ts";
import type { StreamRequest, TunnelStream } from "../../tunnel/index.ts";
import { startTunnelClient } from "../../tunnel/index.ts";
import { serveAttach, serveExec } from "./exec.ts";
import { serveLogs } from "./logs.ts";
import { servePortForward } from "./portforward.ts";
import { fail } from "./reply.ts";

export interface StreamTunnelOptions {
  /** https://host:port of the API server. */
  serverUrl: string;
  /** The cluster's server CA. */
  caPem: string;
  /** The node's client certificate and key (system:node:<name>). */
  certPem: string;
  keyPem: string;
  nodeName: string;
  /** The lean client (src/agent/runtime/engine.ts): logs are streamed, exec and attach hijack raw sockets. */
  docker: DockerEngine;
  log: Logger;
  /** Labels of the containers the agent makes (unused by streaming, which only reads containers). */
  containerLabels?: Record<string, string>;
}

export interface StreamTunnel {
  /** Resolves once the tunnel is up (tests). */
  whenConnected(): Promise<void>;
  isConnected(): boolean;
  stop(): Promise<void>;
}

function serve(stream: TunnelStream, request: StreamRequest, opts: StreamTunnelOptions): Promise<void> {
  switch (request.kind) {
    case "log":
      return serveLogs(stream, request, opts.docker, opts.nodeName);
    case "exec":
      return serveExec(stream, request, opts.docker, opts.nodeName);
    case "attach":
      return serveAttach(stream, request, opts.docker, opts.nodeName);
    case "portforward":
      return servePortForward(stream, request, opts.docker, opts.nodeName);
  }
}

export async function startStreamTunnel(opts: StreamTunnelOptions): Promise<StreamTunnel> {
  const log = opts.log;
  const client = startTunnelClient({
    serverUrl: opts.serverUrl,
    caPem: opts.caPem,
    certPem: opts.certPem,
    keyPem: opts.keyPem,
    log,
    onStream(stream, raw) {
      const request = raw as StreamRequest;
      const what = { kind: request.kind, pod: `${request.pod?.namespace}/${request.pod?.name}` };
      log.v(3).info("stream request", what);
      serve(stream, request, opts).catch((err) => {
        log.v(2).info("stream request failed", { ...what, err });
        if (!stream.done) fail(stream, err);
      });
    },
  });
  return { whenConnected: () => client.whenConnected(), isConnected: () => client.isConnected(), stop: () => client.stop() };
}
