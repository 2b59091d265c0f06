import { Command, Option } from "commander";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { clusterPkiFiles } from "../src/pki/index.ts";
import { defaultDataDir, parseDuration } from "./flags.ts";

/** The full token; a token file from before tokens carried the CA hash is completed from the CA file. */
async function readServerToken(dataDir: string): Promise<string> {
  const { formatJoinToken, parseJoinToken } = await import("../src/agent/index.ts");
  const file = join(dataDir, "server", "token");
  if (!existsSync(file)) throw new Error(`no server token at ${file}: has a kts server run with --data-dir ${dataDir}?`);
  const token = parseJoinToken(readFileSync(file, "utf8"));
  if (token.caHash) return readFileSync(file, "utf8").trim();
  const caFile = clusterPkiFiles(join(dataDir, "server", "tls")).serverCaCert;
  if (!existsSync(caFile)) throw new Error(`no server CA at ${caFile}`);
  return formatJoinToken(readFileSync(caFile, "utf8"), token.secret);
}

const kubeconfigOption = () => new Option("--kubeconfig <file>", "admin kubeconfig of the server").env("KUBECONFIG").default("/etc/kts/kts.yaml");

/** `kts token` prints the server token; create, list and delete manage bootstrap tokens (k3s's token commands). */
export function tokenCommand(): Command {
  const cmd = new Command("token")
    .description("Print the server's join token (K10<CA hash>::server:<secret>) for `kts agent --token`; manage bootstrap tokens")
    .option("-d, --data-dir <dir>", "the server's data dir", defaultDataDir())
    .action(async (opts) => {
      process.stdout.write(`${await readServerToken(opts.dataDir)}\n`);
    });

  cmd
    .command("create [token]")
    .description("Create a bootstrap token (<id>.<secret>, random if not given) and print the join token K10<CA hash>::<id>.<secret>")
    .addOption(kubeconfigOption())
    .addOption(new Option("--ttl <duration>", "time before the token expires (0: never)").argParser(parseDuration).default(24 * 3_600_000, "24h"))
    .option("--description <text>", "a human-friendly description")
    .option("--groups <groups>", "extra groups the token authenticates with", "system:bootstrappers:kts:default-node-token")
    .option("--usages <usages>", "what the token is for", "signing,authentication")
    .action(async (token: string | undefined, opts) => {
      const { createBootstrapToken } = await import("./token-bootstrap.ts");
      const { formatBootstrapToken } = await import("../src/agent/index.ts");
      const split = (s: string) => s.split(",").map((x) => x.trim()).filter(Boolean);
      const created = await createBootstrapToken({ kubeconfig: opts.kubeconfig, token, ttlMs: opts.ttl, description: opts.description, groups: split(opts.groups), usages: split(opts.usages) });
      process.stdout.write(`${created.caPem ? formatBootstrapToken(created.caPem, created.token) : created.token}\n`);
    });

  cmd
    .command("list")
    .description("List bootstrap tokens")
    .addOption(kubeconfigOption())
    .action(async (opts) => {
      const { listBootstrapTokens } = await import("./token-bootstrap.ts");
      process.stdout.write(`${await listBootstrapTokens({ kubeconfig: opts.kubeconfig })}\n`);
    });

  cmd
    .command("delete <tokens...>")
    .description("Delete bootstrap tokens, by id or as <id>.<secret>")
    .addOption(kubeconfigOption())
    .action(async (tokens: string[], opts) => {
      const { deleteBootstrapTokens } = await import("./token-bootstrap.ts");
      for (const line of await deleteBootstrapTokens({ kubeconfig: opts.kubeconfig }, tokens)) process.stdout.write(`${line}\n`);
    });
  return cmd;
}
