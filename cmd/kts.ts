#!/usr/bin/env bun
/**
 * kts: one executable for every role. This file only assembles the commands; each command
 * parses its flags and hands them to a component under src/.
 */
import "./startup-memory.ts";
import { Command } from "commander";
import { logger, setVerbosity } from "../src/log/index.ts";
import { agentCommand } from "./agent.ts";
import { dnsCommand } from "./dns.ts";
import { etcdSnapshotCommand } from "./etcd-snapshot.ts";
import { parseIntFlag } from "./flags.ts";
import { serverCommand } from "./server.ts";
import { tokenCommand } from "./token.ts";
import { installMemoryReport } from "./memory-report.ts";
import { secretsEncryptCommand } from "./secrets-encrypt.ts";
import pkg from "../package.json" with { type: "json" };

const program = new Command("kts")
  .description("A k3s-style Kubernetes distribution in TypeScript on Bun")
  .version(pkg.version)
  .option("-v, --v <level>", "log verbosity (0-10)", parseIntFlag, 0)
  .hook("preAction", (root) => setVerbosity(root.opts().v))
  .showHelpAfterError();

installMemoryReport(logger("memory"));

program.addCommand(serverCommand());
program.addCommand(agentCommand());
program.addCommand(tokenCommand());
program.addCommand(etcdSnapshotCommand());
program.addCommand(secretsEncryptCommand());
program.addCommand(dnsCommand());

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.stderr.write(`kts: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
