/**
 * What the checks look at, gathered once: the running server's flags (its command line, as
 * kube-bench reads a component's process), file modes and owners under the data dir, and live
 * probes of the API port (anonymous access, TLS versions and suites, authorization in effect).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { readKubeconfig } from "../../src/pki/index.ts";

export interface FileFact {
  path: string;
  exists: boolean;
  mode: number;
  uid: number;
  gid: number;
}

export interface Facts {
  dataDir: string;
  kubeconfig: string;
  server: string;
  /** The server process's flags (undefined when no running `kts server` was found for the data dir). */
  flags?: Map<string, string[]>;
  /** --kube-apiserver-arg / --kube-controller-manager-arg key=value pairs. */
  apiserverArgs: Map<string, string>;
  controllerArgs: Map<string, string>;
  file(path: string): FileFact;
  /** Every file under a folder (recursively). */
  filesUnder(dir: string): FileFact[];
  /** Status code of an anonymous GET. */
  anonymousStatus(path: string): Promise<number>;
  /** Status code of an admin GET. */
  adminStatus(path: string): Promise<number>;
  /** Whether a TLS handshake succeeds when the client offers only this version (openssl's -tls1_1 ...) and cipher list. */
  handshake(opts: { version: "-tls1" | "-tls1_1" | "-tls1_2" | "-tls1_3"; cipher?: string }): Promise<boolean>;
  /** An admin JSON GET. */
  adminJson<T>(path: string): Promise<T>;
  /** An admin POST of JSON; returns the status code and body. */
  adminPost(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  /** An admin DELETE; the status code. */
  adminDelete(path: string): Promise<number>;
  /** A GET with a bearer token. */
  tokenStatus(path: string, token: string): Promise<number>;
}

/** The flags of the `kts server` process using this data dir, from /proc. */
function serverFlags(dataDir: string): Map<string, string[]> | undefined {
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    } catch {
      continue;
    }
    const i = argv.indexOf("server");
    if (i < 0 || !argv.some((a) => /kts(\.ts)?$/.test(a))) continue;
    const flags = new Map<string, string[]>();
    const args = argv.slice(i + 1);
    for (let j = 0; j < args.length; j++) {
      const a = args[j]!;
      if (!a.startsWith("-")) continue;
      const eq = a.indexOf("=");
      const name = (eq > 0 ? a.slice(0, eq) : a).replace(/^-+/, "");
      const value = eq > 0 ? a.slice(eq + 1) : args[j + 1] && !args[j + 1]!.startsWith("-") ? args[++j]! : "true";
      flags.set(name, [...(flags.get(name) ?? []), value]);
    }
    const dir = flags.get("data-dir")?.[0] ?? flags.get("d")?.[0];
    if (dir === dataDir) return flags;
  }
  return undefined;
}

function keyValues(values: string[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of values ?? []) {
    const eq = v.indexOf("=");
    if (eq > 0) out.set(v.slice(0, eq).replace(/^--/, ""), v.slice(eq + 1));
  }
  return out;
}

export function gatherFacts(dataDir: string, kubeconfig: string): Facts {
  const kc = readKubeconfig(kubeconfig);
  const flags = serverFlags(dataDir);
  const url = new URL(kc.server);
  const file = (path: string): FileFact => {
    if (!existsSync(path)) return { path, exists: false, mode: 0, uid: -1, gid: -1 };
    const st = statSync(path);
    return { path, exists: true, mode: st.mode & 0o777, uid: st.uid, gid: st.gid };
  };
  const filesUnder = (dir: string): FileFact[] => {
    if (!existsSync(dir)) return [];
    const out: FileFact[] = [];
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) out.push(...filesUnder(p));
      else if (e.isFile()) out.push(file(p));
    }
    return out;
  };
  const tls = { ca: kc.caPem };
  const admin = { ...tls, cert: kc.clientCertPem, key: kc.clientKeyPem };
  const req = (path: string, t: object, init: RequestInit = {}) => fetch(`${kc.server}${path}`, { ...init, tls: t } as RequestInit);
  return {
    dataDir,
    kubeconfig,
    server: kc.server,
    flags,
    apiserverArgs: keyValues(flags?.get("kube-apiserver-arg")),
    controllerArgs: keyValues(flags?.get("kube-controller-manager-arg")),
    file,
    filesUnder,
    anonymousStatus: async (path) => (await req(path, tls)).status,
    adminStatus: async (path) => (await req(path, admin)).status,
    adminJson: async <T>(path: string) => (await (await req(path, admin)).json()) as T,
    adminPost: async (path, body) => {
      const res = await req(path, admin, { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" } });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    adminDelete: async (path) => (await req(path, admin, { method: "DELETE" })).status,
    tokenStatus: async (path, token) => (await req(path, tls, { headers: { Authorization: `Bearer ${token}` } })).status,
    handshake: async (opts) => {
      // The system's openssl, an independent client: "New, TLSv1.x, Cipher is <suite>" means the server agreed.
      const args = ["s_client", "-connect", `${url.hostname}:${url.port || 443}`, opts.version];
      if (opts.cipher) args.push("-cipher", opts.cipher);
      const p = Bun.spawn(["openssl", ...args], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
      const timer = setTimeout(() => p.kill(), 10_000);
      const out = await new Response(p.stdout).text();
      clearTimeout(timer);
      await p.exited;
      return /^New, TLSv[\d.]+, Cipher is (?!\(NONE\))/m.test(out);
    },
  };
}
