/**
 * The connection an agent opens to the server (like k3s's remotedialer tunnel): one WebSocket
 * per node on the API server's port, authenticated by the node's client certificate, carrying
 * many streams (logs, exec, attach, port-forward) the server opens. Both ends live here.
 */
export { MuxSession, TunnelStream, WINDOW } from "./mux.ts";
export { NodeNotConnectedError, TunnelServer } from "./server.ts";
export { type TunnelClient, type TunnelClientOptions, startTunnelClient } from "./client.ts";
export * from "./protocol.ts";
