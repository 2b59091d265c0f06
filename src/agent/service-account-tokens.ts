/**
 * Service account tokens for projected volumes (the kubelet's token manager): each pod's token is
 * requested through the TokenRequest API, bound to the pod (as NodeRestriction requires of a
 * node), and reused until 80% of its requested lifetime has passed or it is a day old, so volume
 * resyncs do not ask for a fresh token each time. Tokens of deleted pods are forgotten with them.
 */
import type { Pod } from "../apiserver/resources/core/types.ts";
import type { HttpClient } from "../client/http/index.ts";
import type { TokenRequester } from "./volumes/index.ts";

interface Cached {
  token: string;
  expirationTimestamp?: string;
  refreshAt: number;
}

const DAY_MS = 24 * 3600 * 1000;
const MAX_CACHED = 10_000;

export function serviceAccountTokenRequester(client: HttpClient, now: () => number = Date.now): TokenRequester {
  let cache = new Map<string, Cached>();
  return async ({ namespace, serviceAccount, audience, expirationSeconds, pod }) => {
    const uid = (pod as Pod).metadata?.uid ?? "";
    const key = `${namespace}/${serviceAccount}/${audience ?? ""}/${expirationSeconds}/${uid}`;
    const hit = cache.get(key);
    if (hit && now() < hit.refreshAt) return { token: hit.token, expirationTimestamp: hit.expirationTimestamp };
    const body = {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: { audiences: audience ? [audience] : [], expirationSeconds, boundObjectRef: { apiVersion: "v1", kind: "Pod", name: pod.metadata?.name, uid } },
    };
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(serviceAccount)}/token`;
    const answer = await client.json<{ status?: { token?: string; expirationTimestamp?: string } }>("POST", path, { body });
    const token = answer.status?.token ?? "";
    if (!token) throw new Error(`failed to fetch token: the TokenRequest for serviceaccounts "${serviceAccount}" returned no token`);
    if (cache.size >= MAX_CACHED) cache = new Map();
    cache.set(key, { token, expirationTimestamp: answer.status?.expirationTimestamp, refreshAt: now() + Math.min(expirationSeconds * 800, DAY_MS) });
    return { token, expirationTimestamp: answer.status?.expirationTimestamp };
  };
}
