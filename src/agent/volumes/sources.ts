/**
 * The file sets of API-backed volumes: configMap and secret keys (all of them, or the listed
 * items), downwardAPI items, and projected volumes combining those with service account tokens.
 * Errors carry upstream's wording ("configmap \"x\" not found", "configmap references
 * non-existent config key: k").
 */
import type { Client } from "../../client/index.ts";
import type { ConfigMap, Container, Pod, Secret, Volume } from "../runtime/index.ts";
import type { Payload } from "./atomic-writer.ts";
import { fieldValue, resourceValue, type NodeAllocatable, type RuntimeIPs } from "./downward.ts";

const CONFIGMAPS = { group: "", version: "v1", resource: "configmaps" };
const SECRETS = { group: "", version: "v1", resource: "secrets" };

/** Requests a service account token (TokenRequest); the agent wires it when the API serves it. */
export type TokenRequester = (req: { namespace: string; serviceAccount: string; audience?: string; expirationSeconds: number; pod: Pod }) => Promise<{ token: string; expirationTimestamp?: string }>;

export interface SourceContext {
  client: Client;
  pod: Pod;
  ips: RuntimeIPs;
  node: NodeAllocatable;
  requestToken?: TokenRequester;
}

interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}

async function fetchOptional<T>(client: Client, ref: typeof CONFIGMAPS, ns: string, name: string): Promise<T | undefined> {
  try {
    return (await client.get(ref, ns, name)) as unknown as T;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

/** Keys of one object laid out as files: every key, or the listed items. */
function project(
  data: Map<string, Uint8Array>,
  items: KeyToPath[] | undefined,
  defaultMode: number,
  optional: boolean,
  missingKey: (key: string) => string,
  out: Payload,
): void {
  if (!items?.length) {
    for (const [k, v] of data) out.set(k, { data: v, mode: defaultMode });
    return;
  }
  for (const it of items) {
    const v = data.get(it.key);
    if (!v) {
      if (optional) continue;
      throw new Error(missingKey(it.key));
    }
    out.set(it.path, { data: v, mode: it.mode ?? defaultMode });
  }
}

function configMapData(cm: ConfigMap): Map<string, Uint8Array> {
  const m = new Map<string, Uint8Array>();
  for (const [k, v] of Object.entries(cm.data ?? {})) m.set(k, new TextEncoder().encode(v));
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) m.set(k, Buffer.from(v, "base64"));
  return m;
}

function secretData(s: Secret): Map<string, Uint8Array> {
  const m = new Map<string, Uint8Array>();
  for (const [k, v] of Object.entries(s.data ?? {})) m.set(k, Buffer.from(v, "base64"));
  for (const [k, v] of Object.entries(s.stringData ?? {})) m.set(k, new TextEncoder().encode(v));
  return m;
}

type KeyedSource = { name?: string; items?: KeyToPath[]; optional?: boolean };

/** A ConfigMap's or a Secret's keys as files; the two differ only in what they read and how they word a miss. */
const KEYED_KINDS = {
  configmap: { ref: CONFIGMAPS, data: (o: ConfigMap) => configMapData(o), missingKey: (k: string) => `configmap references non-existent config key: ${k}` },
  secret: { ref: SECRETS, data: (o: Secret) => secretData(o), missingKey: (k: string) => `references non-existent secret key: ${k}` },
};

async function keyedFiles<K extends keyof typeof KEYED_KINDS>(kind: K, ctx: SourceContext, src: KeyedSource, defaultMode: number, out: Payload): Promise<void> {
  const ns = ctx.pod.metadata?.namespace ?? "";
  const name = src.name ?? "";
  const k = KEYED_KINDS[kind];
  const obj = await fetchOptional<ConfigMap & Secret>(ctx.client, k.ref, ns, name);
  if (!obj) {
    if (src.optional) return;
    throw new Error(`${kind} "${name}" not found`);
  }
  project(k.data(obj), src.items, defaultMode, src.optional === true, k.missingKey, out);
}

const configMapFiles = (ctx: SourceContext, src: KeyedSource, defaultMode: number, out: Payload) => keyedFiles("configmap", ctx, src, defaultMode, out);
const secretFiles = (ctx: SourceContext, src: KeyedSource, defaultMode: number, out: Payload) => keyedFiles("secret", ctx, src, defaultMode, out);

interface DownwardItem {
  path: string;
  mode?: number;
  fieldRef?: { fieldPath: string };
  resourceFieldRef?: { containerName?: string; resource: string; divisor?: string | number };
}

function downwardFiles(ctx: SourceContext, items: DownwardItem[] | undefined, defaultMode: number, out: Payload): void {
  for (const it of items ?? []) {
    let value = "";
    if (it.fieldRef) value = fieldValue(ctx.pod, it.fieldRef.fieldPath, ctx.ips);
    else if (it.resourceFieldRef) value = resourceValue(ctx.pod, undefined as Container | undefined, it.resourceFieldRef, ctx.node);
    out.set(it.path, { data: new TextEncoder().encode(value), mode: it.mode ?? defaultMode });
  }
}

async function tokenFile(ctx: SourceContext, src: { audience?: string; expirationSeconds?: number; path: string }, defaultMode: number, out: Payload): Promise<void> {
  const sa = ctx.pod.spec?.serviceAccountName || "default";
  if (!ctx.requestToken)
    throw new Error(`failed to fetch token: serviceaccounts "${sa}" token requests (TokenRequest, serviceaccounts/token) are not served by this cluster yet`);
  const t = await ctx.requestToken({ namespace: ctx.pod.metadata?.namespace ?? "", serviceAccount: sa, audience: src.audience, expirationSeconds: src.expirationSeconds ?? 3600, pod: ctx.pod });
  out.set(src.path, { data: new TextEncoder().encode(t.token), mode: defaultMode });
}

/** The files of an API-backed volume; undefined for other volume types. */
export async function apiVolumeFiles(ctx: SourceContext, vol: Volume): Promise<Payload | undefined> {
  const out: Payload = new Map();
  if (vol.configMap) {
    await configMapFiles(ctx, vol.configMap as Parameters<typeof configMapFiles>[1], vol.configMap.defaultMode ?? 0o644, out);
    return out;
  }
  if (vol.secret) {
    const s = vol.secret;
    await secretFiles(ctx, { name: s.secretName, items: s.items as KeyToPath[] | undefined, optional: s.optional }, s.defaultMode ?? 0o644, out);
    return out;
  }
  if (vol.downwardAPI) {
    downwardFiles(ctx, vol.downwardAPI.items as DownwardItem[] | undefined, vol.downwardAPI.defaultMode ?? 0o644, out);
    return out;
  }
  if (vol.projected) {
    const mode = vol.projected.defaultMode ?? 0o644;
    for (const src of vol.projected.sources ?? []) {
      if (src.configMap) await configMapFiles(ctx, src.configMap as Parameters<typeof configMapFiles>[1], mode, out);
      if (src.secret) await secretFiles(ctx, src.secret as Parameters<typeof secretFiles>[1], mode, out);
      if (src.downwardAPI) downwardFiles(ctx, src.downwardAPI.items as DownwardItem[] | undefined, mode, out);
      if (src.serviceAccountToken) await tokenFile(ctx, src.serviceAccountToken, mode, out);
      if (src.clusterTrustBundle) throw new Error("clusterTrustBundle projections are not supported");
    }
    return out;
  }
  return undefined;
}
