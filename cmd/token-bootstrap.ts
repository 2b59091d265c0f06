/**
 * `kts token create|list|delete`: bootstrap tokens (k3s's and kubeadm's token commands). A token
 * is a kube-system Secret `bootstrap-token-<id>` of type bootstrap.kubernetes.io/token; agents join
 * with `K10<CA hash>::<id>.<secret>`, which create prints. The commands talk to the API with the
 * admin kubeconfig.
 */
import { randomInt } from "node:crypto";
import { InvalidArgumentError } from "commander";
import type { KubeObject } from "../src/apiserver/api/types.ts";
import { HttpClient } from "../src/client/http/index.ts";
import { readKubeconfig } from "../src/pki/index.ts";

const SECRETS = { group: "", version: "v1", resource: "secrets" };
const TYPE = "bootstrap.kubernetes.io/token";
const PREFIX = "bootstrap-token-";
const ID = /^[a-z0-9]{6}$/;
const TOKEN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
/** kts's default extra group for node tokens (kubeadm: system:bootstrappers:kubeadm:default-node-token). */
export const DEFAULT_TOKEN_GROUP = "system:bootstrappers:kts:default-node-token";
const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

export function randomTokenPart(length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

export interface TokenClientOptions {
  kubeconfig: string;
}

function client(opts: TokenClientOptions): { http: HttpClient; caPem: string } {
  const kc = readKubeconfig(opts.kubeconfig);
  const http = new HttpClient({ server: kc.server, caPem: kc.caPem || undefined, certPem: kc.clientCertPem, keyPem: kc.clientKeyPem, bearerToken: kc.token, userAgent: "kts-token" });
  return { http, caPem: kc.caPem };
}

export interface CreateOptions extends TokenClientOptions {
  /** 0: never expires. */
  ttlMs: number;
  description?: string;
  groups: string[];
  usages: string[];
  /** A chosen `<id>.<secret>`; a random one otherwise. */
  token?: string;
}

/** Creates the token's Secret; returns `<id>.<secret>` and the CA bundle the full token pins. */
export async function createBootstrapToken(opts: CreateOptions): Promise<{ token: string; caPem: string }> {
  const token = opts.token ?? `${randomTokenPart(6)}.${randomTokenPart(16)}`;
  const m = TOKEN.exec(token);
  if (!m) throw new InvalidArgumentError(`token "${token}" is not of the form [a-z0-9]{6}.[a-z0-9]{16}`);
  for (const g of opts.groups) if (!/^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/.test(g)) throw new InvalidArgumentError(`group "${g}" must start with system:bootstrappers: and be lowercase letters, digits, colons and dashes`);
  const stringData: Record<string, string> = { "token-id": m[1]!, "token-secret": m[2]! };
  for (const u of opts.usages) {
    if (u !== "authentication" && u !== "signing") throw new InvalidArgumentError(`usage "${u}" is neither authentication nor signing`);
    stringData[`usage-bootstrap-${u}`] = "true";
  }
  if (opts.ttlMs > 0) stringData.expiration = new Date(Date.now() + opts.ttlMs).toISOString().replace(/\.\d{3}Z$/, "Z");
  if (opts.description) stringData.description = opts.description;
  if (opts.groups.length > 0) stringData["auth-extra-groups"] = opts.groups.join(",");
  const { http, caPem } = client(opts);
  await http.create(SECRETS, "kube-system", { apiVersion: "v1", kind: "Secret", metadata: { name: `${PREFIX}${m[1]}`, namespace: "kube-system" }, type: TYPE, stringData } as KubeObject);
  return { token, caPem };
}

const text = (s: KubeObject, key: string) => {
  const v = (s as { data?: Record<string, string> }).data?.[key];
  return v === undefined ? undefined : Buffer.from(v, "base64").toString("utf8");
};

/** A duration as kubeadm prints TTLs: 23h, 59m, 30s, or <forever>/<invalid>. */
function ttlText(expiration: string | undefined, now: number): string {
  if (!expiration) return "<forever>";
  const left = Date.parse(expiration) - now;
  if (Number.isNaN(left)) return "<invalid>";
  if (left <= 0) return "<expired>";
  const s = Math.floor(left / 1000);
  if (s >= 3600) return `${Math.floor(s / 3600)}h`;
  if (s >= 60) return `${Math.floor(s / 60)}m`;
  return `${s}s`;
}

/** kubeadm's `token list` table. */
export async function listBootstrapTokens(opts: TokenClientOptions): Promise<string> {
  const { http } = client(opts);
  const list = await http.list(SECRETS, "kube-system", { fieldSelector: `type=${TYPE}` });
  const rows = [["TOKEN", "TTL", "EXPIRES", "USAGES", "DESCRIPTION", "EXTRA GROUPS"]];
  const now = Date.now();
  for (const s of list.items) {
    const id = text(s, "token-id") ?? "";
    const usages = ["authentication", "signing"].filter((u) => text(s, `usage-bootstrap-${u}`) === "true");
    const exp = text(s, "expiration");
    rows.push([`${id}.${text(s, "token-secret") ?? ""}`, ttlText(exp, now), exp ?? "<never>", usages.join(",") || "<none>", text(s, "description") ?? "<none>", text(s, "auth-extra-groups") ?? "<none>"]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join("")).join("\n");
}

/** Deletes tokens by id or full `<id>.<secret>` (as kubeadm accepts). */
export async function deleteBootstrapTokens(opts: TokenClientOptions, tokens: string[]): Promise<string[]> {
  const { http } = client(opts);
  const out: string[] = [];
  for (const t of tokens) {
    const id = TOKEN.exec(t)?.[1] ?? t;
    if (!ID.test(id)) throw new InvalidArgumentError(`"${t}" is neither a token id nor a token`);
    await http.delete(SECRETS, "kube-system", `${PREFIX}${id}`);
    out.push(`bootstrap token "${id}" deleted`);
  }
  return out;
}
