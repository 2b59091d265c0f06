/**
 * Clearing conntrack entries of UDP flows whose endpoint went away (upstream's
 * deleteStaleEndpointConnections / deleteStaleServiceConnections): UDP has no connection to
 * break, so without this a client keeps sending to a removed endpoint for as long as its flow
 * lives. Uses the `conntrack` tool when the machine has it; without it this is skipped (logged
 * once).
 */
import type { Logger } from "../log/index.ts";

export interface ConntrackOptions {
  netns?: string;
  log: Logger;
}

export class Conntrack {
  private missing = false;

  constructor(private readonly opts: ConntrackOptions) {}

  private async run(args: string[]): Promise<void> {
    if (this.missing) return;
    const argv = [...(this.opts.netns ? ["ip", "netns", "exec", this.opts.netns] : []), "conntrack", ...args];
    try {
      const proc = Bun.spawn(argv, { stdin: "ignore", stdout: "ignore", stderr: "pipe" });
      const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
      // Exit 1 with "0 flow entries have been deleted" is the ordinary nothing-to-do answer.
      if (code !== 0 && !/0 flow entries/.test(stderr)) this.opts.log.v(2).info("conntrack failed", { args: args.join(" "), err: stderr.trim() });
    } catch {
      this.missing = true;
      this.opts.log.warn("the conntrack tool is missing: stale UDP flows are not cleared when endpoints go");
    }
  }

  /** Flows to a service address now answered by nothing in particular (the service just got endpoints). */
  async clearServiceIP(ip: string): Promise<void> {
    await this.run(["-D", "--orig-dst", ip, "-p", "udp"]);
  }

  async clearNodePort(port: number): Promise<void> {
    await this.run(["-D", "-p", "udp", "--dport", String(port)]);
  }

  /** Flows from a service address to an endpoint that is gone. */
  async clearEndpoint(serviceIP: string, endpointIP: string): Promise<void> {
    await this.run(["-D", "--orig-dst", serviceIP, "--dst-nat", endpointIP, "-p", "udp"]);
  }

  async clearNodePortEndpoint(port: number, endpointIP: string): Promise<void> {
    await this.run(["-D", "-p", "udp", "--dport", String(port), "--dst-nat", endpointIP]);
  }
}
