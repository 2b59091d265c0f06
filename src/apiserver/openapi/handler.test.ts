import { describe, expect, test } from "bun:test";
import { handleOpenApiRequest, parseAccept } from "./handler.ts";
import { createOpenApi } from "./service.ts";
import { builtins } from "./testdata/resources.ts";

const openapi = createOpenApi(builtins);
const get = (url: string, accept?: string, ifNoneMatch?: string) => {
  const res = handleOpenApiRequest(openapi, url, accept, ifNoneMatch);
  if (!res) throw new Error(`${url} not handled`);
  return res;
};

describe("handleOpenApiRequest", () => {
  test("leaves other paths alone", () => {
    expect(handleOpenApiRequest(openapi, "/api/v1/pods", "application/json")).toBeUndefined();
    expect(handleOpenApiRequest(openapi, "/openapi", "application/json")).toBeUndefined();
  });

  test("/openapi/v3: the index as JSON with an ETag; 304 when it matches", async () => {
    // kubectl's Accept for the index.
    const res = get("/openapi/v3", "application/json, */*");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("application/json");
    const etag = res.headers.get("ETag")!;
    expect(etag).toBe(`"${openapi.v3IndexRendered().hash}"`);
    const body = (await res.json()) as { paths: Record<string, { serverRelativeURL: string }> };
    expect(body.paths["apis/apps/v1"]!.serverRelativeURL).toStartWith("/openapi/v3/apis/apps/v1?hash=");
    const again = get("/openapi/v3", "application/json", etag);
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
  });

  test("/openapi/v3/<gv>?hash=<current>: immutable for a year", async () => {
    const url = openapi.v3Index().paths["api/v1"]!.serverRelativeURL;
    const res = get(url, "application/json");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("application/json");
    expect(res.headers.get("Cache-Control")).toBe("public, immutable");
    expect(res.headers.get("Vary")).toBe("Accept");
    const expires = Date.parse(res.headers.get("Expires")!);
    expect(expires - Date.now()).toBeGreaterThan(364 * 24 * 3600 * 1000);
    expect(res.headers.get("ETag")).toBe(`"${url.split("hash=")[1]}"`);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.0.0");
    expect(doc.paths["/api/v1/namespaces/{namespace}/pods/{name}"]).toBeDefined();
  });

  test("a stale hash redirects to the current one; no hash serves without caching headers", () => {
    const res = get("/openapi/v3/apis/apps/v1?hash=0123", "application/json");
    expect(res.status).toBe(301);
    expect(res.headers.get("Location")).toBe(openapi.v3Index().paths["apis/apps/v1"]!.serverRelativeURL);
    const plain = get("/openapi/v3/apis/apps/v1", "application/json");
    expect(plain.status).toBe(200);
    expect(plain.headers.get("Cache-Control")).toBeNull();
  });

  test("unknown group-versions are 404; protobuf-only Accept for v3 is 406", () => {
    expect(get("/openapi/v3/apis/batch/v1", "application/json").status).toBe(404);
    expect(get("/openapi/v3/api/v1", "application/com.github.proto-openapi.spec.v3.v1.0+protobuf").status).toBe(406);
    expect(get("/openapi/v3/api/v1", "application/com.github.proto-openapi.spec.v3.v1.0+protobuf, application/json;q=0.5").status).toBe(200);
  });

  test("/openapi/v2: JSON in full; kubectl's protobuf request gets an empty document", async () => {
    const json = get("/openapi/v2", "application/json");
    expect(json.status).toBe(200);
    expect(json.headers.get("Content-Type")).toBe("application/json");
    expect(((await json.json()) as { swagger: string }).swagger).toBe("2.0");
    expect(get("/openapi/v2", undefined).headers.get("Content-Type")).toBe("application/json");
    expect(get("/openapi/v2", "application/json", json.headers.get("ETag")!).status).toBe(304);

    // The exact Accept kubectl 1.32 sends when v3 fails.
    const pb = get("/openapi/v2", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf");
    expect(pb.status).toBe(200);
    // Parseable (no "@"), as kube-openapi answers both spellings.
    expect(pb.headers.get("Content-Type")).toBe("application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
    expect((await pb.arrayBuffer()).byteLength).toBe(0);
    expect(get("/openapi/v2", "text/html").status).toBe(406);
  });
});

describe("parseAccept", () => {
  test("orders by q, then specificity; drops q=0", () => {
    expect(parseAccept("*/*;q=0.8, application/json, text/plain;q=0").map((c) => `${c.type}/${c.subtype}`)).toEqual(["application/json", "*/*"]);
    expect(parseAccept("*/*, application/json").map((c) => `${c.type}/${c.subtype}`)).toEqual(["application/json", "*/*"]);
    expect(parseAccept(undefined)).toEqual([{ type: "*", subtype: "*", q: 1 }]);
  });
});
