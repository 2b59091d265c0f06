/**
 * The path agents open their tunnel on. Only a node may: the client certificate (or token)
 * must identify `system:node:<name>` in the group `system:nodes`, and the tunnel is registered
 * under that name.
 */
import type { PathUpgradeHandler } from "../http/upgrade.ts";
import type { TunnelServer } from "../../tunnel/index.ts";
import { isWebSocketRequest } from "../../httpstream/index.ts";
import { errors } from "../api/errors.ts";

const NODE_PREFIX = "system:node:";

export function tunnelEndpoint(tunnels: TunnelServer): PathUpgradeHandler {
  return async (call) => {
    const { username, groups } = call.user;
    if (!username.startsWith(NODE_PREFIX) || username.length === NODE_PREFIX.length || !groups.includes("system:nodes")) {
      throw errors.forbidden({}, `User "${username}" cannot open an agent tunnel: only nodes (system:node:<name> in system:nodes) may`);
    }
    if (!isWebSocketRequest(call.req.headers)) throw errors.badRequest("Upgrade request required");
    tunnels.accept(call.socket, call.req.headers, call.rest, username.slice(NODE_PREFIX.length));
  };
}
