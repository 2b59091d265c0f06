/**
 * Streaming through the API server: pods/log, pods/exec, pods/attach and pods/portforward,
 * served by the agent of the pod's node over the tunnel that agent opened (TUNNEL_PATH).
 * The API server registers `subresources` with its HTTP app and `upgrades` with its TLS front.
 */
import type { Logger } from "../../log/index.ts";
import type { SubresourceHandler } from "../http/resource-handler.ts";
import type { PathUpgradeHandler, UpgradeHandler, UpgradeRoutes } from "../http/upgrade.ts";
import { TUNNEL_PATH, TunnelServer } from "../../tunnel/index.ts";
import { errors } from "../api/errors.ts";
import { commandHandler } from "./exec.ts";
import { serveLog } from "./log.ts";
import { portForwardHandler } from "./portforward.ts";
import { tunnelEndpoint } from "./tunnel-endpoint.ts";

export interface Streaming {
  readonly tunnels: TunnelServer;
  /** Plain HTTP subresources (pods/log; the upgrade-only ones answer "Upgrade request required"). */
  readonly subresources: Map<string, SubresourceHandler>;
  readonly upgrades: UpgradeRoutes;
  close(): void;
}

export function createStreaming(opts: { log: Logger }): Streaming {
  const log = opts.log;
  const tunnels = new TunnelServer(log.child("tunnel"));
  const upgradeOnly: SubresourceHandler = () => {
    throw errors.badRequest("Upgrade request required");
  };
  const subresources = new Map<string, SubresourceHandler>([
    ["/pods/log", (call) => serveLog(call, tunnels)],
    ["/pods/exec", upgradeOnly],
    ["/pods/attach", upgradeOnly],
    ["/pods/portforward", upgradeOnly],
  ]);
  const upgrades: UpgradeRoutes = {
    subresources: new Map<string, UpgradeHandler>([
      ["/pods/exec", commandHandler(tunnels, "exec", log)],
      ["/pods/attach", commandHandler(tunnels, "attach", log)],
      ["/pods/portforward", portForwardHandler(tunnels, log)],
    ]),
    paths: new Map<string, PathUpgradeHandler>([[TUNNEL_PATH, tunnelEndpoint(tunnels)]]),
  };
  return { tunnels, subresources, upgrades, close: () => tunnels.close() };
}
