/**
 * iptables through its own tools, as kube-proxy and flannel drive it: whole rule sets go to
 * `iptables-restore --noflush` (atomic per call), single rules are checked with `-C` before being
 * inserted, and chains are read back from `iptables-save`. Every command can run inside a named
 * network namespace (`ip netns exec`), which is how tests and benchmarks keep the host's tables
 * untouched.
 *
 * Two kernels interfaces exist (legacy x_tables and nf_tables); rules in one do not see the
 * other's, and a packet must pass both. Like k3s's iptables-detect and Kubernetes's
 * iptables-wrapper, kts uses the backend that already holds the system's rules (Docker's), nft
 * when neither does.
 */

export type Backend = "nft" | "legacy";

export interface IptablesOptions {
  backend?: Backend;
  /** Run every command inside this network namespace (`ip netns exec <netns>`). */
  netns?: string;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class IptablesError extends Error {
  constructor(
    readonly command: string,
    readonly result: RunResult,
  ) {
    super(`${command} failed (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`);
  }
}

async function exec(argv: string[], stdin?: string): Promise<RunResult> {
  const proc = Bun.spawn(argv, { stdin: stdin !== undefined ? new Blob([stdin]) : "ignore", stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

function prefix(netns: string | undefined): string[] {
  return netns ? ["ip", "netns", "exec", netns] : [];
}

/** How many rules each backend holds (lines starting with "-" in its iptables-save). */
async function ruleCount(tool: string, netns?: string): Promise<number> {
  try {
    const r = await exec([...prefix(netns), tool]);
    if (r.code !== 0) return -1;
    return r.stdout.split("\n").filter((l) => l.startsWith("-")).length;
  } catch {
    return -1;
  }
}

/** The backend the system's rules live in: legacy only when it holds more rules than nft. */
export async function detectBackend(netns?: string): Promise<Backend> {
  const [legacy, nft] = await Promise.all([ruleCount("iptables-legacy-save", netns), ruleCount("iptables-nft-save", netns)]);
  return legacy > nft && legacy > 0 ? "legacy" : "nft";
}

export class Iptables {
  readonly backend: Backend;
  readonly netns: string | undefined;

  constructor(opts: IptablesOptions = {}) {
    this.backend = opts.backend ?? "nft";
    this.netns = opts.netns;
  }

  /** An Iptables on the backend the system uses (see detectBackend). */
  static async detect(opts: Omit<IptablesOptions, "backend"> = {}): Promise<Iptables> {
    return new Iptables({ ...opts, backend: await detectBackend(opts.netns) });
  }

  private tool(name: "" | "-save" | "-restore"): string[] {
    return [...prefix(this.netns), `iptables-${this.backend}${name}`];
  }

  /** Runs `iptables <args>` (with -w: wait for the xtables lock instead of failing). */
  async run(args: string[]): Promise<RunResult> {
    return exec([...this.tool(""), "-w", "5", ...args]);
  }

  private async mustRun(args: string[]): Promise<RunResult> {
    const r = await this.run(args);
    if (r.code !== 0) throw new IptablesError(`iptables ${args.join(" ")}`, r);
    return r;
  }

  /** Feeds a rule set to iptables-restore; with noflush (the default) chains not named are left alone. */
  async restore(text: string, opts: { noflush?: boolean } = {}): Promise<void> {
    const args = [...this.tool("-restore"), "-w", "5"];
    if (opts.noflush !== false) args.push("--noflush");
    const r = await exec(args, text);
    if (r.code !== 0) throw new IptablesError(`iptables-restore`, r);
  }

  /** `iptables-save` of one table (or all). */
  async save(table?: string): Promise<string> {
    const r = await exec([...this.tool("-save"), ...(table ? ["-t", table] : [])]);
    if (r.code !== 0) throw new IptablesError(`iptables-save`, r);
    return r.stdout;
  }

  /** The chain names a table holds. */
  async chains(table: string): Promise<string[]> {
    return (await this.save(table))
      .split("\n")
      .filter((l) => l.startsWith(":"))
      .map((l) => l.slice(1).split(" ")[0]!);
  }

  async chainExists(table: string, chain: string): Promise<boolean> {
    return (await this.run(["-t", table, "-n", "-L", chain])).code === 0;
  }

  /** Creates a chain unless it exists. */
  async ensureChain(table: string, chain: string): Promise<void> {
    if (await this.chainExists(table, chain)) return;
    const r = await this.run(["-t", table, "-N", chain]);
    if (r.code !== 0 && !(await this.chainExists(table, chain))) throw new IptablesError(`iptables -t ${table} -N ${chain}`, r);
  }

  /** Adds a rule unless an identical one exists; "first" inserts it at the top. True when added. */
  async ensureRule(position: "first" | "last", table: string, chain: string, rule: string[]): Promise<boolean> {
    if ((await this.run(["-t", table, "-C", chain, ...rule])).code === 0) return false;
    await this.mustRun(["-t", table, position === "first" ? "-I" : "-A", chain, ...rule]);
    return true;
  }

  /** Flushes and deletes a chain; one that does not exist is fine. */
  async deleteChain(table: string, chain: string): Promise<void> {
    await this.run(["-t", table, "-F", chain]);
    await this.run(["-t", table, "-X", chain]);
  }

  /** Deletes every copy of a rule; returns how many went. */
  async deleteRule(table: string, chain: string, rule: string[]): Promise<number> {
    let n = 0;
    while ((await this.run(["-t", table, "-D", chain, ...rule])).code === 0) n++;
    return n;
  }
}
