import { Command, Option } from "commander";
import { join } from "node:path";
import { logger } from "../src/log/index.ts";
import type { RunningAgent } from "../src/agent/index.ts";
import { defaultDataDir } from "./flags.ts";
import { addNodeOptions, nodeSettings } from "./node-flags.ts";
import { steadyState } from "./startup-memory.ts";

export function agentCommand(): Command {
  const cmd = new Command("agent")
    .description("Run a kts agent: join a server's cluster as a node and run its pods on Docker")
    .addOption(new Option("--join <url>", "URL of the server to join, e.g. https://10.0.0.1:6443").env("KTS_URL"))
    .addOption(new Option("-s, --server <url>", "same as --join (k3s's name)").hideHelp())
    .addOption(new Option("-t, --token <token>", "join token (`kts token` on the server prints it)").env("KTS_TOKEN"))
    .option("-d, --data-dir <dir>", "folder holding state (the agent keeps its files under <data-dir>/agent)", defaultDataDir());
  return addNodeOptions(cmd).action(async (opts) => {
    const serverUrl: string | undefined = opts.join ?? opts.server;
    if (!serverUrl) throw new Error("--join (or KTS_URL) is required: the URL of the server to join");
    if (!opts.token) throw new Error("--token (or KTS_TOKEN) is required: `kts token` on the server prints it");
    // Loaded here so other commands do not pay for the agent's modules (Docker client, ...).
    const { defaultNodeIP, defaultNodeName, startAgent } = await import("../src/agent/index.ts");
    const log = logger("agent");
    const abort = new AbortController();
    let stopping = false;
    let agent: RunningAgent | undefined;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info("shutting down", { signal });
      abort.abort();
      await agent?.stop();
      process.exit(0);
    };
    process.on("SIGTERM", () => void stop("SIGTERM"));
    process.on("SIGINT", () => void stop("SIGINT"));
    const node = nodeSettings(opts);
    agent = await startAgent(
      {
        ...node,
        serverUrl,
        token: opts.token,
        nodeName: node.nodeName ?? defaultNodeName(),
        nodeIP: node.nodeIP ?? defaultNodeIP(),
        dataDir: join(opts.dataDir, "agent"),
        isServer: false,
        signal: abort.signal,
      },
      log,
    );
    if (stopping) return;
    log.info("kts agent is running", { node: agent.nodeName, server: serverUrl });
    steadyState(Number(process.env.KTS_AGENT_JIT_POLICY ?? 100));
    // Hold the process open until a signal.
    setInterval(() => {}, 1 << 30);
  });
}
