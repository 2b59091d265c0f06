/**
 * HTTP serving of /openapi/v2, /openapi/v3 and /openapi/v3/<group-version>, with the headers
 * kube-apiserver (kube-openapi's handlers) sends: ETag = quoted hash, Vary: Accept, 304 on a
 * matching If-None-Match, and for a v3 URL carrying ?hash=: a 301 to the current hash when it is
 * stale, else `Cache-Control: public, immutable` with a one-year Expires. kubectl keys its disk
 * cache (~/.kube/cache/http) on those URLs, so the hash is what makes it refetch.
 *
 * Protobuf. kubectl 1.32 asks for v2 only as a fallback when v3 fails, and only as protobuf
 * (application/com.github.proto-openapi.spec.v2@v1.0+protobuf). We cannot encode the gnostic
 * protobuf document, and answering 406 would make that fallback fail the whole command
 * ("failed to download openapi"). So that request gets 200 with an empty body under the
 * protobuf content type: an empty document, which kubectl accepts and then leaves field
 * validation to the server (kubectl sends fieldValidation either way). JSON is served in full.
 * v3 protobuf is not offered: kubectl asks v3 for JSON, and a protobuf-only Accept gets 406.
 */
import type { OpenApi, Rendered } from "./service.ts";

const JSON_TYPE = "application/json";
/** What kube-openapi answers for either spelling of the v2 protobuf type (the "@" form is not a valid media type). */
const V2_PROTOBUF_TYPE = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
const V2_PROTOBUF_SUBTYPES = new Set(["com.github.proto-openapi.spec.v2@v1.0+protobuf", "com.github.proto-openapi.spec.v2.v1.0+protobuf"]);

type Offer = "json" | "v2-protobuf";

interface Clause {
  type: string;
  subtype: string;
  q: number;
}

/** Accept clauses, best first (by q, then by specificity), like goautoneg. */
export function parseAccept(header: string | null | undefined): Clause[] {
  const clauses: Clause[] = [];
  for (const part of (header || "*/*").split(",")) {
    const [range = "", ...params] = part.split(";").map((s) => s.trim());
    const slash = range.indexOf("/");
    if (slash <= 0) continue;
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split("=").map((s) => s.trim());
      if (k === "q" && v !== undefined && !Number.isNaN(Number(v))) q = Number(v);
    }
    clauses.push({ type: range.slice(0, slash).toLowerCase(), subtype: range.slice(slash + 1).toLowerCase(), q });
  }
  const specificity = (c: Clause) => (c.type === "*" ? 0 : c.subtype === "*" ? 1 : 2);
  return clauses.filter((c) => c.q > 0).sort((a, b) => b.q - a.q || specificity(b) - specificity(a));
}

function negotiate(accept: string | null | undefined, offers: Offer[]): Offer | undefined {
  for (const c of parseAccept(accept)) {
    for (const offer of offers) {
      if (c.type !== "application" && c.type !== "*") continue;
      if (c.subtype === "*") return offer;
      if (offer === "json" && c.subtype === "json") return offer;
      if (offer === "v2-protobuf" && V2_PROTOBUF_SUBTYPES.has(c.subtype)) return offer;
    }
  }
  return undefined;
}

function etagMatches(ifNoneMatch: string | null | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(",").some((t) => {
    const tag = t.trim().replace(/^W\//, "");
    return tag === "*" || tag === etag;
  });
}

function serve(rendered: Rendered, ifNoneMatch: string | null | undefined, extra: Record<string, string> = {}): Response {
  const etag = JSON.stringify(rendered.hash);
  const headers: Record<string, string> = { ETag: etag, "Last-Modified": rendered.built.toUTCString(), Vary: "Accept", ...extra };
  if (etagMatches(ifNoneMatch, etag)) return new Response(null, { status: 304, headers });
  return new Response(rendered.json, { status: 200, headers: { ...headers, "Content-Type": JSON_TYPE } });
}

const notAcceptable = () => new Response(null, { status: 406, headers: { Vary: "Accept" } });

/**
 * Answers a GET for an OpenAPI path, or returns undefined if `url` is not one. `accept` and
 * `ifNoneMatch` are the request's Accept and If-None-Match headers.
 */
export function handleOpenApiRequest(api: OpenApi, url: URL | string, accept?: string | null, ifNoneMatch?: string | null): Response | undefined {
  const u = typeof url === "string" ? new URL(url, "http://localhost") : url;
  const path = u.pathname.replace(/\/+$/, "");
  if (path === "/openapi/v2") {
    const offer = negotiate(accept, ["json", "v2-protobuf"]);
    if (offer === undefined) return notAcceptable();
    if (offer === "v2-protobuf") return new Response(new Uint8Array(0), { status: 200, headers: { "Content-Type": V2_PROTOBUF_TYPE, Vary: "Accept" } });
    return serve(api.v2Rendered(), ifNoneMatch);
  }
  if (path === "/openapi/v3") return serve(api.v3IndexRendered(), ifNoneMatch);
  if (!path.startsWith("/openapi/v3/")) return undefined;
  const gvPath = path.slice("/openapi/v3/".length);
  const rendered = api.v3Rendered(gvPath);
  if (!rendered) return new Response(`no OpenAPI v3 document for ${gvPath}\n`, { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  if (negotiate(accept, ["json"]) === undefined) return notAcceptable();
  const hash = u.searchParams.get("hash");
  if (hash === null || hash === "") return serve(rendered, ifNoneMatch);
  if (hash !== rendered.hash) {
    return new Response(null, { status: 301, headers: { Location: `/openapi/v3/${gvPath}?hash=${rendered.hash}`, "Cache-Control": "no-cache, no-store", Vary: "Accept" } });
  }
  const expires = new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString();
  return serve(rendered, ifNoneMatch, { "Cache-Control": "public, immutable", Expires: expires });
}

/** The API server's `openapi` hook (AppOptions.openapi in http/app.ts). */
export function openApiRoute(api: OpenApi): (url: URL, req: Request) => Response | undefined {
  return (url, req) => handleOpenApiRequest(api, url, req.headers.get("accept"), req.headers.get("if-none-match"));
}
