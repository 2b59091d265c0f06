import { Command, Option } from "commander";
import { logger } from "../src/log/index.ts";
import { parseHostPort, parseIntFlag } from "./flags.ts";

function repeat(text: string, previous: string[] = []): string[] {
  return [...previous, ...text.split(",").map((s) => s.trim()).filter(Boolean)];
}

/** `kts dns`: the cluster DNS server that the packaged coredns Deployment runs (k3s runs CoreDNS there). */
export function dnsCommand(): Command {
  return new Command("dns")
    .description("Run the cluster DNS server: answers the cluster domain from Services and EndpointSlices, forwards other names upstream")
    .option("--kubeconfig <file>", "kubeconfig to reach the API server with (default: the pod's in-cluster service account)")
    .option("--cluster-domain <domain>", "cluster domain to answer (repeatable)", repeat)
    .addOption(new Option("--listen <host:port>", "UDP and TCP address to serve DNS on").argParser(parseHostPort).default({ host: "0.0.0.0", port: 53 }, "0.0.0.0:53"))
    .option("--upstream <address>", "upstream nameserver, ip or ip:port (repeatable; default: the nameservers of --resolv-conf)", repeat)
    .option("--resolv-conf <file>", "where the upstream nameservers are read from", "/etc/resolv.conf")
    .option("--ttl <seconds>", "TTL of cluster answers", parseIntFlag, 5)
    .option("--cache-ttl <seconds>", "longest time an upstream answer is cached", parseIntFlag, 30)
    .option("--health-port <port>", "port of /health (-1: off)", parseIntFlag, 8080)
    .option("--ready-port <port>", "port of /ready (-1: off)", parseIntFlag, 8181)
    .option("--metrics-port <port>", "port of /metrics (-1: off)", parseIntFlag, 9153)
    .action(async (opts) => {
      // Loaded here so other commands do not load the DNS server.
      const { startDnsServer, parseUpstream } = await import("../src/dns/index.ts");
      const { dnsApiClient } = await import("../src/dns/api-client.ts");
      const log = logger("dns");
      const side = (p: number) => (p < 0 ? undefined : p);
      const server = await startDnsServer({
        client: dnsApiClient({ kubeconfig: opts.kubeconfig }),
        zones: opts.clusterDomain,
        ttl: opts.ttl,
        host: opts.listen.host,
        port: opts.listen.port,
        upstreams: opts.upstream?.map(parseUpstream),
        resolvConf: opts.resolvConf,
        maxCacheTtl: opts.cacheTtl,
        sidePorts: { health: side(opts.healthPort), ready: side(opts.readyPort), metrics: side(opts.metricsPort) },
        log,
      });
      const stop = async (signal: string) => {
        log.info("shutting down", { signal });
        await server.stop();
        process.exit(0);
      };
      process.on("SIGTERM", () => void stop("SIGTERM"));
      process.on("SIGINT", () => void stop("SIGINT"));
    });
}
