/**
 * The `ip` tool (iproute2) for routes and policy rules. Routes kts installs carry its own route
 * protocol number, so they can be told apart from everyone else's and cleaned up exactly.
 */

/** Route protocol of kts's routes (`ip route show proto 75`); unassigned in /etc/iproute2/rt_protos. */
export const KTS_ROUTE_PROTO = 75;
/** Routing table for service traffic (see safety.ts). */
export const KTS_ROUTE_TABLE = 0x4b5453;
/** Priority of the policy rule that sends service traffic to that table. */
export const KTS_RULE_PRIORITY = 1000;

export interface IpResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class IpError extends Error {
  constructor(args: string[], r: IpResult) {
    super(`ip ${args.join(" ")} failed (exit ${r.code}): ${r.stderr.trim()}`);
  }
}

/** Runs `ip <args>`, optionally inside a named network namespace. */
export async function ip(args: string[], netns?: string): Promise<IpResult> {
  const argv = netns ? ["ip", "-n", netns, ...args] : ["ip", ...args];
  const proc = Bun.spawn(argv, { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

export async function mustIp(args: string[], netns?: string): Promise<string> {
  const r = await ip(args, netns);
  if (r.code !== 0) throw new IpError(args, r);
  return r.stdout;
}

export interface RouteEntry {
  type?: string;
  dst: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
  prefsrc?: string;
}

/** Routes of a table (main by default) as `ip -j route show` reports them. */
export async function routes(opts: { table?: number | string; proto?: number; type?: string; netns?: string } = {}): Promise<RouteEntry[]> {
  const args = ["-j", "route", "show"];
  if (opts.table !== undefined) args.push("table", String(opts.table));
  if (opts.proto !== undefined) args.push("proto", String(opts.proto));
  if (opts.type) args.push("type", opts.type);
  const out = (await mustIp(args, opts.netns)).trim();
  return out ? (JSON.parse(out) as RouteEntry[]) : [];
}
