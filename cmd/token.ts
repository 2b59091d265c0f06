import { Command } from "commander";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { clusterPkiFiles } from "../src/pki/index.ts";
import { defaultDataDir } from "./flags.ts";

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

export function tokenCommand(): Command {
  return new Command("token")
    .description("Print the server's join token (K10<CA hash>::server:<secret>) for `kts agent --token`")
    .option("-d, --data-dir <dir>", "the server's data dir", defaultDataDir())
    .action(async (opts) => {
      process.stdout.write(`${await readServerToken(opts.dataDir)}\n`);
    });
}
